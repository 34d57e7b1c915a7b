/**
 * Which language a person writes in, from a message, so that the conversation can follow them: a
 * resident writing English or Arabic on the French welcome is answered in their language. Arabic
 * script is Arabic; other text goes to tinyld (a small, well-kept language detector), restricted to
 * the languages the service speaks. Darija typed in Latin letters is no language tinyld knows: a
 * few of its most common words ("bghit", "kifach", "wach"…) tell it.
 */
import stopwordsIso from 'stopwords-iso/stopwords-iso.json';
import { detectAll } from 'tinyld';
import { normalize } from './normalize';
import type { Lang } from './types';

/** Darija words typed in Latin letters that French, English and Arabic script never use. */
const DARIJA = new Set(
  'bghit bghyt bgha bghina bghat kifach kifash kifax wach dyal dyali diali dyalha dyalo khasni khassni khaseni 3andi 3ndi 3and daba bzaf chno chnou achno waqila safi wakha'.split(' '),
);

/** How sure tinyld must be before the engine follows a language by itself. */
const SURE = 0.6;
/**
 * On short messages tinyld is seldom sure ("hello, I need my CAF certificate": 0.13); then the
 * little words decide: this many of the language's own stop words, and none of the current one's.
 */
const OWN_STOPWORDS = 2;
const STOPWORDS = stopwordsIso as unknown as Record<string, string[]>;
const stopSets = new Map<string, Set<string>>();
function stopwordsOf(lang: string): Set<string> {
  let set = stopSets.get(lang);
  if (!set) {
    set = new Set((STOPWORDS[lang] ?? []).map(normalize));
    stopSets.set(lang, set);
  }
  return set;
}

/** Whether the little words of `words` are `lang`'s, and none of them `current`'s. */
function littleWordsSay(words: string[], lang: string, current: string): boolean {
  const theirs = stopwordsOf(lang);
  const ours = stopwordsOf(current);
  const own = words.filter((w) => theirs.has(w) && !ours.has(w)).length;
  return own >= OWN_STOPWORDS && !words.some((w) => ours.has(w) && !theirs.has(w));
}
/** Shorter texts ("ok", "rsa") say nothing about a language. */
const MIN_LETTERS = 12;

/** What a message says about its language: `follow` (sure enough to switch), `offer` (ask first), or nothing. */
export type LanguageHint = { lang: Lang; how: 'follow' | 'offer' } | undefined;

/**
 * The language `text` is written in, among `languages`, when it is not `current`. Arabic script
 * and clear English are followed; Darija in Latin letters is offered (the person may read Latin
 * letters better than Arabic script).
 */
export function languageOf(text: string, current: Lang, languages: readonly Lang[]): LanguageHint {
  const base = current.split('-')[0];
  const letters = text.replace(/[^\p{L}]/gu, '');
  const arabic = letters.replace(/[^\u0600-\u06FF]/g, '').length;
  if (languages.includes('ar') && base !== 'ar' && arabic >= 3 && arabic >= letters.length / 2) return { lang: 'ar', how: 'follow' };
  const words = normalize(text).split(' ');
  if (languages.includes('ar') && base !== 'ar' && words.some((w) => DARIJA.has(w))) return { lang: 'ar', how: 'offer' };
  if (letters.length < MIN_LETTERS || words.length < 3) return undefined;
  const only = languages.map((l) => l.split('-')[0] ?? l).filter((l, i, a) => a.indexOf(l) === i);
  const best = detectAll(text, { only })[0];
  if (!best || best.lang === base || !languages.includes(best.lang)) return undefined;
  if (best.accuracy < SURE && !littleWordsSay(words, best.lang, base ?? current)) return undefined;
  return { lang: best.lang, how: 'follow' };
}

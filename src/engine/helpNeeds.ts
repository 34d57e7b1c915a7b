/**
 * What a person says of the help they need from a place, read from their words with the lexicons'
 * `needs` (every language at once: people mix them): "je suis sourde", "je ne sais pas lire",
 * "I don't speak French", and whether they want someone to do the procedure for them ("qu'on le
 * fasse à ma place") or with them ("qu'on m'aide à le faire"). Whole words only, and a need said
 * in the negative ("je ne suis pas sourd") is no need.
 */
import { normalize } from './normalize';
import { HELP_NEEDS, type Catalog, type HelpNeed, type Lexicon } from './types';

/** What a text says: the needs, for-me or with-me, and the words left once those phrases are taken out. */
export interface NeedsReading {
  needs: HelpNeed[];
  /** true: do it for me; false: help me do it; absent: not said. */
  forMe?: boolean;
  /** The other words (normalised): "35000 je suis sourd" leaves "35000". */
  rest: string;
}

interface Phrase {
  words: string[];
  kind: HelpNeed | 'forMe' | 'withMe';
  negative: boolean;
}

const phrasesByCatalog = new WeakMap<object, Phrase[]>();

/** Every need phrase of every language, longest first (so "je ne sais pas lire" wins over "lire"). */
function phrasesOf(catalog: Catalog): { phrases: Phrase[]; negation: Set<string> } {
  let phrases = phrasesByCatalog.get(catalog.lexicons);
  const negation = new Set(Object.values(catalog.lexicons).flatMap((l: Lexicon) => (l.negation ?? []).map(normalize)));
  if (!phrases) {
    phrases = [];
    for (const lex of Object.values(catalog.lexicons)) {
      for (const kind of [...HELP_NEEDS, 'forMe', 'withMe'] as const) {
        for (const p of lex.needs?.[kind] ?? []) {
          const words = normalize(p).split(' ').filter(Boolean);
          if (words.length) phrases.push({ words, kind, negative: words.some((w) => negation.has(w)) });
        }
      }
    }
    phrases.sort((a, b) => b.words.length - a.words.length);
    phrasesByCatalog.set(catalog.lexicons, phrases);
  }
  return { phrases, negation };
}

/** Reads the needs said in `text` (nothing found: no needs, `rest` is the whole text normalised). */
export function readNeeds(catalog: Catalog, text: string): NeedsReading {
  const { phrases, negation } = phrasesOf(catalog);
  const words = normalize(text).split(' ').filter(Boolean);
  const taken = new Array<boolean>(words.length).fill(false);
  const needs: HelpNeed[] = [];
  let forMe: boolean | undefined;
  for (const phrase of phrases) {
    const n = phrase.words.length;
    for (let i = 0; i + n <= words.length; i++) {
      if (taken.slice(i, i + n).some(Boolean) || phrase.words.some((w, k) => words[i + k] !== w)) continue;
      for (let k = i; k < i + n; k++) taken[k] = true;
      // "pas sourd", "ne suis pas malvoyant": a negation just before a phrase that has none of its own.
      const before = words.slice(Math.max(0, i - 2), i);
      if (!phrase.negative && before.some((w) => negation.has(w))) continue;
      if (phrase.kind === 'forMe') forMe = true;
      else if (phrase.kind === 'withMe') forMe ??= false;
      else if (!needs.includes(phrase.kind)) needs.push(phrase.kind);
    }
  }
  const rest = words.filter((_, i) => !taken[i]).join(' ');
  return { needs: HELP_NEEDS.filter((n) => needs.includes(n)), ...(forMe !== undefined ? { forMe } : {}), rest };
}

/** Does the reading say anything about the help needed? */
export const saysNeeds = (r: NeedsReading) => r.needs.length > 0 || r.forMe !== undefined;

/**
 * Global intents (back, restart, help, language) and generic answer words, recognised from the
 * lexicons the caller loaded from `locales/<lng>/intents.json`. Intents are checked in every
 * language at once: a person switching to French mid-conversation still gets help.
 */
import { distance } from 'fastest-levenshtein';
import { containsPhrase, normalize } from './normalize';
import { languageChain } from './resolveText';
import type { Intent, Lang, Lexicon } from './types';

/** A lexicon with every list empty: the engine still works (buttons, numbers, labels) without one. */
export const EMPTY_LEXICON: Lexicon = { back: [], restart: [], help: [], done: [], cannot: [], yes: [], no: [], dontKnow: [], continueAlone: [], leave: [], languages: {}, negation: [], optionWords: [], ordinals: [] };

/** What a sentence asks for, and how surely: `exact` (the whole text), `contained` (a phrase inside it), `fuzzy` (a typo). */
export interface DetectedIntent {
  intent: Intent;
  lang?: Lang;
  strength: 'exact' | 'contained' | 'fuzzy';
  /** For `contained`: the phrase found, normalised, so that the rest of the sentence can be read on its own. */
  phrase?: string;
}

interface IntentEntry {
  phrase: string;
  intent: Intent;
  lang?: Lang;
}

interface IntentIndex {
  exact: Map<string, IntentEntry>;
  multi: IntentEntry[];
  /** Entries by phrase length: a typo changes the length by at most the allowed edits. */
  byLength: Map<number, IntentEntry[]>;
}

const intentIndexes = new WeakMap<object, IntentIndex>();

function buildIntentIndex(lexicons: Readonly<Record<Lang, Lexicon>>): IntentIndex {
  const entries: IntentEntry[] = [];
  const add = (list: string[] | undefined, intent: Intent, lang?: Lang) => {
    for (const raw of list ?? []) {
      const phrase = normalize(raw);
      if (phrase) entries.push(lang ? { phrase, intent, lang } : { phrase, intent });
    }
  };
  for (const lex of Object.values(lexicons)) {
    add(lex.help, 'help');
    add(lex.dontKnow, 'help');
    add(lex.back, 'back');
    add(lex.restart, 'restart');
    add(lex.leave, 'leave');
    for (const [lang, names] of Object.entries(lex.languages ?? {})) add(names, 'language', lang);
  }
  const exact = new Map<string, IntentEntry>();
  for (const e of entries) if (!exact.has(e.phrase)) exact.set(e.phrase, e);
  const multi = entries.filter((e) => e.phrase.includes(' ')).sort((a, b) => b.phrase.length - a.phrase.length);
  const byLength = new Map<number, IntentEntry[]>();
  for (const e of exact.values()) byLength.set(e.phrase.length, [...(byLength.get(e.phrase.length) ?? []), e]);
  return { exact, multi, byLength };
}

/**
 * Finds a global intent in what the person typed, or undefined. Single words must be the whole
 * message ("aide"), so that "aide au logement" is not a cry for help; phrases may be inside a
 * sentence ("je suis bloqué à l'étape 2"). Typos are tolerated on messages of 5+ letters: one edit
 * per 5 letters, at most 3 (edit distance on the whole message).
 */
export function detectIntent(text: string, lexicons: Readonly<Record<Lang, Lexicon>>): DetectedIntent | undefined {
  const norm = normalize(text);
  if (!norm) return undefined;
  let index = intentIndexes.get(lexicons);
  if (!index) {
    index = buildIntentIndex(lexicons);
    intentIndexes.set(lexicons, index);
  }
  const found = (e: IntentEntry, strength: DetectedIntent['strength']): DetectedIntent =>
    e.lang ? { intent: e.intent, lang: e.lang, strength } : { intent: e.intent, strength };
  const exact = index.exact.get(norm);
  if (exact) return found(exact, 'exact');
  const contained = index.multi.find((e) => containsPhrase(norm, e.phrase));
  if (contained) return { ...found(contained, 'contained'), phrase: contained.phrase };
  if (norm.length >= 5) {
    // A typo is a small edit distance on the whole message: one edit per 5 letters, at most 3.
    // (Whole-message distance, not fuse.js: fuse also matches inside longer phrases — "rien" in
    // "french" — and scanning the few same-length phrases is ~100× cheaper than a fuse search.)
    let best: { e: IntentEntry; d: number } | undefined;
    for (let len = norm.length - 3; len <= norm.length + 3; len++) {
      for (const e of index.byLength.get(len) ?? []) {
        const allowed = Math.min(3, Math.floor(Math.max(norm.length, len) / 5));
        if (Math.abs(len - norm.length) > allowed) continue;
        const d = distance(norm, e.phrase);
        if (d <= allowed && (!best || d < best.d)) best = { e, d };
      }
    }
    if (best) return found(best.e, 'fuzzy');
  }
  return undefined;
}

/**
 * The words to use in `lang` for generic answers (yes, no, done…): the language itself, its base
 * language, French, and English (widely typed by people whose language is not covered yet).
 */
export function lexiconFor(lexicons: Readonly<Record<Lang, Lexicon>> | undefined, lang: Lang): Lexicon {
  if (!lexicons) return EMPTY_LEXICON;
  let byLang = mergedLexicons.get(lexicons);
  if (!byLang) {
    byLang = new Map();
    mergedLexicons.set(lexicons, byLang);
  }
  let merged = byLang.get(lang);
  if (!merged) {
    merged = mergeLexicons(lexicons, lang);
    byLang.set(lang, merged);
  }
  return merged;
}

const mergedLexicons = new WeakMap<object, Map<Lang, Lexicon>>();

function mergeLexicons(lexicons: Readonly<Record<Lang, Lexicon>>, lang: Lang): Lexicon {
  // "fr+en+ar": every language named (see `anyLanguageLexicon`); else the language's own chain.
  const chain = lang.includes('+') ? lang.split('+') : [...languageChain(lang), 'en'];
  const merged: Required<Lexicon> = { back: [], restart: [], help: [], done: [], cannot: [], yes: [], no: [], dontKnow: [], continueAlone: [], leave: [], languages: {}, organisations: {}, synonyms: {}, needs: {}, negation: [], optionWords: [], ordinals: [], numbers: [], units: {}, below: [], above: [], orMore: [], orLess: [], spanJoin: [], dropped: [], contrast: [] };
  for (const l of chain) {
    const lex = lexicons[l];
    if (!lex) continue;
    for (const key of ['back', 'restart', 'help', 'done', 'cannot', 'yes', 'no', 'dontKnow', 'continueAlone', 'leave', 'negation', 'optionWords', 'below', 'above', 'orMore', 'orLess', 'spanJoin', 'dropped', 'contrast'] as const) {
      for (const w of lex[key] ?? []) if (!merged[key].includes(w)) merged[key].push(w);
    }
    for (const [k, names] of Object.entries(lex.languages ?? {})) merged.languages[k] = [...(merged.languages[k] ?? []), ...names];
    for (const field of ['organisations', 'synonyms', 'units'] as const) for (const [k, words] of Object.entries(lex[field] ?? {})) merged[field][k] = [...(merged[field][k] ?? []), ...words];
    for (const [k, words] of Object.entries(lex.needs ?? {}) as Array<[keyof typeof merged.needs, string[]]>) merged.needs[k] = [...(merged.needs[k] ?? []), ...words];
    // Option numbers in every language of the chain: "la deuxième" and "the second" are both option 2.
    for (const field of ['ordinals', 'numbers'] as const) {
      (lex[field] ?? []).forEach((words, i) => {
        const at = (merged[field][i] ??= []);
        for (const w of words) if (!at.includes(w)) at.push(w);
      });
    }
  }
  return merged;
}

/** Every language's words at once (yes, no…): for the engine's own questions, which a person answers in whatever language they write. */
export function anyLanguageLexicon(lexicons: Readonly<Record<Lang, Lexicon>>): Lexicon {
  const langs = Object.keys(lexicons);
  return langs.length ? lexiconFor(lexicons, langs.join('+')) : EMPTY_LEXICON;
}

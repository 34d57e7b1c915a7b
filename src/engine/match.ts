/**
 * Matching a typed answer to one of the current node's options, by meaning rather than by a shared
 * word. The index is scoped to the node (2–8 options) and memoised per node object, so a turn costs
 * microseconds however many flows exist.
 *
 * The ways of matching, tried in this order, each with its confidence (`OptionMatch.confidence`):
 *
 * | way | example | confidence |
 * | --- | --- | --- |
 * | the option's own label | "Oui, j'ai internet" | 1 |
 * | a synonym or lexicon word, the whole answer | "ouais", "7" (written by the flow's author) | 0.95 |
 * | "I don't know", when one option means it | "je sais pas" → "Je ne sais pas encore" | 0.9 |
 * | an option number: bare or "le 2", "numéro 2", "la deuxième", "2e", "the second", "الثاني" | "2" | 0.95 (0.7 for a bare digit when labels hold numbers) |
 * | a quantity inside the one option's span | "j'ai 23 ans" → "Moins de 25 ans" | 0.85 |
 * | a label or synonym inside a sentence | "oui j'ai déjà un compte" | 0.85 (0.65 if another option is named too) |
 * | the rest of an "I don't know" sentence names an option | "je sais pas quand le faire" → "Savoir quand le faire" | 0.8 (0.65 where an option means "I don't know") |
 * | two or more words of one option's alone, none of another's | "j'ai déjà fait ma demande" → "J'ai déjà fait la demande, je veux la suivre" | 0.8 |
 * | a typo (fuse.js) | "atestation de paiment" | 1 − 2 × share of wrong letters, at most 0.85 (0.65 if another option is close) |
 * | a negated sentence, when one option is the "no" side | "je n'ai pas de smartphone" → "Non, pas d'internet" | 0.6 |
 *
 * Before any of the sentence-level ways, two readings veto a wrong turn: an "I don't know" sentence
 * ("aucune idée", which contains the "no" word "aucune") is never an ordinary option, and a negated
 * sentence ("je n'ai pas internet", "ما عندي", "machi") never picks the "yes" side by a shared word.
 * What the engine does with a confidence is in `CONFIDENCE`.
 */
import { distance } from 'fastest-levenshtein';
import Fuse from 'fuse.js';
import { containsPhrase, normalize } from './normalize';
import type { Lexicon } from './types';

/**
 * What the engine does with a match, by confidence.
 * - `sure` (0.9): checked before global intents ("aide", "retour"), like a button click. Only the
 *   author's own words (labels, synonyms), option numbers and an offered "I don't know" option are
 *   this sure; a word inside a sentence is not, so "je veux revenir en arrière" is "back".
 * - `moveOn` (0.75): the engine moves on and says what it understood (unless the label was typed).
 *   A phrase inside a sentence (0.85) and a typo of one letter in eight or fewer pass.
 * - `ask` (0.45): between `ask` and `moveOn` the engine asks "Vous voulez dire : … ?": a typo of
 *   up to about one letter in four, a sentence naming two options, a bare number where the
 *   labels hold numbers ("1" at "Dans moins de 2 mois" may be a month), a negated sentence read as
 *   the "no" option. Below `ask` the answer is not understood: asking "did you mean X?" about a
 *   far-fetched X ("paiement" and "exactement" share five letters) would only confuse.
 */
export const CONFIDENCE = { sure: 0.9, moveOn: 0.75, ask: 0.45 } as const;

/** One answer the person may give: its stable value and every phrase that means it. */
export interface MatchOption {
  value: string;
  phrases: string[];
  /** Which of `phrases` are the option's own labels: typed exactly, they need no echo. */
  labels?: string[];
  /** The option is the "yes" or the "no" side of the question: a negated sentence never picks `yes`. */
  side?: 'yes' | 'no';
}

/** The lexicon's words that change how an answer reads, normalised once per lexicon object. */
interface AnswerWords {
  negation: string[];
  dontKnow: string[];
  fillers: Set<string>;
  /** Ordinal word → option number (1-based). */
  ordinals: Map<string, number>;
  /** Unit word → unit ("ans" → "year"). */
  units: Map<string, string>;
  /** Number word → number ("trois" → 3). */
  numbers: Map<string, number>;
  below: string[];
  above: string[];
  orMore: string[];
  orLess: string[];
  spanJoin: Set<string>;
  dropped: Set<string>;
  contrast: string[];
}

/** The quantities an option's label covers: "Moins de 25 ans" is every year below 25. */
interface Span {
  option: number;
  unit: string;
  min: number;
  max: number;
  /** Whether `min` and `max` themselves belong to the span ("25 ans ou plus" holds 25, "plus de 4 mois" not 4). */
  minIn: boolean;
  maxIn: boolean;
}

/** A node's options, ready to match. */
export interface OptionIndex {
  values: string[];
  exact: Map<string, number>;
  /** Normalised labels (an exact match on one needs no echo). */
  labels: Set<string>;
  phrases: Array<{ norm: string; option: number }>;
  sides: Array<'yes' | 'no' | undefined>;
  /** The one option that means "I don't know" (its label or a synonym says so), if exactly one does. */
  dontKnowOption?: number;
  /** Some label holds a number ("Dans 2 à 4 mois"): a bare number may then be a quantity, not an option. */
  digitsInLabels: boolean;
  /** The spans of quantities the options' phrases cover, if any. */
  spans: Span[];
  words?: AnswerWords;
  /**
   * Fuzzy searchers by shortest phrase kept (see `fuzzySearch`), built on first use. `0` holds
   * every phrase; `bounded: false` always uses it (tests compare both).
   */
  fuzzy: Map<number, Fuse<{ norm: string; option: number }>>;
  bounded: boolean;
  /** Words that belong to one option only (see `ownWords`), built on first use. */
  ownWords?: Map<string, number>;
}

const FUSE_OPTIONS = { keys: ['norm'], includeScore: true, threshold: 0.4, ignoreLocation: true };
/** fuse.js cuts the typed text in chunks of at most this many characters (its Bitap word size). */
const FUSE_CHUNK = 32;

/**
 * Fuzzy matches of `norm` among the index's phrases, best first. fuse.js scores a match of the
 * typed text (each chunk of at most 32 characters) against a phrase as errors / chunk length, and
 * each character the phrase lacks to cover the chunk is an error: a phrase shorter than 60 % of a
 * chunk can never score the 0.4 that makes a match. Such phrases are left out of the search, which
 * returns exactly the same results (scores do not depend on other phrases; order is kept) at a
 * fraction of the cost for a sentence typed at a question whose answers are short ("oui", "non" and
 * their synonyms) — the costliest part of a turn otherwise.
 */
function fuzzySearch(index: OptionIndex, norm: string) {
  const shortest = index.bounded ? Math.max(0, Math.floor(0.6 * Math.min(norm.length, FUSE_CHUNK)) - 1) : 0;
  let fuse = index.fuzzy.get(shortest);
  if (!fuse) {
    fuse = new Fuse(shortest === 0 ? index.phrases : index.phrases.filter((p) => p.norm.length >= shortest), FUSE_OPTIONS);
    index.fuzzy.set(shortest, fuse);
  }
  return fuse.search(norm, { limit: 8 });
}

const wordsByLexicon = new WeakMap<Lexicon, AnswerWords>();

function answerWords(lexicon: Lexicon): AnswerWords {
  let w = wordsByLexicon.get(lexicon);
  if (!w) {
    const norms = (list: string[] | undefined) => [...new Set((list ?? []).map(normalize).filter(Boolean))];
    const ordinals = new Map<string, number>();
    (lexicon.ordinals ?? []).forEach((list, i) => {
      for (const o of norms(list)) if (!ordinals.has(o)) ordinals.set(o, i + 1);
    });
    const numbers = new Map<string, number>();
    (lexicon.numbers ?? []).forEach((list, i) => {
      for (const n of norms(list)) if (!numbers.has(n)) numbers.set(n, i + 1);
    });
    const units = new Map<string, string>();
    for (const [unit, list] of Object.entries(lexicon.units ?? {})) for (const u of norms(list)) units.set(u, unit);
    w = {
      negation: norms(lexicon.negation),
      dontKnow: norms(lexicon.dontKnow),
      fillers: new Set(norms(lexicon.optionWords).flatMap((f) => f.split(' '))),
      ordinals,
      units,
      numbers,
      below: norms(lexicon.below),
      above: norms(lexicon.above),
      orMore: norms(lexicon.orMore),
      orLess: norms(lexicon.orLess),
      spanJoin: new Set(norms(lexicon.spanJoin)),
      dropped: new Set(norms(lexicon.dropped)),
      contrast: norms(lexicon.contrast),
    };
    wordsByLexicon.set(lexicon, w);
  }
  return w;
}

/**
 * True when a normalised text is negated by one of the lexicon's negation words ("pas", "jamais",
 * "n", "not", "don t", "لا", "machi"), as a whole word or phrase.
 */
export function isNegated(norm: string, lexicon: Lexicon | undefined): boolean {
  return lexicon ? answerWords(lexicon).negation.some((p) => containsPhrase(norm, p)) : false;
}

/** True when a normalised text says "I don't know" in one of the lexicon's forms ("aucune idée", "jsp"). */
export function saysDontKnow(norm: string, lexicon: Lexicon | undefined): boolean {
  return lexicon ? answerWords(lexicon).dontKnow.some((p) => containsPhrase(norm, p)) : false;
}

const indexes = new WeakMap<object, Map<string, { index: OptionIndex; lexicon: Lexicon | undefined }>>();

/**
 * The option index for `owner` (a node object) in one variant (usually the language), built by
 * `build` the first time. Flows are immutable once loaded: a reloaded flow has new node objects,
 * so stale indexes are simply garbage-collected with the old ones. `lexicon` (the variant's words)
 * adds negations, "I don't know" forms and option-number words; another lexicon object (a catalog
 * built again) builds the index again.
 */
export function optionIndex(owner: object, variant: string, build: () => MatchOption[], lexicon?: Lexicon): OptionIndex {
  let byVariant = indexes.get(owner);
  if (!byVariant) {
    byVariant = new Map();
    indexes.set(owner, byVariant);
  }
  let entry = byVariant.get(variant);
  if (!entry || entry.lexicon !== lexicon) {
    entry = { index: buildOptionIndex(build(), lexicon), lexicon };
    byVariant.set(variant, entry);
  }
  return entry.index;
}

/** Builds an index without memoising it (for one-off option lists). */
export function buildOptionIndex(options: MatchOption[], lexicon?: Lexicon): OptionIndex {
  const exact = new Map<string, number>();
  const labels = new Set<string>();
  const phrases: Array<{ norm: string; option: number }> = [];
  const words = lexicon ? answerWords(lexicon) : undefined;
  const dontKnow: number[] = [];
  const spans: Span[] = [];
  let digitsInLabels = false;
  options.forEach((o, i) => {
    for (const p of o.phrases) {
      const norm = normalize(p);
      if (!norm) continue;
      if (!exact.has(norm)) exact.set(norm, i);
      phrases.push({ norm, option: i });
      // "Je ne travaille pas" is also typed "je travaille pas".
      const spoken = words?.dropped.size ? norm.split(' ').filter((w) => !words.dropped.has(w)).join(' ') : norm;
      if (spoken && spoken !== norm) {
        if (!exact.has(spoken)) exact.set(spoken, i);
        phrases.push({ norm: spoken, option: i });
      }
      if (words && /\d/.test(norm)) spans.push(...spansOf(norm, words, i));
      if (words?.dontKnow.some((d) => containsPhrase(norm, d)) && !dontKnow.includes(i)) dontKnow.push(i);
    }
    for (const l of o.labels ?? []) {
      const norm = normalize(l);
      if (!norm) continue;
      labels.add(norm);
      if (/\d/.test(norm)) digitsInLabels = true;
    }
  });
  const index: OptionIndex = {
    values: options.map((o) => o.value),
    exact,
    labels,
    phrases,
    sides: options.map((o) => o.side),
    digitsInLabels,
    spans,
    fuzzy: new Map(),
    bounded: true,
  };
  if (dontKnow.length === 1) index.dontKnowOption = dontKnow[0] as number;
  if (words) index.words = words;
  return index;
}

/** How an answer was recognised (see the table at the top of this file). */
export interface OptionMatch {
  value: string;
  index: number;
  how: 'exact' | 'dontKnow' | 'number' | 'quantity' | 'contained' | 'asked' | 'words' | 'fuzzy' | 'negation';
  /** How sure, from 0 to 1; what the engine does with it is in `CONFIDENCE`. */
  confidence: number;
  /** The answer was the option's own label, typed exactly (nothing to echo). */
  label?: true;
  /** For `exact`, `contained` and `asked`: the label or synonym found in the answer, normalised. */
  phrase?: string;
}

/** A digit with an ordinal ending: "2e", "2eme", "2ème", "1er", "2nd", "3rd", "4th". */
const DIGIT_ORDINAL = /^(\d{1,2})(?:e|er|ere|re|eme|em|ieme|iem|nd|nde|st|rd|th)$/;

/**
 * The option number an answer names, if it is nothing but that: a bare number ("2", "٢" — `normalize` reads Arabic digits), or a
 * number or an ordinal surrounded only by the lexicon's option words ("le 2", "la 2", "numéro 2",
 * "n°2", "2e", "la deuxième", "the second one", "number 2", "رقم 2", "الثاني"). A number inside a
 * real sentence ("j'ai 2 enfants", "j'ai un portable") is not an option number. `ordinal` tells
 * ordinals (always positional) from digits, which may also be quantities.
 */
function optionNumber(norm: string, words: AnswerWords | undefined): { n: number; ordinal: boolean } | undefined {
  const tokens = norm.split(' ');
  // Without a lexicon, the forms every version of Ariane understood: "2", "n 2", "no 2", "n2".
  if (!words) {
    const m = /^(?:n ?|no ?)?(\d{1,2})$/.exec(tokens.join(' '));
    return m ? { n: Number(m[1]), ordinal: false } : undefined;
  }
  let found: { n: number; ordinal: boolean } | undefined;
  // "la 2", "numéro 2", "je prends le 2": a number said with option words points at a button, it is not a quantity.
  const pointed = tokens.length > 1;
  for (const t of tokens) {
    let here: { n: number; ordinal: boolean } | undefined;
    const digits = /^(?:n|no)?(\d{1,2})$/.exec(t);
    const suffixed = DIGIT_ORDINAL.exec(t);
    if (digits) here = { n: Number(digits[1]), ordinal: pointed };
    else if (suffixed) here = { n: Number(suffixed[1]), ordinal: true };
    else if (words.ordinals.has(t)) here = { n: words.ordinals.get(t) as number, ordinal: true };
    if (here) {
      if (found && found.n !== here.n) return undefined; // "le 2 ou le 3": not one option.
      found = here;
    } else if (!words.fillers.has(t)) return undefined;
  }
  return found;
}

/** A number and its unit in a list of words at `i`: "23 ans", or glued, "23ans". */
function quantityAt(tokens: string[], i: number, words: AnswerWords): { n: number; unit: string; length: number } | undefined {
  const t = tokens[i] ?? '';
  const glued = /^(\d{1,4})(\p{L}+)$/u.exec(t);
  if (glued) {
    const unit = words.units.get(glued[2] as string);
    return unit ? { n: Number(glued[1]), unit, length: 1 } : undefined;
  }
  const n = /^\d{1,4}$/.test(t) ? Number(t) : words.numbers.get(t);
  if (n === undefined) return undefined;
  const unit = words.units.get(tokens[i + 1] ?? '');
  return unit ? { n, unit, length: 2 } : undefined;
}

const endsWith = (tokens: string[], end: number, phrases: string[]) => phrases.some((p) => ` ${tokens.slice(0, end).join(' ')}`.endsWith(` ${p}`));
const startsWith = (tokens: string[], start: number, phrases: string[]) => phrases.some((p) => `${tokens.slice(start).join(' ')} `.startsWith(`${p} `));

/**
 * The spans of quantities a label states: "moins de 25 ans", "plus de 4 mois", "25 ans ou plus",
 * "2 à 4 mois" ("entre 2 et 4 mois"). A quantity without such words ("13 chiffres") is no span.
 */
function spansOf(norm: string, words: AnswerWords, option: number): Span[] {
  const tokens = norm.split(' ');
  const out: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const lower = tokens[i] ?? '';
    if (/^\d{1,4}$/.test(lower) && words.spanJoin.has(tokens[i + 1] ?? '')) {
      const upper = quantityAt(tokens, i + 2, words);
      if (upper) {
        out.push({ option, unit: upper.unit, min: Number(lower), max: upper.n, minIn: true, maxIn: true });
        i += 1 + upper.length;
        continue;
      }
    }
    const q = quantityAt(tokens, i, words);
    if (!q) continue;
    const after = i + q.length;
    if (endsWith(tokens, i, words.below)) out.push({ option, unit: q.unit, min: -Infinity, max: q.n, minIn: false, maxIn: false });
    else if (endsWith(tokens, i, words.above)) out.push({ option, unit: q.unit, min: q.n, max: Infinity, minIn: false, maxIn: false });
    else if (startsWith(tokens, after, words.orMore)) out.push({ option, unit: q.unit, min: q.n, max: Infinity, minIn: true, maxIn: false });
    else if (startsWith(tokens, after, words.orLess)) out.push({ option, unit: q.unit, min: -Infinity, max: q.n, minIn: false, maxIn: true });
  }
  return out;
}

/**
 * The one quantity an answer states ("j'ai 23 ans", "dans 3 mois"), if it states exactly one and
 * bounds it with nothing: "plus de 25 ans" is the author's words, matched as a phrase.
 */
function quantityOf(norm: string, words: AnswerWords): { n: number; unit: string } | undefined {
  if ([...words.below, ...words.above, ...words.orMore, ...words.orLess].some((p) => containsPhrase(norm, p))) return undefined;
  const tokens = norm.split(' ');
  let found: { n: number; unit: string } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const q = quantityAt(tokens, i, words);
    if (!q) continue;
    if (found && (found.n !== q.n || found.unit !== q.unit)) return undefined;
    found = { n: q.n, unit: q.unit };
  }
  return found;
}

const inSpan = (n: number, s: Span) => (s.minIn ? n >= s.min : n > s.min) && (s.maxIn ? n <= s.max : n < s.max);

/** The parts of an answer, normalised: cut at punctuation and at the lexicon's contrast words ("mais", "but"). */
function clausesOf(text: string, words: AnswerWords | undefined): string[] {
  const parts = text.split(/[,.;:!?()\n،؛؟]+/).map(normalize).filter(Boolean);
  if (!words?.contrast.length) return parts;
  return parts.flatMap((part) => {
    let pieces = [part];
    for (const c of words.contrast) pieces = pieces.flatMap((piece) => ` ${piece} `.split(` ${c} `).map((x) => x.trim()));
    return pieces.filter(Boolean);
  });
}

const isNegatedBy = (norm: string, words: AnswerWords | undefined) => (words ? words.negation.some((p) => containsPhrase(norm, p)) : false);

/** A normalised text with every occurrence of the phrases taken out (phrases may be several words: "don t"). */
function withoutPhrases(norm: string, phrases: string[]): string {
  let rest = ` ${norm} `;
  for (const p of phrases) while (rest.includes(` ${p} `)) rest = rest.replace(` ${p} `, ' ');
  return rest.trim();
}

/** A word of three letters or more that is neither a negation nor an option word ("je", "le"). */
function hasContentWord(norm: string, words: AnswerWords | undefined): boolean {
  if (!words) return true;
  return withoutPhrases(norm, words.negation).split(' ').some((w) => w.length >= 3 && !words.fillers.has(w));
}

const withPhrase = (m: OptionMatch | undefined, phrase: string): OptionMatch | undefined => (m ? { ...m, phrase } : m);

/** A phrase that means something only as the whole answer: a number, or a word of one or two letters ("un", "si", "la"). */
const wholeAnswerOnly = (norm: string) => !norm.includes(' ') && (norm.length <= 2 || /^\d+$/.test(norm));

/**
 * Finds the option meant by `text`, or undefined, with how surely (see `CONFIDENCE` and the table at
 * the top of this file). With `strict`, only answers at least `CONFIDENCE.sure` count, which lets
 * callers check global intents in between. Fuzzy matches equally close to two options return
 * undefined: asking again is better than guessing wrong.
 */
export function matchOption(index: OptionIndex, text: string, strict = false): OptionMatch | undefined {
  const norm = normalize(text);
  if (!norm) return undefined;
  const at = (i: number, how: OptionMatch['how'], confidence: number): OptionMatch | undefined =>
    strict && confidence < CONFIDENCE.sure ? undefined : { value: index.values[i] as string, index: i, how, confidence };
  const words = index.words;

  // 1. The author's own words, as the whole answer: a label ("Non"), a synonym ("7" where the
  //    question asks which digit a number starts with), a lexicon word ("ouais").
  const exact = index.exact.get(norm);
  if (exact !== undefined) {
    const label = index.labels.has(norm);
    return label ? { value: index.values[exact] as string, index: exact, how: 'exact', confidence: 1, label: true, phrase: norm } : withPhrase(at(exact, 'exact', 0.95), norm);
  }

  // 2. "I don't know" is an answer only where one option means it; it never falls to a shared word
  //    ("aucune idée" is not "aucune"). But "je sais pas quand il faut le faire" asks to know when:
  //    an option named in the rest of the sentence is what the person wants to know.
  if (words?.dontKnow.some((d) => containsPhrase(norm, d))) {
    const asked = strict ? undefined : askedAbout(index, norm, words);
    if (asked) return withPhrase(at(asked.option, 'asked', index.dontKnowOption !== undefined ? 0.65 : 0.8), asked.norm);
    return index.dontKnowOption !== undefined ? at(index.dontKnowOption, 'dontKnow', 0.9) : undefined;
  }

  // 3. An option number. A bare digit is the option number, even where labels hold digits: the
  //    buttons are numbered for the person, and people who cannot read the labels type the number.
  //    When a label holds numbers ("Dans 2 à 4 mois") the digit might be a quantity, so the engine
  //    asks first; where the author meant the digit itself, they wrote it as a synonym (step 1).
  //    A number that names no option ("le 5" of three) is a number, never a phrase to match.
  const num = optionNumber(norm, words);
  if (num) {
    if (num.n < 1 || num.n > index.values.length) return undefined;
    return at(num.n - 1, 'number', !num.ordinal && index.digitsInLabels ? 0.7 : 0.95);
  }
  if (strict) return undefined;

  // 4. A quantity where the options are spans of it: "j'ai 23 ans" at "Moins de 25 ans / 25 ans ou
  //    plus". Before the phrases: "23 ans" is one letter from the synonym "25 ans".
  const quantity = words && index.spans.length ? quantityOf(norm, words) : undefined;
  if (quantity) {
    const holding = new Set(index.spans.filter((sp) => sp.unit === quantity.unit && inSpan(quantity.n, sp)).map((sp) => sp.option));
    if (holding.size === 1) return at([...holding][0] as number, 'quantity', 0.85);
  }

  // A negated sentence never picks the "yes" side by a word it shares with it.
  const negated = isNegatedBy(norm, words);
  // "je déménage pas, c'est mon travail qui a changé": a negation denies its own part of the sentence only.
  const parts = clausesOf(text, words);
  const denied = (phrase: string) => {
    const holding = parts.filter((c) => containsPhrase(c, phrase));
    return parts.length > 1 && holding.length > 0 && holding.every((c) => isNegatedBy(c, words)) && !isNegatedBy(phrase, words);
  };
  const negatedAround = (phrase: string) => (parts.length > 1 ? parts.some((c) => containsPhrase(c, phrase) && isNegatedBy(c, words)) : negated);
  const allowed = (option: number) => !(negated && index.sides[option] === 'yes');

  // 5. A label or synonym inside a longer sentence: "oui j'ai deja un compte". The longest wins.
  let best: { norm: string; option: number } | undefined;
  let tie = false;
  const found: Array<{ norm: string; option: number }> = [];
  const contained = index.phrases.filter((p) => !wholeAnswerOnly(p.norm) && containsPhrase(norm, p.norm));
  // Phrases in a denied part are not chosen, unless every phrase found is.
  const kept = contained.filter((p) => !denied(p.norm));
  for (const p of kept.length ? kept : contained) {
    found.push(p);
    if (!allowed(p.option)) continue;
    if (!best || p.norm.length > best.norm.length) {
      tie = best !== undefined && best.option !== p.option && p.norm.length - best.norm.length < 3;
      best = p;
    } else if (p.option !== best.option && best.norm.length - p.norm.length < 3) {
      tie = true;
    }
  }
  if (best && !tie) {
    // Another option named elsewhere in the sentence (not inside the phrase found: "ordi" in "pas
    // d'ordi") makes it unsure — a "yes" phrase in a negated sentence too: "j'ai pas d'ordi mais
    // j'ai un téléphone". So does a negation outside the phrase found: "pas encore" may deny the
    // choice whose synonym is "encore".
    const chosen = best;
    const rival = found.some((p) => p.option !== chosen.option && !containsPhrase(chosen.norm, p.norm));
    return withPhrase(at(chosen.option, 'contained', rival || (negatedAround(chosen.norm) && !isNegatedBy(chosen.norm, words)) ? 0.65 : 0.85), chosen.norm);
  }

  // 6. Most of one option's own words, said otherwise: "j'ai déjà fait ma demande, je veux savoir
  //    où elle en est" is "J'ai déjà fait la demande, je veux la suivre" (déjà, fait, demande are
  //    that option's alone). Words every option has ("je veux") say nothing.
  if (!negated) {
    const said = ownWordsSaid(index, norm, words);
    if (said !== undefined && allowed(said)) return at(said, 'words', 0.8);
  }

  // 7. A typo of a label or synonym, if the answer has a word of its own: "je n'ai pas" alone is
  //    not a typo of "Je n'ai pas de numéro fiscal".
  const fuzzy = hasContentWord(norm, words) ? fuzzyMatch(index, norm, allowed, negated ? words : undefined) : undefined;
  // 8. A negated sentence and one option on the "no" side: probably that one, but ask.
  const noSide = index.sides.flatMap((s, i) => (s === 'no' ? [i] : []));
  if (negated && noSide.length === 1 && (!fuzzy || fuzzy.confidence < 0.6)) return at(noSide[0] as number, 'negation', 0.6);
  return fuzzy ? at(fuzzy.option, 'fuzzy', fuzzy.confidence) : undefined;
}

/** The words of an answer or a phrase that can tell options apart: three letters or more, no option word, no negation. */
function meaningfulWords(norm: string, words: AnswerWords | undefined): string[] {
  const negations = new Set(words?.negation ?? []);
  return norm.split(' ').filter((w) => w.length >= 3 && !words?.fillers.has(w) && !negations.has(w));
}

/** Each word that belongs to the phrases of one option only, with that option (built on first use). */
function ownWords(index: OptionIndex): Map<string, number> {
  if (index.ownWords) return index.ownWords;
  const byWord = new Map<string, Set<number>>();
  for (const p of index.phrases) for (const w of meaningfulWords(p.norm, index.words)) byWord.set(w, (byWord.get(w) ?? new Set()).add(p.option));
  const own = new Map<string, number>();
  for (const [w, options] of byWord) if (options.size === 1) own.set(w, [...options][0] as number);
  index.ownWords = own;
  return own;
}

/**
 * The one option at least two of whose own words (see `ownWords`) the answer says, when the answer
 * says no other option's own word; undefined otherwise. One shared word is not enough: that is what
 * a synonym is for, and a single word shared by chance is how answers used to be misread.
 */
function ownWordsSaid(index: OptionIndex, norm: string, words: AnswerWords | undefined): number | undefined {
  const own = ownWords(index);
  const count = new Map<number, number>();
  for (const w of new Set(meaningfulWords(norm, words))) {
    const option = own.get(w);
    if (option !== undefined) count.set(option, (count.get(option) ?? 0) + 1);
  }
  if (count.size !== 1) return undefined;
  const [option, n] = [...count][0] as [number, number];
  return n >= 2 ? option : undefined;
}

/**
 * The one option, on neither the "yes" nor the "no" side, whose phrase the rest of an "I don't
 * know" sentence holds ("je sais pas quand il faut le faire" → "quand"), unless that rest is negated
 * ("je sais pas, j'ai pas de compte" is no wish to know).
 */
function askedAbout(index: OptionIndex, norm: string, words: AnswerWords): { option: number; norm: string } | undefined {
  const rest = withoutPhrases(norm, words.dontKnow);
  if (!rest || isNegatedBy(rest, words)) return undefined;
  const named = index.phrases.filter((p) => !wholeAnswerOnly(p.norm) && index.sides[p.option] === undefined && p.option !== index.dontKnowOption && containsPhrase(rest, p.norm));
  return new Set(named.map((p) => p.option)).size === 1 ? named.reduce((a, b) => (b.norm.length > a.norm.length ? b : a)) : undefined;
}

/**
 * The share of typed characters that are wrong in a fuse.js match: fuse.js raises its error rate to
 * the power 1/√(words in the phrase) (its field-length norm, which ranks matches in short phrases
 * first); undoing that gives a figure that means the same for every phrase ("cest fai" for
 * "c'est fait": one slip in eight, 0.125).
 */
function errorRate(score: number, phrase: string): number {
  const norm = Math.round(1000 / Math.sqrt(phrase.split(' ').length)) / 1000;
  return score ** (1 / norm);
}

/**
 * The share of wrong letters between one typed word and the closest word of a phrase (Levenshtein
 * distance over the longer length): fuse.js also matches inside words ("paiement" in
 * "déménagement", two letters off over "nagement"), which says nothing when one word was typed.
 */
function wordErrorRate(word: string, phrase: string): number {
  let best = 1;
  for (const w of phrase.split(' ')) best = Math.min(best, distance(word, w) / Math.max(word.length, w.length));
  return best;
}

/**
 * The closest option by fuse.js among the allowed ones, with its confidence: 1 − 2 × error rate,
 * at most 0.85 (a typed word found inside a longer phrase is worth a phrase found in a sentence).
 * One slip in eight letters (0.75) moves on; up to one in four (0.5) asks; more is not understood.
 * The ranking and the cut-offs on fuse.js's own score are those every version of Ariane used.
 * `negatedBy`: the answer is negated, so a phrase that is not may be denied by it (ask at most).
 */
function fuzzyMatch(index: OptionIndex, norm: string, allowed: (option: number) => boolean, negatedBy?: AnswerWords): { option: number; confidence: number } | undefined {
  const results = fuzzySearch(index, norm).filter((r) => allowed(r.item.option));
  const best = results[0];
  const score = best?.score ?? 1;
  if (!best || score > 0.4) return undefined;
  // Very short typed words match almost anything loosely: demand a close match.
  if (norm.length <= 3 && score > 0.2) return undefined;
  const oneWord = !norm.includes(' ');
  const errors = (r: (typeof results)[number]) => (oneWord ? wordErrorRate(norm, r.item.norm) : errorRate(r.score ?? 1, r.item.norm));
  let confidence = Math.min(0.85, 1 - 2 * errors(best));
  const rival = results.find((r) => r.item.option !== best.item.option);
  if (rival) {
    if ((rival.score ?? 1) - score < 0.05) return undefined;
    // Another option nearly as close: ask rather than guess.
    if (errors(rival) - errors(best) < 0.1) confidence = Math.min(confidence, 0.65);
  }
  if (negatedBy && !isNegatedBy(best.item.norm, negatedBy)) confidence = Math.min(confidence, 0.65);
  return { option: best.item.option, confidence };
}

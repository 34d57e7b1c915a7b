/**
 * Matching a typed answer to one of the current node's options. The index is scoped to the node
 * (2–8 options) and memoised per node object, so a turn costs microseconds however many flows exist.
 */
import Fuse from 'fuse.js';
import { containsPhrase, normalize } from './normalize';

/** One answer the person may give: its stable value and every phrase that means it. */
export interface MatchOption {
  value: string;
  phrases: string[];
}

/** A node's options, ready to match. */
export interface OptionIndex {
  values: string[];
  exact: Map<string, number>;
  phrases: Array<{ norm: string; option: number }>;
  /**
   * Fuzzy searchers by shortest phrase kept (see `fuzzySearch`), built on first use. `0` holds
   * every phrase; `bounded: false` always uses it (tests compare both).
   */
  fuzzy: Map<number, Fuse<{ norm: string; option: number }>>;
  bounded: boolean;
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

const indexes = new WeakMap<object, Map<string, OptionIndex>>();

/**
 * The option index for `owner` (a node object) in one variant (usually the language), built by
 * `build` the first time. Flows are immutable once loaded: a reloaded flow has new node objects,
 * so stale indexes are simply garbage-collected with the old ones.
 */
export function optionIndex(owner: object, variant: string, build: () => MatchOption[]): OptionIndex {
  let byVariant = indexes.get(owner);
  if (!byVariant) {
    byVariant = new Map();
    indexes.set(owner, byVariant);
  }
  let index = byVariant.get(variant);
  if (!index) {
    index = buildOptionIndex(build());
    byVariant.set(variant, index);
  }
  return index;
}

/** Builds an index without memoising it (for one-off option lists). */
export function buildOptionIndex(options: MatchOption[]): OptionIndex {
  const exact = new Map<string, number>();
  const phrases: Array<{ norm: string; option: number }> = [];
  options.forEach((o, i) => {
    for (const p of o.phrases) {
      const norm = normalize(p);
      if (!norm) continue;
      if (!exact.has(norm)) exact.set(norm, i);
      phrases.push({ norm, option: i });
    }
  });
  return { values: options.map((o) => o.value), exact, phrases, fuzzy: new Map(), bounded: true };
}

/** How an answer was recognised; `exact` covers button values, labels and numbers. */
export interface OptionMatch {
  value: string;
  index: number;
  how: 'exact' | 'number' | 'contained' | 'fuzzy';
}

/**
 * Finds the option meant by `text`, or undefined. With `strict`, only sure matches count (the exact
 * label or synonym, or the option's number), which lets callers check global intents in between.
 * Ambiguous fuzzy matches (two options about as close) return undefined: asking again is better
 * than guessing wrong.
 */
export function matchOption(index: OptionIndex, text: string, strict = false): OptionMatch | undefined {
  const norm = normalize(text);
  if (!norm) return undefined;
  const at = (i: number, how: OptionMatch['how']): OptionMatch => ({ value: index.values[i] as string, index: i, how });
  const exact = index.exact.get(norm);
  if (exact !== undefined) return at(exact, 'exact');
  const num = /^(?:n ?|no ?|#)?(\d{1,2})$/.exec(norm);
  if (num) {
    const n = Number(num[1]);
    if (n >= 1 && n <= index.values.length) return at(n - 1, 'number');
  }
  if (strict) return undefined;
  // A label or synonym inside a longer sentence: "oui j'ai deja un compte".
  let bestLen = 0;
  let bestOption = -1;
  let tie = false;
  for (const p of index.phrases) {
    if (p.norm.length < 2 || !containsPhrase(norm, p.norm)) continue;
    if (p.norm.length > bestLen) {
      tie = bestOption !== -1 && bestOption !== p.option && p.norm.length - bestLen < 3;
      bestLen = p.norm.length;
      bestOption = p.option;
    } else if (p.option !== bestOption && bestLen - p.norm.length < 3) {
      tie = true;
    }
  }
  if (bestOption >= 0 && !tie) return at(bestOption, 'contained');
  const results = fuzzySearch(index, norm);
  const best = results[0];
  if (!best || (best.score ?? 1) > 0.4) return undefined;
  const rival = results.find((r) => r.item.option !== best.item.option);
  if (rival && (rival.score ?? 1) - (best.score ?? 0) < 0.05) return undefined;
  // Very short typed words match almost anything loosely: demand a close match.
  if (norm.length <= 3 && (best.score ?? 1) > 0.2) return undefined;
  return at(best.item.option, 'fuzzy');
}

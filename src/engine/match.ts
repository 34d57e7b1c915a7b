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
  fuse: Fuse<{ norm: string; option: number }>;
  /** Length of the longest normalised phrase (see `matchOption`: it bounds what fuzzy matching can find). */
  longest: number;
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
  const fuse = new Fuse(phrases, { keys: ['norm'], includeScore: true, threshold: 0.4, ignoreLocation: true });
  return { values: options.map((o) => o.value), exact, phrases, fuse, longest: phrases.reduce((n, p) => Math.max(n, p.norm.length), 0) };
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
  // Fuse scores the typed text, cut in chunks of at most 32 characters, as errors / chunk length,
  // and every character a phrase lacks to cover a chunk is an error. When all phrases are shorter
  // than 60 % of a chunk, no phrase can score the 0.4 accepted below: skip the search, which is the
  // costliest part of a turn for a sentence typed at a yes/no question (same answer, less work).
  if (index.longest < 0.6 * Math.min(norm.length, 32) - 1) return undefined;
  const results = index.fuse.search(norm, { limit: 8 });
  const best = results[0];
  if (!best || (best.score ?? 1) > 0.4) return undefined;
  const rival = results.find((r) => r.item.option !== best.item.option);
  if (rival && (rival.score ?? 1) - (best.score ?? 0) < 0.05) return undefined;
  // Very short typed words match almost anything loosely: demand a close match.
  if (norm.length <= 3 && (best.score ?? 1) > 0.2) return undefined;
  return at(best.item.option, 'fuzzy');
}

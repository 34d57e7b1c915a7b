import { distance } from 'fastest-levenshtein';
import { foldAccents } from '../engine';

/**
 * The candidate closest to a misspelt word, or undefined when nothing is close enough to be a
 * plausible typo (a wild guess is worse than no hint). Case and accents are ignored.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const norm = foldAccents;
  const w = norm(word);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(w, norm(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  // About one typo per three letters, at least one: "nxt" → "next", "choises" → "choices", but "en" ↛ "fr".
  const allowed = Math.max(1, Math.floor(Math.max(w.length, best.length) / 3));
  // Same word up to case or accents is the best hint of all (« Oui » → « oui »); the word itself is none.
  return bestDistance <= allowed && best !== word ? best : undefined;
}

/** « a », « b » et « c » — for listing allowed values in French messages. */
export function quoteList(values: readonly string[], max = 12): string {
  const shown = values.slice(0, max).map((v) => `« ${v} »`);
  const more = values.length > max ? `, …` : '';
  if (shown.length <= 1) return shown.join('') + more;
  return `${shown.slice(0, -1).join(', ')} ou ${shown[shown.length - 1]}${more}`;
}

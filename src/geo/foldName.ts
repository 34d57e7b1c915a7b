import { foldAccents } from '../engine';

/**
 * The comparable form of a commune name as people type it: no case, no accents, no punctuation,
 * and the usual abbreviations spelled out ("st" → "saint", "ste" → "sainte", "s/" → "sur").
 */
const ABBREVIATIONS = new Map([
  ['st', 'saint'],
  ['ste', 'sainte'],
  ['sts', 'saints'],
  ['stes', 'saintes'],
  ['s', 'sur'],
  ['ss', 'sous'],
  ['mt', 'mont'],
]);

/** `"St-Étienne-du-Rouvray"` → `"saint etienne du rouvray"`; `''` when nothing is left. */
export function foldName(name: string): string {
  return foldAccents(name)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => ABBREVIATIONS.get(w) ?? w)
    .join(' ');
}

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

/**
 * The definition: decompose, drop the accents, lower-case, spell out the ligatures, keep runs of
 * letters and digits as words. Used as is for names with characters beyond Latin Extended-B
 * (combining marks, other scripts), and to build the fast path's table.
 */
function foldSlow(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => ABBREVIATIONS.get(w) ?? w)
    .join(' ');
}

/**
 * The fast path covers U+0000–U+02FF: there each character folds on its own (its decomposition starts
 * with a base letter, so no reordering of accents crosses characters), into letters and digits or
 * a separator. Folding ~70,000 names this way instead of with `normalize` and five regular
 * expressions is most of what keeps building the geocoder cheap.
 */
const TABLE_SIZE = 0x300;
/** Per character: the folded letters/digits (lower-case ASCII), or '' for a separator. */
const FOLDED: string[] = [];
for (let code = 0; code < TABLE_SIZE; code++) {
  const folded = String.fromCharCode(code)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae');
  // A character folding to letters and a separator would need both: none does in this range, and
  // such a character falls back to the definition anyway.
  FOLDED.push(/^[a-z0-9]+$/.test(folded) ? folded : /^[^a-z0-9]*$/.test(folded) ? '' : '\u0000');
}

/** `"St-Étienne-du-Rouvray"` → `"saint etienne du rouvray"`. */
export function foldName(name: string): string {
  let out = '';
  let word = '';
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const folded = code < TABLE_SIZE ? FOLDED[code]! : '\u0000';
    if (folded === '\u0000') return foldSlow(name);
    if (folded) word += folded;
    else if (word) {
      out += (out ? ' ' : '') + (ABBREVIATIONS.get(word) ?? word);
      word = '';
    }
  }
  if (word) out += (out ? ' ' : '') + (ABBREVIATIONS.get(word) ?? word);
  return out;
}

/**
 * The first character of `foldName(name)` ('' when it is empty), without folding the rest: the
 * abbreviations keep their first letter, so it is the first letter or digit of the name, folded.
 */
export function foldInitial(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const folded = code < TABLE_SIZE ? FOLDED[code]! : '\u0000';
    if (folded === '\u0000') return foldSlow(name).charAt(0);
    if (folded) return folded.charAt(0);
  }
  return '';
}

/**
 * What character `code` folds to, on its own (U+0000–U+02FF): letters or digits, '' for a separator,
 * or undefined when only {@link foldName} of the whole name can tell.
 */
export function foldedChar(code: number): string | undefined {
  const folded = code < TABLE_SIZE ? FOLDED[code]! : '\u0000';
  return folded === '\u0000' ? undefined : folded;
}

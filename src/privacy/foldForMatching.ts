/**
 * A copy of a text that the masking patterns can read plainly, with a map back to the original.
 *
 * People type identifiers in forms the patterns would otherwise miss: Arabic-Indic or full-width
 * digits (phones in Arabic, Japanese-style keyboards), non-breaking or thin spaces between digit
 * groups, typographic apostrophes and dashes, accented or unaccented keywords ("numéro", "numero"),
 * zero-width characters pasted from a PDF. Matching on a folded copy keeps each pattern simple;
 * the map lets the caller replace exactly the original characters, so everything that is not
 * masked comes out as it was typed (the engine still reads the person's own words and digits).
 */

/** The folded copy and where each of its UTF-16 units came from in the original. */
export interface Folded {
  /** The copy to match on. */
  readonly text: string;
  /**
   * Start and end (in the original) of the character that produced unit `i` of `text`, as
   * `from[i]` and `to[i]`; null when the copy has the original's positions (ASCII text).
   */
  readonly from: Int32Array | null;
  readonly to: Int32Array | null;
}

/** The original range of the folded range [start, end) (end > start). */
export function originalRange(folded: Folded, start: number, end: number): [number, number] {
  if (!folded.from || !folded.to) return [start, end];
  return [folded.from[start]!, folded.to[end - 1]!];
}

// Any ASCII character, controls included.
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const COMBINING_MARK = /\p{M}/gu;
const SPACE = /^[\p{Zs}\t]$/u;
// Characters that carry nothing a pattern needs and may sit inside a number or a keyword.
const INVISIBLE = new Set([0x00ad, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);

/** Folded forms of non-ASCII characters seen so far (a text uses few distinct ones). */
const cache = new Map<string, string>();
const CACHE_LIMIT = 4096;

/**
 * The value of a Unicode decimal digit. Unicode encodes every set of decimal digits as a run of
 * ten consecutive code points from 0 to 9 (some runs touch: the mathematical digits are five runs
 * in a row), so the value is the distance to the start of the run, modulo 10.
 */
function digitValue(cp: number): number {
  let start = cp;
  while (start > 0 && cp - start < 60 && DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

/** The folded form of one non-ASCII character: '' drops it. */
function foldChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  if (INVISIBLE.has(cp)) return '';
  if (SPACE.test(ch)) return ' ';
  if ((cp >= 0x2010 && cp <= 0x2015) || cp === 0x2212) return '-';
  if (cp === 0x2018 || cp === 0x2019 || cp === 0x02bc || cp === 0x00b4 || cp === 0x2032) return "'";
  if (cp === 0xfe6b) return '@';
  if (cp === 0x2044 || cp === 0x2215) return '/';
  // Full-width ASCII (U+FF01–U+FF5E) is ASCII shifted by a constant.
  if (cp >= 0xff01 && cp <= 0xff5e) return String.fromCharCode(cp - 0xfee0);
  if (DECIMAL_DIGIT.test(ch)) return String(digitValue(cp));
  // Accents off ("numéro" → "numero", Arabic short vowels off), so keywords are written once.
  return ch.normalize('NFD').replace(COMBINING_MARK, '');
}

function folded(ch: string): string {
  let f = cache.get(ch);
  if (f === undefined) {
    f = foldChar(ch);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(ch, f);
  }
  return f;
}

/**
 * Folds `text` for matching: every decimal digit to ASCII, full-width forms to ASCII, every space
 * to ' ', dashes to '-', apostrophes to "'", accents and invisible characters removed. Total:
 * lone surrogates and anything else pass through unchanged.
 */
export function foldForMatching(text: string): Folded {
  // Tabs are the only ASCII characters folded, one for one: the positions stay the same.
  if (ASCII_ONLY.test(text)) return { text: text.includes('\t') ? text.replace(/\t/g, ' ') : text, from: null, to: null };
  const parts: string[] = [];
  const from: number[] = [];
  const to: number[] = [];
  let i = 0;
  for (const ch of text) {
    const end = i + ch.length;
    const f = ch.length === 1 && ch.charCodeAt(0) < 0x80 ? (ch === '\t' ? ' ' : ch) : folded(ch);
    for (let k = 0; k < f.length; k++) {
      from.push(i);
      to.push(end);
    }
    parts.push(f);
    i = end;
  }
  return { text: parts.join(''), from: Int32Array.from(from), to: Int32Array.from(to) };
}

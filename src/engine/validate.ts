/**
 * Validators for `input` nodes. Each returns the value to store, or undefined when the answer is not
 * acceptable (the caller then asks again). They are pure: a date is checked against the calendar,
 * never against "today".
 */
import { isNegated, saysDontKnow } from './match';
import { containsPhrase, normalize } from './normalize';
import type { AnswerValue, Lexicon } from './types';

/**
 * A French postcode: 5 digits whose first two or three name a real département: 01–95 (Corsica
 * uses 20), overseas 971–978, and 984/986/987/988 for the overseas collectivities. Spaces are allowed
 * ("75 011"). Kept as a string: leading zeros matter.
 */
export function parsePostcode(text: string): string | undefined {
  const digits = text.replace(/[\s.]/g, '');
  if (!/^\d{5}$/.test(digits)) return undefined;
  const dep = Number(digits.slice(0, 2));
  if (dep >= 1 && dep <= 95) return digits;
  const dom = Number(digits.slice(0, 3));
  if ((dom >= 971 && dom <= 978) || dom === 984 || (dom >= 986 && dom <= 988)) return digits;
  return undefined;
}

/**
 * A plausible commune name: 2–60 characters, letters with spaces, hyphens, apostrophes and
 * arrondissement numbers ("Paris 15", "L'Haÿ-les-Roses", "Saint-Denis"). A valid postcode is also
 * accepted: people often give one when asked where they live.
 */
export function parseCommune(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  const postcode = parsePostcode(t);
  if (postcode) return postcode;
  if (t.length < 2 || t.length > 60) return undefined;
  if (!/^[\p{L}][\p{L}\p{M}\s'’\-.]*(\s\d{1,2}(e|er|ème|eme)?)?$/u.test(t)) return undefined;
  if ((t.match(/\p{L}/gu) ?? []).length < 2) return undefined;
  return t;
}

const MONTHS: Record<string, number> = {
  janvier: 1, janv: 1, january: 1, jan: 1,
  fevrier: 2, fevr: 2, fev: 2, february: 2, feb: 2,
  mars: 3, march: 3, mar: 3,
  avril: 4, avr: 4, april: 4, apr: 4,
  mai: 5, may: 5,
  juin: 6, june: 6, jun: 6,
  juillet: 7, juil: 7, july: 7, jul: 7,
  aout: 8, august: 8, aug: 8,
  septembre: 9, sept: 9, september: 9, sep: 9,
  octobre: 10, oct: 10, october: 10,
  novembre: 11, nov: 11, november: 11,
  decembre: 12, dec: 12, december: 12,
};

function isoDate(y: number, m: number, d: number): string | undefined {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return undefined;
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return undefined;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] as number;
  if (d > days) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const fullYear = (y: string): number => (y.length === 2 ? (Number(y) < 50 ? 2000 + Number(y) : 1900 + Number(y)) : Number(y));

/**
 * A real calendar date, returned as `YYYY-MM-DD`. Accepts day first (French order) with `/ - . `
 * or spaces, two- or four-digit years ("15/03/2024", "1-3-24", "15 03 2024"), ISO ("2024-03-15")
 * and month names in French or English ("15 mars 2024", "1er janvier 2025").
 */
export function parseDate(text: string): string | undefined {
  const t = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{4}|\d{2})$/.exec(t);
  if (m) return isoDate(fullYear(m[3] as string), Number(m[2]), Number(m[1]));
  const n = normalize(t);
  m = /^(\d{1,2})(?: ?er)? ([a-z]+) (\d{4})$/.exec(n);
  if (m) {
    const month = MONTHS[m[2] as string];
    return month ? isoDate(Number(m[3]), month, Number(m[1])) : undefined;
  }
  return undefined;
}

/** A number ("12", "1 200", "12,5", "3.5"), within `min`/`max` when given. */
export function parseNumber(text: string, min?: number, max?: number): number | undefined {
  const t = text.trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (!/^[+-]?(\d+(\.\d+)?|\.\d+)$/.test(t)) return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) return undefined;
  if (min !== undefined && n < min) return undefined;
  if (max !== undefined && n > max) return undefined;
  return n;
}

/**
 * Yes or no, and how it was read: `exact` (a yes/no word is the whole answer, "ouais"), `leading`
 * (the answer starts with one, "oui bien sûr"), `negated` (a negated sentence with no yes/no word,
 * "je ne l'ai pas demandé": probably no, to be confirmed). "I don't know" forms are neither, even
 * when they hold a "no" word ("aucune idée"). "yes"/"no" button values are accepted in every language.
 */
export function readYesNo(text: string, lexicon: Lexicon): { value: boolean; how: 'exact' | 'leading' | 'negated' } | undefined {
  const n = normalize(text);
  if (!n) return undefined;
  const yes = ['yes', ...lexicon.yes].map(normalize).filter(Boolean);
  const no = ['no', ...lexicon.no].map(normalize).filter(Boolean);
  if (yes.includes(n)) return { value: true, how: 'exact' };
  if (no.includes(n)) return { value: false, how: 'exact' };
  if (saysDontKnow(n, lexicon)) return undefined;
  const y = yes.some((w) => n.startsWith(`${w} `) || (w.includes(' ') && containsPhrase(n, w)));
  const f = no.some((w) => n.startsWith(`${w} `) || (w.includes(' ') && containsPhrase(n, w)));
  if (y !== f) return { value: y, how: 'leading' };
  if (!y && isNegated(n, lexicon)) return { value: false, how: 'negated' };
  return undefined;
}

/**
 * Yes or no, from the lexicon's words (exact, or as the first words of the answer: "oui bien sûr").
 * "yes"/"no" button values are accepted in every language; "I don't know" forms are neither.
 */
export function parseYesNo(text: string, lexicon: Lexicon): boolean | undefined {
  const r = readYesNo(text, lexicon);
  return r && r.how !== 'negated' ? r.value : undefined;
}

/** A short free text: non-empty, at most 200 characters, kept as typed (trimmed). */
export function parseShortText(text: string): string | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  return t.length >= 1 && t.length <= 200 ? t : undefined;
}

/** The input types and their validators, for callers that validate outside a flow (tests, CLI). */
export function validateInput(
  type: 'postcode' | 'commune' | 'date' | 'number' | 'yesno' | 'text',
  text: string,
  lexicon: Lexicon,
  limits: { min?: number; max?: number } = {},
): AnswerValue | undefined {
  switch (type) {
    case 'postcode':
      return parsePostcode(text);
    case 'commune':
      return parseCommune(text);
    case 'date':
      return parseDate(text);
    case 'number':
      return parseNumber(text, limits.min, limits.max);
    case 'yesno':
      return parseYesNo(text, lexicon);
    case 'text':
      return parseShortText(text);
  }
}

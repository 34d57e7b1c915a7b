/**
 * Text normalisation shared by every matcher, so that "Préfecture", "prefecture" and "PREFECTURE "
 * are the same word for the engine. People type on old phones, without accents, with odd spacing.
 */

/**
 * Longest text the matchers look at. Requests and answers are short; a pasted page must not cost
 * seconds of fuzzy matching (a 15 000-character message took 2.3 s before this limit, tens of milliseconds after).
 */
export const MAX_MATCHED_LENGTH = 200;

/**
 * The one accent folding of the service: lower case, diacritics off (NFD), « œ » and « æ » spelt
 * out. « Démarche », « demarche » and « DÉMARCHE » fold alike; punctuation and spacing are kept,
 * for callers that cut words their own way (commune names, identifiers, admin hints).
 */
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/œ/g, 'oe').replace(/æ/g, 'ae');
}

/**
 * Lower-cases, strips diacritics (NFD), unifies apostrophes and dashes to spaces where they separate
 * words, drops other punctuation and collapses spaces. Arabic and other scripts are kept as letters;
 * Arabic-Indic digits become 0–9.
 */
export function normalize(text: string): string {
  // Dotted acronyms are one word: "r.s.a" → "rsa", "C.A.F." → "CAF". Folding also takes off
  // Arabic short vowels (harakat, combining marks): often omitted when typing.
  return foldAccents(text.slice(0, MAX_MATCHED_LENGTH).replace(/(?<=\b\p{L})\.(?=\p{L}\b)/gu, ''))
    // Arabic-Indic and Persian digits are digits: "٢" is option 2, "٧٥٠١١" a postcode.
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/ß/g, 'ss')
    .replace(/[’‘`´ʼ']/g, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** The words of a normalised text. */
export function words(text: string): string[] {
  const n = normalize(text);
  return n ? n.split(' ') : [];
}

/**
 * True when `phrase` (normalised) occurs in `text` (normalised) as whole words, so that "non" is
 * not found inside "nonante" but "je suis bloque" is found in "je suis bloque a l etape 2".
 */
export function containsPhrase(text: string, phrase: string): boolean {
  if (!phrase) return false;
  return ` ${text} `.includes(` ${phrase} `);
}

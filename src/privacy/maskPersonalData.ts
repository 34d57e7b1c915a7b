/**
 * Masks identifiers people sometimes type into a chat before anything is stored or logged.
 *
 * Ariane never asks for a name or an identifier, but residents paste them anyway ("mon numéro de sécu
 * c'est 1 85 05 78 006 084 36, j'arrive pas à me connecter"). RGPD data minimisation says we should not
 * keep what we do not need, so every typed text goes through this function on its way to the store,
 * the logs and the handoff summary. Patterns favour masking too much over too little, but leave what
 * the flows really use alone: postcodes (5 digits), dates, small numbers and amounts.
 */

/** The kinds of identifier recognised, in the order they are tried (most specific first). */
export type PersonalDataKind = 'email' | 'iban' | 'nir' | 'tax-number' | 'card-number' | 'phone';

/** What `maskPersonalData` found and the text with each finding replaced by a placeholder. */
export interface MaskResult {
  text: string;
  found: PersonalDataKind[];
}

// Separators people put inside long numbers: spaces (incl. non-breaking), dots, dashes.
const SEP = '[ \\u00a0.\\-]?';

const PATTERNS: ReadonlyArray<{ kind: PersonalDataKind; re: RegExp }> = [
  // The lookbehind makes a match start only at the beginning of a run of address characters, so a
  // long text without "@" is scanned once (linear), not once per position (quadratic: a 100 KB
  // message took seconds).
  { kind: 'email', re: /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu },
  // IBAN: country code, 2 check digits, then 11 to 30 alphanumerics, often in groups of 4.
  { kind: 'iban', re: /\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b/gi },
  // French social security number (NIR / NIA): sex, year, month, département (2A/2B for Corsica),
  // commune, order, and an optional 2-digit key.
  {
    kind: 'nir',
    re: new RegExp(`\\b[1-478]${SEP}\\d{2}${SEP}(?:0[1-9]|1[0-2]|[2-9]\\d)${SEP}(?:\\d{2}|2[AB])${SEP}\\d{3}${SEP}\\d{3}(?:${SEP}\\d{2})?\\b`, 'gi'),
  },
  // Numéro fiscal: 13 digits starting with 0 to 3, as printed on tax notices (often in groups).
  { kind: 'tax-number', re: new RegExp(`\\b[0-3]\\d(?:${SEP}\\d){11}\\b`, 'g') },
  // Payment card numbers: 13 to 19 digits, in groups.
  { kind: 'card-number', re: new RegExp(`\\b\\d{4}(?:${SEP}\\d{4}){2,3}(?:${SEP}\\d{1,3})?\\b`, 'g') },
  // French phone numbers: 0X XX XX XX XX, +33 X XX XX XX XX, 0033…, and overseas prefixes.
  {
    kind: 'phone',
    re: new RegExp(`(?:(?:\\+|00)(?:33|590|594|262|596|269|687|689|508|681)${SEP}(?:\\(0\\))?${SEP}[1-9]|\\b0[1-9])(?:${SEP}\\d{2}){4}\\b`, 'g'),
  },
];

/** The placeholder shown instead of a masked identifier; the kind stays visible for the mediator. */
export function placeholderFor(kind: PersonalDataKind): string {
  return `[${kind} masqué]`;
}

/**
 * Returns `text` with e-mail addresses, IBANs, social security numbers, card numbers, phone numbers
 * and tax numbers replaced by placeholders, and the list of kinds found (each kind once).
 * Pure and total: any string in, a string out.
 */
export function maskPersonalData(text: string): MaskResult {
  const found = new Set<PersonalDataKind>();
  let out = text;
  for (const { kind, re } of PATTERNS) {
    out = out.replace(re, () => {
      found.add(kind);
      return placeholderFor(kind);
    });
  }
  return { text: out, found: [...found] };
}

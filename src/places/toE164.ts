/**
 * Phone numbers to E.164 so that `tel:` links work from any phone, including the overseas
 * départements, whose national numbers (0590…, 0262…) carry their own country calling codes.
 */

/** National prefixes (after the leading 0) of the overseas territories → calling code. */
const OVERSEAS: Array<[RegExp, string]> = [
  [/^(590|690|691)/, '+590'], // Guadeloupe, Saint-Martin, Saint-Barthélemy
  [/^(596|696|697)/, '+596'], // Martinique
  [/^(594|694)/, '+594'], // Guyane
  [/^(262|692|693|269|639)/, '+262'], // La Réunion, Mayotte
  [/^508/, '+508'], // Saint-Pierre-et-Miquelon
];

const STANDARD_E164 = /^(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}$/;

/**
 * Returns the number in E.164, or undefined when it cannot be read as a French number.
 * Accepts spaces, dots, dashes, `(0)`, `0033…` and national `0X XX XX XX XX` forms.
 */
export function toE164(raw: string): string | undefined {
  let s = raw.trim().replace(/\(0\)/g, '').replace(/[\s.\-/()]/g, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  if (s.startsWith('+')) return STANDARD_E164.test(s) ? s : /^\+\d{8,15}$/.test(s) ? s : undefined;
  if (/^0\d{9}$/.test(s)) {
    const national = s.slice(1);
    for (const [prefix, code] of OVERSEAS) if (prefix.test(national)) return `${code}${national}`;
    return `+33${national}`;
  }
  // New Caledonia, Polynesia, Wallis: 6-digit local numbers without a trunk prefix are ambiguous.
  return undefined;
}

/** A number for people to read: `+33 4 50 56 87 49` → `04 50 56 87 49` (mainland), else E.164 grouped. */
export function formatPhone(e164: string): string {
  if (e164.startsWith('+33') && e164.length === 12) return `0${e164.slice(3)}`.replace(/(\d{2})(?=\d)/g, '$1 ');
  for (const code of ['+590', '+596', '+594', '+262', '+508']) {
    if (e164.startsWith(code) && e164.length === code.length + 9) return `0${e164.slice(code.length)}`.replace(/(\d{2})(?=\d)/g, '$1 ');
  }
  return e164;
}

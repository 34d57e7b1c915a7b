/**
 * Handoff codes: six characters shown as `K7P-4QX`, easy to read aloud over the phone and to type
 * on an old keypad. The alphabet leaves out 0/O, 1/I/L (read alike) so a code copied by hand still
 * works; 31^6 ≈ 887 million codes, drawn with the crypto RNG, so they cannot be guessed in order.
 */
import { randomInt } from 'node:crypto';

/** The characters a code is made of. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A new random code, `XXX-XXX`. */
export function newHandoffCode(): string {
  let raw = '';
  for (let i = 0; i < 6; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${raw.slice(0, 3)}-${raw.slice(3)}`;
}

/**
 * What a person typed → the canonical code, or undefined if it cannot be one. Case, spaces, dots and
 * a missing dash are tolerated. Characters outside the alphabet are refused rather than guessed, so
 * a mistyped code never opens someone else's summary.
 */
export function normalizeHandoffCode(input: string): string | undefined {
  const raw = input.toUpperCase().replace(/[\s.\-_–—]/g, '');
  if (raw.length !== 6) return undefined;
  for (const ch of raw) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return `${raw.slice(0, 3)}-${raw.slice(3)}`;
}

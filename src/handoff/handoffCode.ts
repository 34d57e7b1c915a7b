/**
 * Handoff codes: nine characters shown in three groups, `K7P-4QX-M2R`, easy to read aloud over the
 * phone (like a phone number, three at a time) and to type on an old keypad. The alphabet leaves out
 * 0/O, 1/I/L (read alike) so a code copied by hand still works. Codes are drawn with the crypto RNG
 * and are long enough that guessing them at the global limit on failed look-ups is hopeless (the
 * README's Privacy section gives the figure).
 *
 * Codes of six characters (`K7P-4QX`) were given before codes grew to nine; summaries stored under
 * them stay readable until they expire, so both lengths are read (the web pages give the older,
 * shorter ones a much smaller budget of failed look-ups, see `handoffCodeKind`).
 */
import { randomInt } from 'node:crypto';

/** The characters a code is made of. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** Characters in a code given today. */
export const CODE_LENGTH = 9;

/** Characters in a code given before codes grew (still read, never drawn). */
export const LEGACY_CODE_LENGTH = 6;

/** Groups of three, joined by dashes: `K7PQ4XM2R` → `K7P-Q4X-M2R`. */
function grouped(raw: string): string {
  return raw.match(/.{1,3}/g)!.join('-');
}

/** A new random code, `XXX-XXX-XXX`. */
export function newHandoffCode(): string {
  let raw = '';
  for (let i = 0; i < CODE_LENGTH; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return grouped(raw);
}

/**
 * What a person typed → the canonical code, or undefined if it cannot be one. Case, spaces, dots and
 * missing dashes are tolerated. Characters outside the alphabet are refused rather than guessed, so
 * a mistyped code never opens someone else's summary. Both the current length and the older, shorter
 * one are accepted (summaries stored under an older code stay readable until they expire).
 */
export function normalizeHandoffCode(input: string): string | undefined {
  const raw = input.toUpperCase().replace(/[\s.\-_–—]/g, '');
  if (raw.length !== CODE_LENGTH && raw.length !== LEGACY_CODE_LENGTH) return undefined;
  for (const ch of raw) if (!CODE_ALPHABET.includes(ch)) return undefined;
  return grouped(raw);
}

/**
 * `current` for a code of today's length, `legacy` for an older, shorter one (far easier to guess:
 * callers that limit guessing give it its own, much smaller budget). Expects a canonical code.
 */
export function handoffCodeKind(canonical: string): 'current' | 'legacy' {
  return canonical.replace(/-/g, '').length === LEGACY_CODE_LENGTH ? 'legacy' : 'current';
}

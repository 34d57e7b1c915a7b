/**
 * Constant-time comparison of a credential typed or sent by a client (a Direct Line secret, the
 * admin token) with the expected one: hashing both first equalises the lengths, so neither the
 * content nor the length leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when `a` and `b` are the same string, in time independent of their content. */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

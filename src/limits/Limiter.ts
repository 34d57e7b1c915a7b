/**
 * Limits as the routes use them: one `Limiter` per limit, whose answer may come from this process's
 * memory or from counts every instance shares (PostgreSQL), so `hit` is asynchronous.
 *
 * Why shared counts: behind a load balancer, N instances each counting alone let N times the limit
 * through, and a client spreading its requests gets all of it. With PostgreSQL the counts live in
 * one table (`ariane_limits`, see src/store) and every instance reads and bumps the same row in one
 * statement.
 *
 * Why failing open: a limit protects the service; it must never turn a good request into a 500. When
 * the shared counts cannot be reached (the database is failing or overloaded), each instance counts
 * on its own in memory meanwhile, as before shared limits existed, and says so in the log (at most
 * once a minute). The request itself then meets the same database and fails or succeeds on its own.
 */
import { createHmac } from 'node:crypto';
import { RateLimiter, slidingDecision, type RateLimitDecision } from './RateLimiter';

/** One limit: each key may have so many events per window. */
export interface Limiter {
  /** Records one event for `key` at `now` (epoch ms) if allowed, and says whether it was. */
  hit(key: string, now: number): Promise<RateLimitDecision>;
}

/**
 * Makes the limiter of one limit. `name` is unique per limit (`turns-per-ip`…): shared counts are
 * kept under it, so two limits never count each other's events.
 */
export type Limiters = (name: string, limit: number, windowMs: number) => Limiter;

/** Limits counted in this process's memory (SQLite and tests; and the fallback of shared ones). */
export const memoryLimiters: Limiters = (_name, limit, windowMs) => {
  const limiter = new RateLimiter(limit, windowMs);
  return { hit: async (key, now) => limiter.hit(key, now) };
};

/**
 * Fixed-window counts every instance shares (the PostgreSQL store's `limits`). The shape of
 * src/store's `LimitWindows`, which implements it (the two folders do not import each other).
 */
export interface SharedWindows {
  /**
   * In one atomic step: adds 1 to `key`'s count in the window that began at `windowStart` if
   * `previous × previousWeight + count + 1 ≤ limit` (`previous` being the window before's count),
   * and answers whether it did, with both counts (the new one when taken). The row may be forgotten
   * once both windows are over.
   */
  take(key: string, windowStart: number, windowMs: number, previousWeight: number, limit: number): Promise<{ taken: boolean; count: number; previous: number }>;
}

/** How shared limits behave (see {@link sharedLimiters}). */
export interface SharedLimitersOptions {
  /**
   * Keys are stored as an HMAC under this secret, never as they are: the table would otherwise list
   * residents' IP addresses. Every instance must have the same (derive it from the token key).
   */
  keySecret: Buffer | string;
  /** Told when the shared counts cannot be reached (at most once a minute per limit). */
  onError?: (err: unknown, name: string) => void;
}

/** Limits counted in `windows`, shared by every instance; per instance in memory while it fails. */
export function sharedLimiters(windows: SharedWindows, options: SharedLimitersOptions): Limiters {
  return (name, limit, windowMs) => {
    if (!(limit > 0) || !(windowMs > 0)) throw new RangeError('A limiter needs a positive limit and window');
    const fallback = new RateLimiter(limit, windowMs);
    let lastReport = -Infinity;
    return {
      hit: async (key, now) => {
        const start = now - (now % windowMs);
        const weight = 1 - (now - start) / windowMs;
        const stored = `${name}:${createHmac('sha256', options.keySecret).update(`${name}\u0000${key}`).digest('base64url').slice(0, 22)}`;
        let counts: { taken: boolean; count: number; previous: number };
        try {
          counts = await windows.take(stored, start, windowMs, weight, limit);
        } catch (err) {
          if (now - lastReport >= 60_000) {
            lastReport = now;
            options.onError?.(err, name);
          }
          return fallback.hit(key, now);
        }
        if (counts.taken) return slidingDecision(limit, windowMs, now, start, counts.count - 1, counts.previous);
        const refused = slidingDecision(limit, windowMs, now, start, counts.count, counts.previous);
        // Counts read a moment before another instance's may look as if there were room: still refused.
        return refused.allowed ? { allowed: false, retryAfterSeconds: 1, remaining: 0 } : refused;
      },
    };
  };
}

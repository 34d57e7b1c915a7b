/**
 * A fixed-window-with-sliding-estimate rate limiter, in memory, per key (IP, conversation…).
 *
 * Why not a library: the few well-kept ones are middleware for express/restify with their own
 * response format; we need the decision alone (allowed, or retry after N seconds) so that the
 * Direct Line routes, `/api/messages` and the admin pages can answer 429 with `Retry-After` in the
 * same JSON error shape as every other 4xx. Time is passed in, which keeps it deterministic to test.
 *
 * In several instances each one counts on its own: a limit of N per minute then lets through at most
 * N × instances. With PostgreSQL, `sharedLimiters` counts in the database instead (see Limiter.ts).
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until a request would be allowed again (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

interface Window {
  start: number;
  count: number;
  previous: number;
}

/** Limits each key to `limit` events per `windowMs`, estimating a sliding window from two fixed ones. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    /** Keys kept at most; the oldest are forgotten first so memory stays bounded under a flood. */
    private readonly maxKeys = 100_000,
  ) {
    if (!(limit > 0) || !(windowMs > 0)) throw new RangeError('RateLimiter needs a positive limit and window');
  }

  /** Records one event for `key` at `now` (epoch ms) if allowed, and says whether it was. */
  hit(key: string, now: number): RateLimitDecision {
    const w = this.current(key, now);
    const decision = slidingDecision(this.limit, this.windowMs, now, w.start, w.count, w.previous);
    if (decision.allowed) w.count += 1;
    return decision;
  }

  private current(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (!w) {
      if (this.windows.size >= this.maxKeys) {
        const oldest = this.windows.keys().next().value;
        if (oldest !== undefined) this.windows.delete(oldest);
      }
      w = { start: now - (now % this.windowMs), count: 0, previous: 0 };
      this.windows.set(key, w);
      return w;
    }
    const periods = Math.floor((now - w.start) / this.windowMs);
    if (periods >= 1) {
      w.previous = periods === 1 ? w.count : 0;
      w.count = 0;
      w.start += periods * this.windowMs;
    }
    return w;
  }
}

/**
 * Whether one more event fits, given the counts before it: `count` in the fixed window that began at
 * `start`, `previous` in the window before. The previous window weighs what is left of it in the
 * sliding minute (1 at the start of this window, 0 at its end). Shared by the in-memory limiter and
 * the one counting in the store, so that both refuse alike and advertise the same waits.
 */
export function slidingDecision(limit: number, windowMs: number, now: number, start: number, count: number, previous: number): RateLimitDecision {
  const elapsed = (now - start) / windowMs;
  const estimate = previous * (1 - elapsed) + count;
  if (estimate + 1 > limit) {
    let waitMs: number;
    if (count + 1 <= limit) {
      // Room in this window once the previous window's weight has decayed enough.
      const needed = 1 - (limit - 1 - count) / previous;
      waitMs = (needed - elapsed) * windowMs;
    } else {
      // Wait for this window to end, then for its own weight to decay in the next one.
      const needed = Math.max(0, 1 - (limit - 1) / count);
      waitMs = windowMs - (now - start) + needed * windowMs;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 };
  }
  return { allowed: true, retryAfterSeconds: 0, remaining: Math.max(0, Math.floor(limit - estimate - 1)) };
}

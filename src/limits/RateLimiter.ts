/**
 * A fixed-window-with-sliding-estimate rate limiter, in memory, per key (IP, conversation…).
 *
 * Why not a library: the few well-kept ones are middleware for express/restify with their own
 * response format; we need the decision alone (allowed, or retry after N seconds) so that the
 * Direct Line routes, `/api/messages` and the admin pages can answer 429 with `Retry-After` in the
 * same JSON error shape as every other 4xx. Time is passed in, which keeps it deterministic to test.
 *
 * In several instances each one counts on its own: a limit of N per minute then lets through at most
 * N × instances. That is an accepted approximation for abuse protection, documented in the README.
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
    const elapsed = (now - w.start) / this.windowMs;
    const estimate = w.previous * (1 - elapsed) + w.count;
    if (estimate + 1 > this.limit) {
      let waitMs: number;
      if (w.count + 1 <= this.limit) {
        // Room in this window once the previous window's weight has decayed enough.
        const needed = 1 - (this.limit - 1 - w.count) / w.previous;
        waitMs = (needed - elapsed) * this.windowMs;
      } else {
        // Wait for this window to end, then for its own weight to decay in the next one.
        const needed = Math.max(0, 1 - (this.limit - 1) / w.count);
        waitMs = this.windowMs - (now - w.start) + needed * this.windowMs;
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 };
    }
    w.count += 1;
    return { allowed: true, retryAfterSeconds: 0, remaining: Math.max(0, Math.floor(this.limit - estimate - 1)) };
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

/**
 * Limits on failures (wrong passwords, unknown handoff codes) counted in the KeyValueStore, so that
 * every instance on one database shares them: a limit of N is N for the whole service, not N per
 * instance. Each key counts failures in fixed windows (`limit/<name>/<key>/<window>`, expiring with
 * their window so the retention purge removes them) and the sliding estimate over the last two
 * windows is compared to the limit, as `RateLimiter` does in memory.
 *
 * Only failures are counted: a mediator who opens codes that exist is never slowed down. Checks and
 * counts are two steps, so requests racing at the very edge of the limit may each pass: at most one
 * failure more per request in flight.
 */
import { ConflictError, IF_ABSENT, type KeyValueStore } from '../store';

/** The store key prefix of failure counters. */
export const LIMIT_PREFIX = 'limit/';

/** A limiter's decision. */
export interface FailureDecision {
  allowed: boolean;
  /** Whole seconds until a new attempt would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

/** At most `limit` failures per `windowMs` for each key of one kind (`name`). */
export class FailureLimiter {
  private readonly now: () => number;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
    now?: () => number,
  ) {
    if (!(limit > 0) || !(windowMs > 0)) throw new RangeError('FailureLimiter needs a positive limit and window');
    if (!/^[a-z0-9-]+$/.test(name)) throw new RangeError(`Bad limiter name "${name}"`);
    this.now = now ?? Date.now;
  }

  private keyOf(key: string, window: number): string {
    return `${LIMIT_PREFIX}${this.name}/${encodeURIComponent(key)}/${window}`;
  }

  /** Whether a new attempt under `key` may go ahead (does not count it). */
  async check(key = 'all'): Promise<FailureDecision> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    const curKey = this.keyOf(key, window);
    const prevKey = this.keyOf(key, window - 1);
    const items = await this.kv.get<{ n?: unknown }>([curKey, prevKey]);
    const count = (k: string) => {
      const n = items[k]?.value.n;
      return typeof n === 'number' && n > 0 ? n : 0;
    };
    const cur = count(curKey);
    const prev = count(prevKey);
    const elapsed = (now - window * this.windowMs) / this.windowMs;
    if (prev * (1 - elapsed) + cur < this.limit) return { allowed: true, retryAfterSeconds: 0 };
    let waitMs: number;
    if (cur < this.limit && prev > 0) {
      // Allowed again once the previous window's weight has decayed enough.
      waitMs = (1 - (this.limit - cur) / prev - elapsed) * this.windowMs;
    } else {
      // After this window, once its own weight has decayed enough in the next one.
      waitMs = (1 - elapsed) * this.windowMs + Math.max(0, 1 - this.limit / cur) * this.windowMs;
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Counts one failure under `key`. */
  async fail(key = 'all'): Promise<void> {
    const window = Math.floor(this.now() / this.windowMs);
    const k = this.keyOf(key, window);
    try {
      // The first failure of a window creates its counter with an expiry (increment alone keeps none).
      await this.kv.set([{ key: k, value: { n: 1 }, etag: IF_ABSENT, expiresAt: (window + 2) * this.windowMs }]);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      await this.kv.increment(k, { n: 1 });
    }
  }
}

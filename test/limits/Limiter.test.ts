/**
 * Limiters as the routes use them: in memory, or over counts shared by every instance (the store's
 * `ariane_limits`, here a model of its one statement), which must decide exactly like memory.
 */
import fc from 'fast-check';
import { memoryLimiters, sharedLimiters } from '../../src/limits';
import { RateLimiter } from '../../src/limits/RateLimiter';
import { type SharedWindows } from '../../src/limits/Limiter';

/** The PostgreSQL statement's semantics (see PostgresStore's TAKE), in memory. */
function modelWindows(): SharedWindows & { keys: Set<string> } {
  const rows = new Map<string, number>();
  const keys = new Set<string>();
  return {
    keys,
    take: async (key, windowStart, windowMs, weight, limit) => {
      keys.add(key);
      const previous = rows.get(`${key}@${windowStart - windowMs}`) ?? 0;
      const count = rows.get(`${key}@${windowStart}`) ?? 0;
      if (previous * weight + count + 1 <= limit) {
        rows.set(`${key}@${windowStart}`, count + 1);
        return { taken: true, count: count + 1, previous };
      }
      return { taken: false, count, previous };
    },
  };
}

describe('Limiters', () => {
  test('memory limiters are the RateLimiter behind a promise', async () => {
    const limiter = memoryLimiters('x', 2, 60_000);
    expect((await limiter.hit('k', 0)).allowed).toBe(true);
    expect((await limiter.hit('k', 1)).allowed).toBe(true);
    const refused = await limiter.hit('k', 2);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  test('shared counts decide exactly as memory does, waits included, on any sequence', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), gap: fc.integer({ min: 0, max: 40_000 }) }), { maxLength: 60 }),
        async (limit, events) => {
          const memory = new RateLimiter(limit, 60_000);
          const shared = sharedLimiters(modelWindows(), { keySecret: 'k'.repeat(32) })('test', limit, 60_000);
          let now = Date.UTC(2026, 0, 1);
          for (const e of events) {
            now += e.gap;
            expect(await shared.hit(e.key, now)).toEqual(memory.hit(e.key, now));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('keys are stored under the limit name and an HMAC, not as given', async () => {
    const windows = modelWindows();
    await sharedLimiters(windows, { keySecret: 'k'.repeat(32) })('turns-per-ip', 5, 60_000).hit('203.0.113.7', 0);
    const [stored] = [...windows.keys];
    expect(stored).toMatch(/^turns-per-ip:[A-Za-z0-9_-]{22}$/);
    expect(stored).not.toContain('203.0.113.7');
    // Another secret, another key: a table copied elsewhere says nothing.
    await sharedLimiters(windows, { keySecret: 'j'.repeat(32) })('turns-per-ip', 5, 60_000).hit('203.0.113.7', 0);
    expect(windows.keys.size).toBe(2);
  });

  test('when the shared counts fail, each instance counts alone, and says so at most once a minute', async () => {
    const errors: string[] = [];
    const limiter = sharedLimiters({ take: () => Promise.reject(new Error('down')) }, { keySecret: 'k'.repeat(32), onError: (_err, name) => errors.push(name) })('starts', 1, 60_000);
    expect((await limiter.hit('k', 0)).allowed).toBe(true);
    expect((await limiter.hit('k', 10)).allowed).toBe(false);
    expect((await limiter.hit('k', 20)).allowed).toBe(false);
    expect(errors).toEqual(['starts']);
    await limiter.hit('k', 61_000);
    expect(errors).toEqual(['starts', 'starts']);
  });
});

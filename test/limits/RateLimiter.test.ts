import { RateLimiter } from '../../src/limits/RateLimiter';

describe('RateLimiter', () => {
  const MIN = 60_000;

  it('allows up to the limit in a window, then refuses with a Retry-After', () => {
    const rl = new RateLimiter(3, MIN);
    const t0 = 10 * MIN;
    expect([1, 2, 3].map((i) => rl.hit('ip', t0 + i).allowed)).toEqual([true, true, true]);
    const refused = rl.hit('ip', t0 + 10);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Never more than the rest of this window plus one more.
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it('counts keys separately', () => {
    const rl = new RateLimiter(1, MIN);
    expect(rl.hit('a', 0).allowed).toBe(true);
    expect(rl.hit('b', 0).allowed).toBe(true);
    expect(rl.hit('a', 1).allowed).toBe(false);
  });

  it('lets traffic through again once the sliding window has moved on', () => {
    const rl = new RateLimiter(2, MIN);
    rl.hit('k', 0);
    rl.hit('k', 1);
    expect(rl.hit('k', 2).allowed).toBe(false);
    // Half-way through the next window the previous one weighs 1 of 2: one more is allowed.
    expect(rl.hit('k', MIN + MIN / 2 + 1).allowed).toBe(true);
    expect(rl.hit('k', 3 * MIN).allowed).toBe(true);
  });

  it('a refused hit does not count, and the advertised wait is enough', () => {
    const rl = new RateLimiter(2, MIN);
    rl.hit('k', 0);
    rl.hit('k', 0);
    const d = rl.hit('k', 1000);
    expect(d.allowed).toBe(false);
    expect(rl.hit('k', 1000 + d.retryAfterSeconds * 1000).allowed).toBe(true);
  });

  it('keeps memory bounded under a flood of keys', () => {
    const rl = new RateLimiter(1, MIN, 100);
    for (let i = 0; i < 1000; i++) rl.hit(`ip${i}`, 0);
    // The first keys were forgotten, so they are allowed again; the last ones are remembered.
    expect(rl.hit('ip0', 1).allowed).toBe(true);
    expect(rl.hit('ip999', 1).allowed).toBe(false);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new RateLimiter(0, MIN)).toThrow(RangeError);
  });
});

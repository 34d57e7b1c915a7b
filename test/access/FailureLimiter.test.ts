/** Failure limits kept in the store: shared by every limiter (instance) on one store, expiring. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FailureLimiter } from '../../src/access';
import { LIMIT_PREFIX } from '../../src/access/FailureLimiter';
import { MemoryStore, SqliteStore } from '../../src/store';

const HOUR = 3_600_000;

describe('FailureLimiter', () => {
  it('allows up to the limit of failures, then refuses with a wait, and forgets them as windows pass', async () => {
    let t = 10 * HOUR;
    const store = new MemoryStore({ now: () => t });
    const limiter = new FailureLimiter(store.kv, 'test', 5, HOUR, () => t);
    for (let i = 0; i < 5; i++) {
      expect((await limiter.check()).allowed).toBe(true);
      await limiter.fail();
    }
    const refused = await limiter.check();
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThan(3000);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(7200);
    // Other keys have their own budget.
    expect((await limiter.check('paul')).allowed).toBe(true);
    // Half-way through the next window, half of the five still weigh (2.5): room for two more, not three.
    t += 1.5 * HOUR;
    for (let i = 0; i < 2; i++) {
      expect((await limiter.check()).allowed).toBe(true);
      await limiter.fail();
    }
    expect((await limiter.check()).allowed).toBe(true);
    await limiter.fail();
    expect((await limiter.check()).allowed).toBe(false);
    t += 2 * HOUR;
    expect((await limiter.check()).allowed).toBe(true);
    // Counters expire with their window: the purge removes them.
    expect(await store.purge(t)).toBeGreaterThan(0);
    expect((await store.kv.scan(LIMIT_PREFIX)).length).toBeLessThanOrEqual(1);
  });

  it('is shared by two instances on one SQLite database: the limit holds for the service, not per instance', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-limit-'));
    const one = await SqliteStore.open({ dataDir: dir });
    const two = await SqliteStore.open({ dataDir: dir });
    try {
      const a = new FailureLimiter(one.kv, 'shared', 6, HOUR);
      const b = new FailureLimiter(two.kv, 'shared', 6, HOUR);
      for (let i = 0; i < 3; i++) {
        await a.fail();
        await b.fail();
      }
      expect((await a.check()).allowed).toBe(false);
      expect((await b.check()).allowed).toBe(false);
    } finally {
      await one.close();
      await two.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts concurrent failures without losing any', async () => {
    const store = new MemoryStore();
    const limiter = new FailureLimiter(store.kv, 'race', 1000, HOUR);
    await Promise.all(Array.from({ length: 50 }, () => limiter.fail()));
    const [item] = await store.kv.scan<{ n: number }>(LIMIT_PREFIX);
    expect(item!.value.n).toBe(50);
  });
});

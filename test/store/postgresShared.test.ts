/**
 * What several instances share through PostgreSQL beyond the data (issue 17 items 4 and 5): the
 * wake-ups on append (LISTEN/NOTIFY), heard by another store on the same database and back after a
 * lost connection; and the abuse limits' counts (`ariane_limits`), one budget for every instance.
 */
import { Client } from 'pg';
import { sharedLimiters, type Limiter } from '../../src/limits';
import { PostgresStore } from '../../src/store';
import { describePostgres, startPostgres, testPool, type TestPostgres } from '../support/postgres';
import { waitFor } from '../e2e/support';

let server: TestPostgres | undefined;
const opened: PostgresStore[] = [];

async function open(url: string, options: Partial<Parameters<typeof PostgresStore.open>[0]> = {}): Promise<PostgresStore> {
  const store = await PostgresStore.open({ connectionString: url, pool: testPool, ...options });
  opened.push(store);
  return store;
}

/** Waits until `ok()` holds (10 s at most), naming `what` if it never does. */
const until = (ok: () => boolean, what: string): Promise<true> => waitFor(() => ok() || undefined, 10_000, what);

describePostgres('PostgreSQL: what instances share', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    await server?.stop();
  });

  test('an append through one store wakes a listener of another store on the same database', async () => {
    const url = await server!.createDatabase('feed');
    const a = await open(url);
    const b = await open(url);
    await a.log.createConversation({ id: 'conv-1', userId: 'u', createdAt: Date.now() });
    const woken: Array<number | undefined> = [];
    const stop = b.appends.subscribe('conv-1', (w) => woken.push(w));
    await until(() => woken.includes(undefined), 'the listening connection');
    await a.commitTurn({ conversationId: 'conv-1', appends: [{ activity: { text: 'from A' }, clientActivityId: 'x' }, { activity: { text: 'reply' }, replyTo: 0 }], kv: [] });
    await until(() => woken.includes(2), 'the turn heard on B');
    await a.log.append('conv-1', { text: 'more' });
    await until(() => woken.includes(3), 'the append heard on B');
    stop();
  });

  test('a lost LISTEN connection comes back by itself and wakes everyone once; later appends are heard again', async () => {
    const url = await server!.createDatabase('feed_lost');
    const lost: unknown[] = [];
    const a = await open(url);
    const b = await open(url, { onFeedLost: (err) => lost.push(err) });
    await a.log.createConversation({ id: 'conv-2', userId: 'u', createdAt: Date.now() });
    const woken: Array<number | undefined> = [];
    b.appends.subscribe('conv-2', (w) => woken.push(w));
    await until(() => woken.includes(undefined), 'the listening connection');
    woken.length = 0;
    // The database ends the listening session (a restart, a failover, an idle timeout would).
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
      );
      expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
    } finally {
      await admin.end();
    }
    await until(() => lost.length > 0, 'the loss to be told');
    // Back: every listener is woken once (what was appended meanwhile would be unheard otherwise).
    await until(() => woken.includes(undefined), 'the wake-up after reconnecting');
    await a.log.append('conv-2', { text: 'after' });
    await until(() => woken.includes(1), 'an append after reconnecting');
  });

  test('limit counts are shared: two instances together allow the limit once, not twice', async () => {
    const url = await server!.createDatabase('limits');
    const a = await open(url);
    const b = await open(url);
    const limitersA = sharedLimiters(a.limits, { keySecret: 'k'.repeat(32) });
    const limitersB = sharedLimiters(b.limits, { keySecret: 'k'.repeat(32) });
    const onA = limitersA('turns-per-ip', 10, 60_000);
    const onB = limitersB('turns-per-ip', 10, 60_000);
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const decisions = [];
    for (let i = 0; i < 14; i++) decisions.push(await (i % 2 ? onB : onA).hit('203.0.113.7', t0 + i));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(decisions.slice(10).every((d) => !d.allowed && d.retryAfterSeconds >= 1 && d.retryAfterSeconds <= 120)).toBe(true);
    // Another key, and the same key under another limit's name, have their own budgets.
    expect((await onB.hit('203.0.113.8', t0 + 20)).allowed).toBe(true);
    expect((await limitersB('starts-per-ip', 1, 60_000).hit('203.0.113.7', t0 + 20)).allowed).toBe(true);
    // The sliding estimate, as in memory: half-way through the next window the full one weighs 5.
    expect((await onA.hit('203.0.113.7', t0 + 60_000 + 30_000 + 1)).allowed).toBe(true);
    // The stored key is an HMAC, never the address.
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ key: string }>('SELECT key FROM ariane_limits');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.key).join(' ')).not.toMatch(/203\.0\.113/);
    } finally {
      await admin.end();
    }
  });

  test('concurrent checks from two instances never let more than the limit through', async () => {
    const url = await server!.createDatabase('limits_race');
    const a = await open(url, { max: 20 });
    const b = await open(url, { max: 20 });
    const on: Limiter[] = [sharedLimiters(a.limits, { keySecret: 's'.repeat(32) })('race', 25, 60_000), sharedLimiters(b.limits, { keySecret: 's'.repeat(32) })('race', 25, 60_000)];
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    const decisions = await Promise.all(Array.from({ length: 80 }, (_, i) => on[i % 2]!.hit('one-key', t0 + 5)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
  });

  test('expired counts are purged; the database failing makes each instance count alone, told once, never an error', async () => {
    const url = await server!.createDatabase('limits_purge');
    const store = await open(url);
    const limiters = sharedLimiters(store.limits, { keySecret: 'p'.repeat(32) });
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
    await limiters('purged', 5, 60_000).hit('k', t0);
    await store.purge(t0 + 3 * 60_000);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      expect((await admin.query('SELECT * FROM ariane_limits')).rows).toEqual([]);
    } finally {
      await admin.end();
    }

    const errors: unknown[] = [];
    const failing = sharedLimiters({ take: () => Promise.reject(new Error('connection refused')) }, { keySecret: 'x'.repeat(32), onError: (err) => errors.push(err) });
    const limiter = failing('fallback', 2, 60_000);
    const answers = [await limiter.hit('k', t0), await limiter.hit('k', t0 + 1), await limiter.hit('k', t0 + 2)];
    expect(answers.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(errors).toHaveLength(1);
  });
});

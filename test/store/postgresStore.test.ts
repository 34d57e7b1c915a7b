/**
 * PostgreSQL store against a real server that the test starts itself (test/support/postgres.ts).
 * Fails when the server cannot start; ARIANE_SKIP_PG=1 skips on purpose.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { Client } from 'pg';
import fc from 'fast-check';
import { ConflictError, UnknownConversationError, createStore, MemoryStore, PostgresStore, POSTGRES_SCHEMA_VERSION, type Store } from '../../src/store';
import { describePostgres, startPostgres, testPool, type TestPostgres } from '../support/postgres';
import { emptyStore, observe, opsArb, testClock } from './differential';
import { expectSchemaV1Readable, insertRows, schemaV1 } from './schemaV1';
import { expectSchemaV2Readable, insertV2Rows, schemaV2 } from './schemaV2';
import { storeContract } from './storeContract';

let server: TestPostgres | undefined;
const opened: Store[] = [];

async function open(url: string, now?: () => number): Promise<PostgresStore> {
  const store = await PostgresStore.open({ connectionString: url, now, pool: testPool });
  opened.push(store);
  return store;
}

describePostgres('PostgreSQL store', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close().catch(() => undefined)));
    await server?.stop();
  });

  storeContract('postgres', async (clock) => {
    const store = await open(server!.url, clock.now);
    const client = new Client({ connectionString: server!.url });
    await client.connect();
    await client.query('TRUNCATE ariane_kv, ariane_conversations, ariane_activities');
    await client.end();
    return store;
  }, {
    reopen: async (store, clock) => {
      await store.close();
      return open(server!.url, clock.now);
    },
  });

  /** A new database rebuilt from a fixture's schema and rows, as an older Ariane left it. */
  async function rebuild(name: string, fixture: { schema: string[]; rows: Record<string, Array<Record<string, unknown>>> }): Promise<{ url: string; client: Client }> {
    const url = await server!.createDatabase(name);
    const client = new Client({ connectionString: url });
    await client.connect();
    for (const sql of fixture.schema) await client.query(sql);
    for (const [table, rows] of Object.entries(fixture.rows)) await insertV2Rows(table, rows, (sql, values) => client.query(sql, values), true);
    return { url, client };
  }

  test('PostgreSQL behaves like the memory reference on random operation sequences', async () => {
    const clock = testClock();
    const pgStore = await open(await server!.createDatabase('model'), clock.now);
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        clock.reset();
        const expected = await observe(new MemoryStore({ now: clock.now }), clock, ops);
        clock.reset();
        await emptyStore(pgStore);
        expect(await observe(pgStore, clock, ops)).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  test('instances starting together migrate once, under the advisory lock', async () => {
    const url = await server!.createDatabase('migrate_race');
    const stores = await Promise.all([open(url), open(url), open(url)]);
    const client = new Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ version: number }>('SELECT version FROM ariane_schema_version');
    await client.end();
    expect(rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
    await stores[0]!.kv.set([{ key: 'k', value: 1 }]);
    expect((await stores[2]!.kv.get(['k'])).k?.value).toBe(1);
    // Reopening an up-to-date database changes nothing.
    await open(url);
  });

  test('a database from a newer Ariane is refused with a clear message', async () => {
    const url = await server!.createDatabase('from_the_future');
    await open(url);
    const client = new Client({ connectionString: url });
    await client.connect();
    await client.query('UPDATE ariane_schema_version SET version = 999');
    await client.end();
    await expect(PostgresStore.open({ connectionString: url, pool: testPool })).rejects.toThrow(/schema version 999.*upgrade Ariane/);
  });

  test('a database written at schema version 1 (activities as JSON text) opens, reads and carries on', async () => {
    const url = await server!.createDatabase('schema_v1');
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      for (const sql of schemaV1.postgres.schema) await client.query(sql);
      for (const [table, rows] of Object.entries(schemaV1.postgres.rows)) await insertRows(table, rows, (sql, values) => client.query(sql, values), true);
      const store = await open(url);
      await expectSchemaV1Readable(store, schemaV1.postgres.rows.ariane_kv[0]!.etag as string);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM ariane_schema_version');
      expect(rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
      // Old rows and the new one alike: json.
      const kinds = await client.query<{ kind: string }>('SELECT json_typeof(activity) AS kind FROM ariane_activities ORDER BY watermark');
      expect(kinds.rows).toEqual(Array.from({ length: 7 }, () => ({ kind: 'object' })));
    } finally {
      await client.end();
    }
  });

  test('a database written at schema version 2 (compact activities) is migrated to json at start, once, under the lock', async () => {
    const { url, client } = await rebuild('schema_v2', schemaV2.postgres);
    try {
      expect((await client.query('SELECT COUNT(*)::int AS n FROM ariane_activities WHERE body IS NOT NULL')).rows).toEqual([{ n: 15 }]);
      // Instances starting together: one migrates, the others wait for it and find version 3.
      const stores = await Promise.all([open(url), open(url), open(url)]);
      await expectSchemaV2Readable(stores[1]!, schemaV2.postgres.rows.ariane_kv);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM ariane_schema_version');
      expect(rows).toEqual([{ version: POSTGRES_SCHEMA_VERSION }]);
      const columns = await client.query<{ column_name: string; data_type: string; is_nullable: string }>(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = 'ariane_activities' ORDER BY ordinal_position",
      );
      expect(columns.rows.map((c) => [c.column_name, c.data_type, c.is_nullable])).toEqual([
        ['conversation_id', 'text', 'NO'],
        ['watermark', 'integer', 'NO'],
        ['client_activity_id', 'text', 'YES'],
        ['activity', 'json', 'NO'],
      ]);
      // Opening it again changes nothing.
      await open(url);
      expect((await stores[0]!.log.list(Object.keys(schemaV2.expected)[1]!, 13)).watermark).toBe(16);
    } finally {
      await client.end();
    }
  });

  test('a version-2 row that cannot be read stops the migration, names the row and changes nothing', async () => {
    const { url, client } = await rebuild('schema_v2_corrupt', schemaV2.postgres);
    try {
      await client.query("UPDATE ariane_activities SET body = '\\x02ffff' WHERE watermark = 4 AND conversation_id = 'v2Conversation0000000B'");
      await expect(PostgresStore.open({ connectionString: url, pool: testPool })).rejects.toThrow(
        /activity of conversation "v2Conversation0000000B" cannot be read.*DELETE FROM ariane_activities WHERE conversation_id = 'v2Conversation0000000B' AND watermark = 4/,
      );
      expect((await client.query('SELECT version FROM ariane_schema_version')).rows).toEqual([{ version: 2 }]);
      expect((await client.query('SELECT COUNT(*)::int AS n FROM ariane_activities WHERE body IS NOT NULL')).rows).toEqual([{ n: 15 }]);
    } finally {
      await client.end();
    }
  });

  test('activities are plain json: psql and the JSON operators read them', async () => {
    const url = await server!.createDatabase('plain_json');
    const store = await open(url);
    await store.log.createConversation({ id: 'c', userId: 'dl_user', createdAt: 900 });
    const message = { type: 'message', from: { id: 'dl_user', role: 'user' }, text: 'Bonjour, « CAF » ? 🇫🇷', timestamp: new Date(1000).toISOString() };
    const hostile = { type: 'message', text: 'nul \u0000, lone \ud800' };
    await store.commitTurn({
      conversationId: 'c',
      appends: [{ activity: message, clientActivityId: 'k1' }, { activity: { type: 'message', text: 'Bonjour !' }, replyTo: 0 }, { activity: hostile }],
      kv: [],
    });
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ watermark: number; client_activity_id: string | null; role: string | null; text: string; reply: string | null }>(
        `SELECT watermark, client_activity_id, activity -> 'from' ->> 'role' AS role, activity ->> 'text' AS text, activity ->> 'replyToId' AS reply
         FROM ariane_activities WHERE conversation_id = 'c' AND watermark <= 2 ORDER BY watermark`,
      );
      expect(rows.map((r) => [r.watermark, r.client_activity_id, r.role, r.text, r.reply])).toEqual([
        [1, 'k1', 'user', 'Bonjour, « CAF » ? 🇫🇷', null],
        [2, null, null, 'Bonjour !', 'c|0000001'],
      ]);
      // jsonb operators through a cast.
      const found = await client.query(`SELECT watermark FROM ariane_activities WHERE conversation_id = 'c' AND watermark <= 2 AND activity::jsonb @> '{"text": "Bonjour !"}'`);
      expect(found.rows).toEqual([{ watermark: 2 }]);
      // The text is exactly the JSON given, key order and escapes included. (PostgreSQL's JSON
      // operators refuse a document with a \u0000 escape: such a row reads as text only.)
      const raw = await client.query<{ watermark: number; raw: string }>("SELECT watermark, activity::text AS raw FROM ariane_activities WHERE conversation_id = 'c' ORDER BY watermark");
      expect(raw.rows.map((r) => r.raw)).toEqual([JSON.stringify(message), '{"type":"message","text":"Bonjour !","replyToId":"c|0000001"}', JSON.stringify(hostile)]);
      expect(JSON.parse(raw.rows[2]!.raw)).toEqual(hostile);
    } finally {
      await client.end();
    }
  });

  test('a kv value or conversation data that cannot be read is skipped and reported once: null with its etag, no data', async () => {
    const url = await server!.createDatabase('unreadable');
    const reports: unknown[] = [];
    const store = await PostgresStore.open({ connectionString: url, pool: testPool, onUnreadable: (row) => reports.push(row) });
    opened.push(store);
    await store.log.createConversation({ id: 'c', userId: 'u', createdAt: 1, data: { locale: 'fr-FR' } });
    const { 'state/c': etag } = await store.kv.set([{ key: 'state/c', value: { node: 'q1' } }, { key: 'count/c', value: { turns: 3 } }]);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`UPDATE ariane_kv SET value = '{"answers":"06 12' WHERE key IN ('state/c', 'count/c')`);
      await client.query(`UPDATE ariane_conversations SET data = '{' WHERE id = 'c'`);
    } finally {
      await client.end();
    }
    expect((await store.kv.get(['state/c']))['state/c']).toEqual({ value: null, etag });
    expect(await store.kv.scan('state/')).toEqual([{ key: 'state/c', value: null, etag }]);
    expect(await store.log.getConversation('c')).toEqual({ id: 'c', userId: 'u', createdAt: 1 });
    await store.kv.set([{ key: 'state/c', value: { node: 'start' }, etag }]);
    expect((await store.kv.get(['state/c']))['state/c']?.value).toEqual({ node: 'start' });
    expect((await store.kv.increment('count/c', { turns: 1 })).value).toEqual({ turns: 1 });
    expect(reports).toEqual([{ table: 'kv', key: 'state/c' }, { table: 'conversations', key: 'c' }, { table: 'kv', key: 'count/c' }]);
  });

  test('createStore picks PostgreSQL when a database URL is given', async () => {
    const store = await createStore({ databaseUrl: server!.url, dataDir: '/nonexistent/never-used' });
    opened.push(store);
    expect(store.kind).toBe('postgres');
    await store.ping();
  });

  test('an unreachable database makes open reject', async () => {
    const err = await PostgresStore.open({ connectionString: 'postgres://ariane:s3cret@127.0.0.1:1/none', pool: { connectionTimeoutMillis: 2000 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/^PostgreSQL store \(127\.0\.0\.1:1\/none\): .*ECONNREFUSED/);
    expect((err as Error).message).not.toContain('s3cret');
  });

  test('ping rejects once the server is gone (readiness), without hanging', async () => {
    // The store reaches the server through a TCP relay that we cut: like a database going away.
    const sockets = new Set<Socket>();
    const relay = createServer((inbound) => {
      const outbound = connect(server!.port, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const port = (relay.address() as AddressInfo).port;
    const store = await open(server!.url.replace(`:${server!.port}/`, `:${port}/`));
    await store.ping();
    relay.close();
    for (const s of sockets) s.destroy();
    const started = Date.now();
    await expect(store.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  describe('two instances on one database', () => {
    let url: string;
    let a: PostgresStore;
    let b: PostgresStore;
    beforeAll(async () => {
      url = await server!.createDatabase('two_instances');
      [a, b] = await Promise.all([open(url), open(url)]);
    });

    test('appends from both (with and without client ids), concurrent: no duplicate and no missing watermark', async () => {
      await a.log.createConversation({ id: 'shared', userId: 'u', createdAt: Date.now() });
      const perInstance = 60;
      const run = (store: PostgresStore, tag: string) =>
        Promise.all(Array.from({ length: perInstance }, (_, i) => store.log.append('shared', { tag, i }, i % 2 ? `${tag}-${i}` : undefined)));
      const [fromA, fromB] = await Promise.all([run(a, 'a'), run(b, 'b')]);
      const marks = [...fromA, ...fromB].map((e) => e.watermark).sort((x, y) => x - y);
      expect(marks).toEqual(Array.from({ length: 2 * perInstance }, (_, i) => i + 1));
      const listed = await b.log.list('shared', undefined);
      expect(listed.activities.map((e) => e.watermark)).toEqual(marks);
      expect(listed.activities).toHaveLength(2 * perInstance);
      // Each instance's own appends keep their order in the stream.
      const orderOf = (tag: string) => listed.activities.filter((e) => e.activity.tag === tag).map((e) => e.activity.i);
      expect(new Set(orderOf('a')).size).toBe(perInstance);
      expect(new Set(orderOf('b')).size).toBe(perInstance);
    });

    test('the same clientActivityId posted to both instances at once is appended once', async () => {
      await a.log.createConversation({ id: 'retry', userId: 'u', createdAt: Date.now() });
      for (let round = 0; round < 20; round++) {
        const results = await Promise.all([
          a.log.append('retry', { round, via: 'a' }, `client-${round}`),
          b.log.append('retry', { round, via: 'b' }, `client-${round}`),
          a.log.append('retry', { round, via: 'a2' }, `client-${round}`),
        ]);
        expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
        expect(new Set(results.map((r) => r.id)).size).toBe(1);
      }
      const listed = await a.log.list('retry', undefined);
      expect(listed.activities.map((e) => e.watermark)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    test('two instances racing a conditional set on the same etag: exactly one wins', async () => {
      for (let round = 0; round < 25; round++) {
        const key = `race/${round}`;
        const { [key]: etag } = await a.kv.set([{ key, value: { turn: 0 } }]);
        const results = await Promise.allSettled([
          a.kv.set([{ key, value: { turn: 1, by: 'a' }, etag }]),
          b.kv.set([{ key, value: { turn: 1, by: 'b' }, etag }]),
        ]);
        const won = results.filter((r): r is PromiseFulfilledResult<Record<string, string>> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(ConflictError);
        const stored = (await b.kv.get<{ by: string }>([key]))[key]!;
        expect(stored.etag).toBe(won[0]!.value[key]);
        expect(stored.value.by).toBe(results[0]!.status === 'fulfilled' ? 'a' : 'b');
      }
    });

    test('racing multi-item writes never leave a mix of both', async () => {
      for (let round = 0; round < 15; round++) {
        const keys = [`pair/${round}/x`, `pair/${round}/y`];
        const etags = await a.kv.set(keys.map((key) => ({ key, value: 'init' })));
        const write = (store: PostgresStore, by: string) => store.kv.set(keys.map((key) => ({ key, value: by, etag: etags[key] })));
        const results = await Promise.allSettled([write(a, 'a'), write(b, 'b')]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const got = await a.kv.get<string>(keys);
        expect(got[keys[0]!]!.value).toBe(got[keys[1]!]!.value);
        expect(got[keys[0]!]!.value).not.toBe('init');
      }
    });

    test('multi-writes of the same keys in opposite orders do not deadlock', async () => {
      const keys = Array.from({ length: 6 }, (_, i) => `order/${i}`);
      for (let round = 0; round < 10; round++) {
        await Promise.all([
          a.kv.set(keys.map((key) => ({ key, value: `a${round}` }))),
          b.kv.set([...keys].reverse().map((key) => ({ key, value: `b${round}` }))),
        ]);
        const values = new Set(Object.values(await a.kv.get<string>(keys)).map((i) => i.value));
        expect(values.size).toBe(1);
      }
    });

    test('a reply appended by an instance that knew the conversation before it was purged and created again reads right', async () => {
      const day = 86_400_000;
      const old = Date.now() - 40 * day;
      await a.log.createConversation({ id: 'reborn', userId: 'first', createdAt: old }); // a remembers it
      await b.purge(Date.now(), old + 1);
      await b.log.createConversation({ id: 'reborn', userId: 'second', createdAt: Date.now() });
      const reply = { recipient: { id: 'second', role: 'user' }, from: { id: 'ariane' }, timestamp: new Date().toISOString() };
      expect((await a.log.append('reborn', reply)).activity).toEqual(reply);
      expect((await b.log.list('reborn', undefined)).activities.map((e) => e.activity)).toEqual([reply]);
      // And a conversation purged for good: the append is refused.
      await b.purge(Date.now(), Date.now() + 1);
      await expect(a.log.append('reborn', reply)).rejects.toBeInstanceOf(UnknownConversationError);
    });

    test('turns from both instances at once: each whole and gap-free; a retry on both commits once; one etag, two turns: one wins', async () => {
      await a.log.createConversation({ id: 'turns', userId: 'u', createdAt: Date.now() });
      const turn = (store: PostgresStore, tag: string, i: number) =>
        store.commitTurn({
          conversationId: 'turns',
          appends: [
            { activity: { tag, i }, clientActivityId: `${tag}-${i}` },
            { activity: { tag, i, reply: 1 }, replyTo: 0 },
          ],
          kv: [{ key: `turns/state/${i % 4}`, value: { tag, i } }, { key: 'turns/shared', value: { tag, i } }],
        });
      const all = await Promise.all(Array.from({ length: 30 }, (_, i) => turn(i % 2 ? a : b, i % 2 ? 'a' : 'b', i)));
      const marks = all.flatMap((t) => t.appended.map((e) => e.watermark)).sort((x, y) => x - y);
      expect(marks).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      for (const t of all) expect(t.appended[1]!.watermark).toBe(t.appended[0]!.watermark + 1);
      for (let round = 0; round < 10; round++) {
        const { [`turns/race/${round}`]: etag } = await a.kv.set([{ key: `turns/race/${round}`, value: 0 }]);
        const retry = (store: PostgresStore) =>
          store.commitTurn({ conversationId: 'turns', appends: [{ activity: { round }, clientActivityId: `retry-${round}` }], kv: [{ key: `turns/race/${round}`, value: 1, etag }] });
        const results = await Promise.allSettled([retry(a), retry(b), retry(a)]);
        const done = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof retry>>> => r.status === 'fulfilled');
        // The winner commits; the others see its turn (a replay), never a half-written one.
        expect(done).toHaveLength(3);
        expect(done.filter((r) => !r.value.replayed)).toHaveLength(1);
        expect(new Set(done.map((r) => r.value.appended[0]!.id)).size).toBe(1);
        // Two different turns on the same current etag: one wins, the other conflicts and leaves nothing.
        const current = (await a.kv.get([`turns/race/${round}`]))[`turns/race/${round}`]!.etag;
        const race = (store: PostgresStore, by: string) =>
          store.commitTurn({ conversationId: 'turns', appends: [{ activity: { round, by } }], kv: [{ key: `turns/race/${round}`, value: by, etag: current }] });
        const raced = await Promise.allSettled([race(a, 'a'), race(b, 'b')]);
        expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect(raced.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError)).toHaveLength(1);
      }
      const listed = await b.log.list('turns', undefined);
      expect(listed.activities.map((e) => e.watermark)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    });

    test('increments from both instances at once are all counted', async () => {
      const bump = (store: PostgresStore) => Promise.all(Array.from({ length: 25 }, () => store.kv.increment('stats:both', { reached: 1 })));
      await Promise.all([bump(a), bump(b)]);
      expect((await a.kv.get(['stats:both']))['stats:both']?.value).toEqual({ reached: 50 });
    });

    test('createIfAbsent from both instances at once: exactly one creates', async () => {
      for (let round = 0; round < 15; round++) {
        const key = `new/${round}`;
        const results = await Promise.allSettled([a.kv.set([{ key, value: 'a', etag: '' }]), b.kv.set([{ key, value: 'b', etag: '' }])]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      }
    });
  });
});

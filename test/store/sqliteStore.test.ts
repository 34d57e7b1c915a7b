import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore, SqliteStore, SQLITE_SCHEMA_VERSION } from '../../src/store';
import { decodeActivity } from '../../src/store/activityCodec';
import { expectSchemaV1Readable, insertRows, schemaV1 } from './schemaV1';
import { storeContract } from './storeContract';

const root = mkdtempSync(join(tmpdir(), 'ariane-sqlite-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('sqlite', async (clock) => SqliteStore.open({ dataDir: join(root, `db${++n}`), now: clock.now }));

describe('SQLite file', () => {
  test('data and schema version survive closing and reopening', async () => {
    const dataDir = join(root, 'reopen', 'nested'); // created if missing
    const first = await SqliteStore.open({ dataDir });
    const { k: etag } = await first.kv.set([{ key: 'k', value: { kept: true } }]);
    await first.log.createConversation({ id: 'c', userId: 'u', createdAt: 1 });
    await first.log.append('c', { text: 'one' }, 'x');
    await first.close();
    const second = await SqliteStore.open({ dataDir });
    expect((await second.kv.get(['k'])).k).toEqual({ value: { kept: true }, etag });
    expect((await second.log.append('c', { text: 'one again' }, 'x')).duplicate).toBe(true);
    expect((await second.log.append('c', { text: 'two' })).watermark).toBe(2);
    await second.close();
    const db = new Database(join(dataDir, 'ariane.db'));
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    db.close();
  });

  test('a database from a newer Ariane is refused with a clear message', async () => {
    const dataDir = join(root, 'future');
    await (await SqliteStore.open({ dataDir })).close();
    const db = new Database(join(dataDir, 'ariane.db'));
    db.prepare('UPDATE schema_version SET version = 42').run();
    db.close();
    await expect(SqliteStore.open({ dataDir })).rejects.toThrow(/schema version 42.*upgrade Ariane/);
  });

  test('createStore picks SQLite in the data dir when no database URL is given, memory when asked', async () => {
    const dataDir = join(root, 'factory');
    const store = await createStore({ dataDir });
    expect(store.kind).toBe('sqlite');
    expect(existsSync(join(dataDir, 'ariane.db'))).toBe(true);
    await store.close();
    const memory = await createStore({ dataDir: join(root, 'unused'), memory: true });
    expect(memory.kind).toBe('memory');
    expect(existsSync(join(root, 'unused'))).toBe(false);
    await memory.close();
  });

  test('a data dir that cannot be created gives a clear error', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'not a directory');
    await expect(SqliteStore.open({ dataDir: join(blocker, 'data') })).rejects.toThrow(/Cannot open the SQLite database .*a-file.*data directory/);
  });

  test('writes pending when the store closes are committed first', async () => {
    const dataDir = join(root, 'close');
    const store = await SqliteStore.open({ dataDir });
    const pending = store.kv.set([{ key: 'late', value: 1 }]);
    await store.close();
    await pending;
    const again = await SqliteStore.open({ dataDir });
    expect((await again.kv.get(['late'])).late?.value).toBe(1);
    await again.close();
  });

  test('a database written at schema version 1 (activities as JSON text) opens, reads and carries on', async () => {
    const dataDir = join(root, 'v1');
    mkdirSync(dataDir);
    const db = new Database(join(dataDir, 'ariane.db'));
    db.pragma('journal_mode = WAL');
    for (const sql of schemaV1.sqlite.schema) db.exec(sql);
    for (const [table, rows] of Object.entries(schemaV1.sqlite.rows)) await insertRows(table, rows, (sql, values) => db.prepare(sql).run(...values), false);
    db.close();

    const store = await SqliteStore.open({ dataDir });
    await expectSchemaV1Readable(store, schemaV1.sqlite.rows.kv[0]!.etag as string);
    await store.close();
    const after = new Database(join(dataDir, 'ariane.db'), { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    // Old rows stay text; the new one is the codec's bytes.
    const kinds = after.prepare('SELECT watermark, typeof(activity) AS kind FROM activities ORDER BY watermark').all() as Array<{ watermark: number; kind: string }>;
    expect(kinds.map((k) => k.kind)).toEqual(['text', 'text', 'text', 'text', 'text', 'text', 'blob']);
    after.close();
  });

  test('an activity appended with its conversation in the same batch is encoded against that conversation', async () => {
    const dataDir = join(root, 'same-batch');
    const store = await SqliteStore.open({ dataDir });
    const activity = { from: { id: 'dl_user', role: 'user' }, conversation: { id: 'c' }, timestamp: new Date(1000).toISOString() };
    // Not awaited in between: at append time the conversation is not committed yet.
    const [, entry] = await Promise.all([store.log.createConversation({ id: 'c', userId: 'dl_user', createdAt: 900 }), store.log.append('c', activity)]);
    expect(entry.activity).toEqual(activity);
    expect((await store.log.list('c', undefined)).activities[0]?.activity).toEqual(activity);
    await store.close();
    const db = new Database(join(dataDir, 'ariane.db'), { readonly: true });
    const stored = (db.prepare('SELECT activity FROM activities').get() as { activity: Buffer }).activity;
    db.close();
    // The user id is a token: reading the row needs the conversation's user.
    expect(decodeActivity(stored, { conversationId: 'c', userId: 'dl_user', createdAt: 900, clientActivityId: null })).toEqual(activity);
    expect(() => decodeActivity(stored, { conversationId: 'c', createdAt: 900, clientActivityId: null })).toThrow(/needs its user id/);
  });
});

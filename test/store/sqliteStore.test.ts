import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore, SqliteStore, SQLITE_SCHEMA_VERSION } from '../../src/store';
import { expectSchemaV1Readable, insertRows, schemaV1 } from './schemaV1';
import { expectSchemaV2Readable, insertV2Rows, schemaV2 } from './schemaV2';
import { storeContract } from './storeContract';

const root = mkdtempSync(join(tmpdir(), 'ariane-sqlite-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract('sqlite', async (clock) => SqliteStore.open({ dataDir: join(root, `db${++n}`), now: clock.now }), {
  reopen: async (store, clock) => {
    await store.close();
    return SqliteStore.open({ dataDir: dirname((store as SqliteStore).file), now: clock.now });
  },
});

/** Rebuilds a database from a fixture's schema and rows, as an older Ariane left it. */
async function rebuild(dataDir: string, fixture: { schema: string[]; rows: Record<string, Array<Record<string, unknown>>> }): Promise<void> {
  mkdirSync(dataDir);
  const db = new Database(join(dataDir, 'ariane.db'));
  db.pragma('journal_mode = WAL');
  for (const sql of fixture.schema) db.exec(sql);
  for (const [table, rows] of Object.entries(fixture.rows)) await insertV2Rows(table, rows, (sql, values) => db.prepare(sql).run(...values), false);
  db.close();
}

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
    // Old rows and the new one alike: JSON text.
    const kinds = after.prepare('SELECT typeof(activity) AS kind, json_valid(activity) AS json FROM activities ORDER BY watermark').all();
    expect(kinds).toEqual(Array.from({ length: 7 }, () => ({ kind: 'text', json: 1 })));
    after.close();
  });

  test('a database written at schema version 2 (compact activities) is migrated to JSON text at start, once', async () => {
    const dataDir = join(root, 'v2');
    await rebuild(dataDir, schemaV2.sqlite);
    const file = join(dataDir, 'ariane.db');
    const before = new Database(file, { readonly: true });
    expect(before.prepare("SELECT COUNT(*) AS n FROM activities WHERE typeof(activity) = 'blob'").get()).toEqual({ n: 15 });
    before.close();

    const store = await SqliteStore.open({ dataDir });
    await expectSchemaV2Readable(store, schemaV2.sqlite.rows.kv);
    await store.close();
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: SQLITE_SCHEMA_VERSION }]);
    expect(after.prepare("SELECT COUNT(*) AS n FROM activities WHERE typeof(activity) <> 'text' OR NOT json_valid(activity)").get()).toEqual({ n: 0 });
    after.close();
    // Opening it again changes nothing.
    const again = await SqliteStore.open({ dataDir });
    expect((await again.log.list(Object.keys(schemaV2.expected)[1]!, 13)).watermark).toBe(16);
    await again.close();
  });

  test('a version-2 row that cannot be read stops the migration, names the row and changes nothing', async () => {
    const dataDir = join(root, 'v2-corrupt');
    await rebuild(dataDir, schemaV2.sqlite);
    const file = join(dataDir, 'ariane.db');
    const db = new Database(file);
    db.prepare("UPDATE activities SET activity = x'02ffff' WHERE watermark = 4 AND conversation_id = 'v2Conversation0000000B'").run();
    db.close();
    await expect(SqliteStore.open({ dataDir })).rejects.toThrow(
      /activity of conversation "v2Conversation0000000B" cannot be read.*DELETE FROM activities WHERE conversation_id = 'v2Conversation0000000B' AND watermark = 4/,
    );
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT version FROM schema_version').get()).toEqual({ version: 2 });
    expect(after.prepare("SELECT COUNT(*) AS n FROM activities WHERE typeof(activity) = 'blob'").get()).toEqual({ n: 15 });
    after.close();
  });

  test('activities are plain JSON text: an SQL client reads them', async () => {
    const dataDir = join(root, 'plain');
    const store = await SqliteStore.open({ dataDir });
    await store.log.createConversation({ id: 'c', userId: 'dl_user', createdAt: 900 });
    const message = { type: 'message', from: { id: 'dl_user', role: 'user' }, conversation: { id: 'c' }, text: 'Bonjour, « CAF » ? 🇫🇷', timestamp: new Date(1000).toISOString() };
    await store.commitTurn({ conversationId: 'c', appends: [{ activity: message, clientActivityId: 'k1' }, { activity: { type: 'message', text: 'Bonjour !' }, replyTo: 0 }], kv: [] });
    await store.close();
    const db = new Database(join(dataDir, 'ariane.db'), { readonly: true });
    const rows = db
      .prepare("SELECT watermark, client_activity_id, activity, activity ->> '$.text' AS text, activity ->> '$.replyToId' AS reply FROM activities WHERE conversation_id = 'c' ORDER BY watermark")
      .all() as Array<{ watermark: number; client_activity_id: string | null; activity: string; text: string; reply: string | null }>;
    db.close();
    expect(rows.map((r) => [r.watermark, r.client_activity_id, r.text, r.reply])).toEqual([
      [1, 'k1', 'Bonjour, « CAF » ? 🇫🇷', null],
      [2, null, 'Bonjour !', 'c|0000001'],
    ]);
    expect(rows[0]!.activity).toBe(JSON.stringify(message));
    expect(JSON.parse(rows[1]!.activity)).toEqual({ type: 'message', text: 'Bonjour !', replyToId: 'c|0000001' });
  });
});

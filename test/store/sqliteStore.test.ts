import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore, SqliteStore, SQLITE_SCHEMA_VERSION } from '../../src/store';
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
});

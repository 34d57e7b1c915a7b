/**
 * A damaged SQLite store is refused at start with one line naming the file and the fix, instead of
 * starting "ready" and failing requests; a row that cannot be read is skipped (and reported), not
 * made to fail its whole conversation.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startService } from '../../src/main';
import { SqliteStore } from '../../src/store';

jest.setTimeout(30_000);

const root = mkdtempSync(join(tmpdir(), 'ariane-damage-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A closed store holding 300 conversations of 10 activities and their states (about 1.5 MB). */
async function filledStore(): Promise<string> {
  const dataDir = join(root, `db${++n}`);
  const store = await SqliteStore.open({ dataDir });
  for (let c = 0; c < 300; c++) {
    const id = `conversation-${c}`;
    await store.log.createConversation({ id, userId: `user-${c}`, createdAt: 1000 + c });
    await store.commitTurn({
      conversationId: id,
      appends: Array.from({ length: 10 }, (_, i) => ({ activity: { type: 'message', text: `message ${i} of ${id} `.repeat(20) } })),
      kv: [{ key: `state/directline/${id}`, value: { node: 'q1', answers: { a: 'x'.repeat(500) } } }],
    });
  }
  await store.close();
  return dataDir;
}

/** Expects `open` to refuse with one line naming the file and saying what to do. */
async function expectRefused(open: Promise<unknown>, file: string, what: RegExp): Promise<void> {
  let error: unknown;
  try {
    const store = await open;
    await (store as SqliteStore).close();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toContain(file);
  expect(message).toMatch(what);
  expect(message).toMatch(/restore .*backup/);
  expect(message).not.toContain('\n');
}

describe('damage found at start', () => {
  test('8 KB of junk in the middle of the file: refused (quick_check), and the file is left as it was', async () => {
    const dataDir = await filledStore();
    const file = join(dataDir, 'ariane.db');
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(1_000_000);
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(8192), 0, 8192, Math.floor(size / 2));
    closeSync(fd);
    await expectRefused(SqliteStore.open({ dataDir }), file, /is damaged/);
    expect(statSync(file).size).toBe(size);
    // Refused again: nothing was repaired or migrated behind the operator's back.
    await expectRefused(SqliteStore.open({ dataDir }), file, /is damaged/);
  });

  test('junk over the header: refused as not a database', async () => {
    const dataDir = await filledStore();
    const file = join(dataDir, 'ariane.db');
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(8192), 0, 8192, 0);
    closeSync(fd);
    await expectRefused(SqliteStore.open({ dataDir }), file, /is damaged/);
  });

  test('a 0-byte file (truncated, or replaced by an empty one) is refused, not started as an empty store', async () => {
    const dataDir = await filledStore();
    const file = join(dataDir, 'ariane.db');
    writeFileSync(file, '');
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    await expectRefused(SqliteStore.open({ dataDir }), file, /is empty \(0 bytes\)/);
    expect(statSync(file).size).toBe(0);
  });

  test('a WAL left without its database file is refused', async () => {
    const dataDir = join(root, `db${++n}`);
    mkdirSync(dataDir);
    const file = join(dataDir, 'ariane.db');
    writeFileSync(`${file}-wal`, randomBytes(4096));
    await expectRefused(SqliteStore.open({ dataDir }), file, /is missing/);
  });

  test('a fresh data directory still starts, and so does a healthy store', async () => {
    const dataDir = join(root, `db${++n}`);
    await (await SqliteStore.open({ dataDir })).close();
    const filled = await filledStore();
    const store = await SqliteStore.open({ dataDir: filled });
    expect((await store.log.list('conversation-150', undefined)).activities).toHaveLength(10);
    await store.close();
  });

  test('the service refuses to start on a damaged store, with that message', async () => {
    const dataDir = await filledStore();
    const file = join(dataDir, 'ariane.db');
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(8192), 0, 8192, Math.floor(statSync(file).size / 2));
    closeSync(fd);
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ARIANE_DATA_DIR: dataDir }, { dotenv: false });
    await expectRefused(startService(config, { logger: pino({ level: 'silent' }), watchFlows: false }), file, /is damaged/);
  });
});

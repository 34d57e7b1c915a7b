/**
 * A damaged SQLite store is refused at start with one line naming the file and the fix, instead of
 * starting "ready" and failing requests; a row that cannot be read is skipped (and reported), not
 * made to fail its whole conversation.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startService } from '../../src/main';
import { SqliteStore } from '../../src/store';
import { http } from '../e2e/support';

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

describe('a row that cannot be read', () => {
  /** A store whose rows were then damaged by hand: activity 2 of 4, the state, the conversation's data. */
  async function damagedRows(): Promise<{ dataDir: string; etag: string }> {
    const dataDir = join(root, `db${++n}`);
    const store = await SqliteStore.open({ dataDir });
    await store.log.createConversation({ id: 'c', userId: 'u', createdAt: 1, data: { locale: 'fr-FR' } });
    await store.commitTurn({
      conversationId: 'c',
      appends: [1, 2, 3, 4].map((i) => ({ activity: { type: 'message', text: `m${i}` }, clientActivityId: `k${i}` })),
      kv: [{ key: 'state/c', value: { node: 'q1' } }, { key: 'count/c', value: { turns: 5 } }],
    });
    const etag = (await store.kv.get(['state/c']))['state/c']!.etag;
    await store.close();
    const db = new Database(join(dataDir, 'ariane.db'));
    db.prepare(`UPDATE activities SET activity = '{"type":"message","text":"06 12 34' WHERE watermark = 2`).run();
    db.prepare(`UPDATE kv SET value = 'not json' WHERE key IN ('state/c', 'count/c')`).run();
    db.prepare(`UPDATE conversations SET data = '{"locale":' WHERE id = 'c'`).run();
    db.close();
    return { dataDir, etag };
  }

  test('is skipped and reported once, without its content; the rest of the conversation reads on', async () => {
    const { dataDir, etag } = await damagedRows();
    const reports: unknown[] = [];
    const store = await SqliteStore.open({ dataDir, onUnreadable: (row) => reports.push(row) });
    try {
      // The activity is left out; the watermark moves past it.
      const all = await store.log.list('c', undefined);
      expect(all.activities.map((a) => a.watermark)).toEqual([1, 3, 4]);
      expect(all.watermark).toBe(4);
      expect(await store.log.list('c', 1, 1)).toEqual({ activities: [], watermark: 2 });
      expect((await store.log.list('c', 2)).activities.map((a) => a.activity.text)).toEqual(['m3', 'm4']);
      // The conversation, without its data.
      expect(await store.log.getConversation('c')).toEqual({ id: 'c', userId: 'u', createdAt: 1 });
      // The state: null with its etag, which a conditional write replaces.
      expect((await store.kv.get(['state/c']))['state/c']).toEqual({ value: null, etag });
      expect((await store.kv.scan('state/'))).toEqual([{ key: 'state/c', value: null, etag }]);
      await store.kv.set([{ key: 'state/c', value: { node: 'start' }, etag }]);
      expect((await store.kv.get(['state/c']))['state/c']?.value).toEqual({ node: 'start' });
      // A counter starts again from nothing.
      expect((await store.kv.increment('count/c', { turns: 1 })).value).toEqual({ turns: 1 });
      // A retried message whose stored copy is damaged is still a replay.
      const replay = await store.commitTurn({ conversationId: 'c', appends: [{ activity: { type: 'message', text: 'again' }, clientActivityId: 'k2' }], kv: [] });
      expect(replay).toEqual({ replayed: true, appended: [{ id: 'c|0000002', watermark: 2, activity: {}, duplicate: true }], etags: {} });
      // The conversation carries on.
      expect((await store.log.append('c', { text: 'm5' })).watermark).toBe(5);
      // Each row once, however often it is read; never its text.
      expect(reports).toEqual([
        { table: 'activities', key: 'c', watermark: 2 },
        { table: 'conversations', key: 'c' },
        { table: 'kv', key: 'state/c' },
        { table: 'kv', key: 'count/c' },
      ]);
      expect(JSON.stringify(reports)).not.toContain('06 12');
    } finally {
      await store.close();
    }
  });

  test('in the service: the conversation keeps answering, and the log names the row, not its text', async () => {
    const dataDir = join(root, `db${++n}`);
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ARIANE_DATA_DIR: dataDir }, { dotenv: false });
    const service = await startService(config, { logger, watchFlows: false });
    try {
      const start = await http('POST', `${service.url}/v3/directline/conversations`, {});
      const { conversationId, token } = start.body as { conversationId: string; token: string };
      const activities = `${service.url}/v3/directline/conversations/${conversationId}/activities`;
      expect((await http('POST', activities, { token, body: { type: 'message', text: 'attestation caf', from: { id: 'x' } } })).status).toBe(200);
      // Damaged beside the running service: the person's message, and the conversation's state.
      const db = new Database(join(dataDir, 'ariane.db'));
      const damaged = db.prepare(`UPDATE activities SET activity = '{"text":"mon numéro 06 12' WHERE conversation_id = ? AND watermark = 2`).run(conversationId);
      expect(damaged.changes).toBe(1);
      db.prepare(`UPDATE kv SET value = '{"state":' WHERE key LIKE 'state/%' || ?`).run(conversationId);
      db.close();
      const list = await http('GET', activities, { token });
      expect(list.status).toBe(200);
      expect(list.body.activities.map((a: { id: string }) => a.id)).not.toContain(`${conversationId}|0000002`);
      expect(list.body.activities.length).toBeGreaterThan(1);
      // The next message runs a turn (the unreadable state is a fresh start) and gets its replies.
      const next = await http('POST', activities, { token, body: { type: 'message', text: 'attestation caf', from: { id: 'x' } } });
      expect(next.status).toBe(200);
      const after = await http('GET', `${activities}?watermark=${list.body.watermark}`, { token });
      expect(after.status).toBe(200);
      expect(after.body.activities.some((a: { from?: { role?: string } }) => a.from?.role === 'bot')).toBe(true);
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; row?: unknown });
      expect(logged.filter((l) => l.msg.includes('cannot be read'))).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ row: { table: 'activities', key: conversationId, watermark: 2 } }),
          expect.objectContaining({ row: { table: 'kv', key: expect.stringContaining(conversationId) } }),
        ]),
      );
      expect(lines.join('\n')).not.toContain('06 12');
    } finally {
      await service.close();
    }
  });
});

/**
 * Purged data leaves the files: after the retention purge, a raw read of `ariane.db` and of its WAL
 * finds none of the purged conversations' text, states or handoff codes (SQLite's secure_delete
 * zeroes deleted content; a TRUNCATE checkpoint after the purge copies the zeroed pages over the old
 * ones and empties the WAL, whose stale frames still held earlier page images). A database written
 * before, with deleted data in its free pages, is scrubbed once (VACUUM) when this version opens it.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore, SQLITE_SCHEMA_VERSION } from '../../src/store';
import { schemaV1 } from './schemaV1';

jest.setTimeout(60_000);

const root = mkdtempSync(join(tmpdir(), 'ariane-purge-'));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAY = 86_400_000;

/** Personal-looking text, unique per conversation, as an unmasked variant might slip through. */
function personal(i: number): string[] {
  const d = String(i).padStart(2, '0');
  return [`06 12 34 56 ${d}`, `marie.dupont${d}@example.fr`, `FR76 3000 6000 0112 3456 7890 1${d}`, `1 85 05 78 006 0${d} 36`, `HANDOFF-CODE-${d}X`];
}

/** Which of `needles` the raw bytes of the database file and its WAL still hold. */
function foundInFiles(file: string, needles: string[]): string[] {
  const bytes = Buffer.concat([readFileSync(file), existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
  return needles.filter((needle) => bytes.includes(Buffer.from(needle, 'utf8')));
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Old conversations full of personal text (states rewritten several times, handoff summaries, big
 * activities spilling onto overflow pages), checkpointed, then newer writes that restart the WAL over
 * its first frames; returns the store, open, with every old conversation idle since day 0.
 */
async function storeWithOldConversations(dataDir: string, clock: { time: number }, checkpointWorker: boolean): Promise<SqliteStore> {
  const store = await SqliteStore.open({ dataDir, now: () => clock.time, checkpointWorker });
  for (let i = 0; i < 40; i++) {
    const id = `old-${i}`;
    const [phone, email, iban, nir, code] = personal(i);
    await store.log.createConversation({ id, userId: `user-${i}`, createdAt: clock.time });
    for (let turn = 0; turn < 4; turn++) {
      await store.commitTurn({
        conversationId: id,
        appends: [
          { activity: { type: 'message', text: `mon numéro est ${phone}, mon mail ${email}` }, clientActivityId: `${id}-${turn}` },
          { activity: { type: 'message', text: `IBAN ${iban} ${'·'.repeat(3000)}` }, replyTo: 0 },
        ],
        kv: [
          { key: `state/directline/${id}`, value: { turn, answers: { nir, phone }, pad: 'x'.repeat(turn * 700) }, expiresAt: clock.time + 5 * DAY },
          { key: `handoff/${code}`, value: { code, answers: [{ answer: email }] }, expiresAt: clock.time + DAY },
        ],
      });
    }
  }
  // Let the checkpoint copy all that into the database file, then write on: the WAL restarts from
  // its beginning, and the frames beyond what is rewritten keep their old page images.
  if (checkpointWorker) await pause(600);
  else (store as unknown as { db: Database.Database }).db.pragma('wal_checkpoint(PASSIVE)');
  clock.time += 10 * DAY;
  await store.log.createConversation({ id: 'recent', userId: 'user-recent', createdAt: clock.time });
  await store.commitTurn({ conversationId: 'recent', appends: [{ activity: { type: 'message', text: 'KEPT-MARKER 07 98 76 54 32' } }], kv: [] });
  return store;
}

describe.each([
  ['with the checkpoint worker', true],
  ['without it (SQLite checkpoints in COMMIT)', false],
])('after the retention purge, %s', (_label, checkpointWorker) => {
  test('the purged conversations are in neither the database file nor its WAL; the kept one is', async () => {
    const clock = { time: Date.UTC(2026, 0, 1) };
    const store = await storeWithOldConversations(join(root, `db${++n}`), clock, checkpointWorker);
    try {
      const needles = Array.from({ length: 40 }, (_, i) => personal(i)).flat();
      // The test can fail: before the purge the raw files hold every one of them.
      expect(foundInFiles(store.file, needles)).toEqual(needles);
      const purged = await store.purge(clock.time, clock.time - 5 * DAY);
      expect(purged).toBe(40 + 40 + 40); // conversations, their states, their summaries (expired)
      expect(foundInFiles(store.file, needles)).toEqual([]);
      expect(foundInFiles(store.file, ['KEPT-MARKER 07 98 76 54 32'])).toHaveLength(1);
      // And the store carries on.
      await store.commitTurn({ conversationId: 'recent', appends: [{ activity: { text: 'after' } }], kv: [] });
      expect((await store.log.list('recent', undefined)).activities.map((a) => a.activity.text)).toEqual(['KEPT-MARKER 07 98 76 54 32', 'after']);
    } finally {
      await store.close();
    }
  });
});

test('a database written before secure deletion (schema 1-3) is scrubbed once when opened: deleted data leaves its free pages', async () => {
  const dataDir = join(root, `db${++n}`);
  mkdirSync(dataDir);
  const file = join(dataDir, 'ariane.db');
  // As an older Ariane left it: rows deleted with secure_delete off, their bytes still in free space.
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const sql of schemaV1.sqlite.schema) db.exec(sql);
  db.prepare('INSERT INTO schema_version (version) VALUES (3)').run();
  const insert = db.prepare('INSERT INTO kv (key, value, etag) VALUES (?, ?, ?)');
  for (let i = 0; i < 200; i++) insert.run(`state/${i}`, JSON.stringify({ secret: `OLD-SECRET-${i}`, pad: 'x'.repeat(1500) }), 'e');
  insert.run('kept', JSON.stringify({ text: 'STILL-HERE' }), 'e');
  db.prepare("DELETE FROM kv WHERE key LIKE 'state/%'").run();
  db.close();
  expect(foundInFiles(file, ['OLD-SECRET-7', 'OLD-SECRET-150'])).toHaveLength(2);

  const store = await SqliteStore.open({ dataDir });
  try {
    expect(foundInFiles(file, ['OLD-SECRET-7', 'OLD-SECRET-150'])).toEqual([]);
    expect((await store.kv.get(['kept'])).kept?.value).toEqual({ text: 'STILL-HERE' });
  } finally {
    await store.close();
  }
  const after = new Database(file, { readonly: true });
  expect(after.prepare('SELECT version FROM schema_version').get()).toEqual({ version: SQLITE_SCHEMA_VERSION });
  after.close();
});

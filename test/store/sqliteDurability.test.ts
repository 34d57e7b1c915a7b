/**
 * "A turn whose POST was acknowledged survives kill -9": a child process writes through SqliteStore
 * and prints an acknowledgement after each write resolves; we SIGKILL it mid-run, reopen the
 * database and check that every acknowledged write is there and that the store carries on.
 *
 * What this proves: process-crash durability. Power-loss durability rests on the store fsyncing the
 * WAL before it acknowledges a write, which a test cannot cut the power on; the tests below check
 * that no write is acknowledged before that fsync, and that the fsynced file is SQLite's WAL.
 */
import { spawn } from 'node:child_process';
import { fstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { buildSync } from 'esbuild';
import { SqliteStore } from '../../src/store';

const root = mkdtempSync(join(tmpdir(), 'ariane-kill9-'));
const projectRoot = resolve(__dirname, '../..');
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Bundles src/store for a plain `node` child (no ts-jest there). */
function bundleStore(): string {
  const outfile = join(root, 'store.js');
  buildSync({
    entryPoints: [join(projectRoot, 'src/store/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'pg'],
    logLevel: 'silent',
  });
  return outfile;
}

const WORKERS = 20;

const childSource = (bundle: string, dataDir: string) => `
const { SqliteStore } = require(${JSON.stringify(bundle)});
(async () => {
  const store = await SqliteStore.open({ dataDir: ${JSON.stringify(dataDir)} });
  for (let w = 0; w < ${WORKERS}; w++) {
    await store.log.createConversation({ id: 'c' + w, userId: 'u', createdAt: Date.now() }).catch(() => {});
  }
  process.stdout.write('ready\\n');
  let next = 0;
  const worker = async (w) => {
    for (;;) {
      const n = next++;
      const etags = await store.kv.set([{ key: 'state/' + n, value: { n, w } }]);
      const entry = await store.log.append('c' + w, { type: 'message', n }, 'cid-' + n);
      process.stdout.write('ack ' + n + ' ' + w + ' ' + entry.watermark + ' ' + etags['state/' + n] + '\\n');
    }
  };
  for (let w = 0; w < ${WORKERS}; w++) worker(w);
})().catch((err) => { console.error(err); process.exit(1); });
`;

/** The same writer, but each write is one turn: a message and its reply, and a kv item. */
const turnChildSource = (bundle: string, dataDir: string) => `
const { SqliteStore } = require(${JSON.stringify(bundle)});
(async () => {
  const store = await SqliteStore.open({ dataDir: ${JSON.stringify(dataDir)} });
  for (let w = 0; w < ${WORKERS}; w++) {
    await store.log.createConversation({ id: 't' + w, userId: 'u', createdAt: Date.now() }).catch(() => {});
  }
  process.stdout.write('ready\\n');
  let next = 0;
  const worker = async (w) => {
    for (;;) {
      const n = next++;
      const turn = await store.commitTurn({
        conversationId: 't' + w,
        appends: [{ activity: { type: 'message', n }, clientActivityId: 'cid-' + n }, { activity: { type: 'message', n, reply: true }, replyTo: 0 }],
        kv: [{ key: 'turn/' + n, value: { n, w }, etag: '' }],
      });
      process.stdout.write('ack ' + n + ' ' + w + ' ' + turn.appended[0].watermark + ' ' + turn.etags['turn/' + n] + '\\n');
    }
  };
  for (let w = 0; w < ${WORKERS}; w++) worker(w);
})().catch((err) => { console.error(err); process.exit(1); });
`;

interface Ack {
  n: number;
  w: number;
  watermark: number;
  etag: string;
}

/** Runs the writer child until `acksBeforeKill` acknowledgements, then SIGKILLs it. */
async function runAndKill(bundle: string, dataDir: string, acksBeforeKill: number, source = childSource): Promise<Ack[]> {
  const script = join(root, `child-${Date.now()}.js`);
  writeFileSync(script, source(bundle, dataDir));
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, NODE_PATH: join(projectRoot, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [word, n, w, watermark, etag] = line.split(' ');
        if (word !== 'ack') continue;
        acks.push({ n: Number(n), w: Number(w), watermark: Number(watermark), etag: etag! });
        if (acks.length === acksBeforeKill) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') done(acks);
      else fail(new Error(`writer exited with ${code ?? signal} after ${acks.length} acks: ${stderr}`));
    });
  });
}

test('every write acknowledged before kill -9 is there after reopening, and the store carries on', async () => {
  const bundle = bundleStore();
  const dataDir = join(root, 'data');
  let total = 0;
  for (const round of [1, 2]) {
    const acks = await runAndKill(bundle, dataDir, 400 * round);
    total += acks.length;
    const store = await SqliteStore.open({ dataDir });
    try {
      const states = await store.kv.get<{ n: number; w: number }>(acks.map((a) => `state/${a.n}`));
      const missing = acks.filter((a) => states[`state/${a.n}`]?.etag !== a.etag);
      expect(missing).toEqual([]);
      for (let w = 0; w < WORKERS; w++) {
        const { activities } = await store.log.list(`c${w}`, undefined);
        // Watermarks stay gap-free across the crash, and each acknowledged append is at its watermark.
        expect(activities.map((a) => a.watermark)).toEqual(activities.map((_, i) => i + 1));
        for (const ack of acks.filter((a) => a.w === w)) {
          expect(activities[ack.watermark - 1]?.activity).toEqual({ type: 'message', n: ack.n });
        }
      }
      // The conversation continues where it stopped.
      const { watermark } = await store.log.list('c0', undefined);
      expect((await store.log.append('c0', { type: 'message', text: 'after restart' })).watermark).toBe(watermark + 1);
    } finally {
      await store.close();
    }
  }
  // Lines already in the pipe when the signal lands are acknowledgements too (and were checked).
  expect(total).toBeGreaterThanOrEqual(1200);
});

test('every turn acknowledged before kill -9 is there, whole; no turn is there in part', async () => {
  const dataDir = join(root, 'turns');
  const acks = await runAndKill(bundleStore(), dataDir, 300, turnChildSource);
  const store = await SqliteStore.open({ dataDir });
  try {
    const items = new Map((await store.kv.scan<{ n: number; w: number }>('turn/')).map((i) => [i.value.n, i]));
    for (const ack of acks) expect(items.get(ack.n)?.etag).toBe(ack.etag);
    const logged = new Set<number>();
    for (let w = 0; w < WORKERS; w++) {
      const { activities } = await store.log.list(`t${w}`, undefined);
      expect(activities.map((a) => a.watermark)).toEqual(activities.map((_, i) => i + 1));
      // Message, reply, message, reply…: a turn is never cut in two.
      expect(activities.length % 2).toBe(0);
      for (let i = 0; i < activities.length; i += 2) {
        const [message, reply] = [activities[i]!, activities[i + 1]!];
        expect(reply.activity).toEqual({ type: 'message', n: message.activity.n, reply: true, replyToId: message.id });
        logged.add(message.activity.n as number);
      }
      for (const ack of acks.filter((a) => a.w === w)) expect(activities[ack.watermark - 1]?.activity).toEqual({ type: 'message', n: ack.n });
    }
    // Turns that committed without being acknowledged count too: the log and the kv agree exactly.
    expect([...logged].sort((x, y) => x - y)).toEqual([...items.keys()].sort((x, y) => x - y));
    expect(logged.size).toBeGreaterThanOrEqual(acks.length);
  } finally {
    await store.close();
  }
});

test('the database runs in WAL mode; the store fsyncs the WAL itself (synchronous=NORMAL)', async () => {
  const dataDir = join(root, 'pragmas');
  const store = await SqliteStore.open({ dataDir });
  const db = new Database(store.file, { readonly: true });
  try {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  } finally {
    db.close();
  }
  // Pragmas are per connection: check the store's own.
  expect((store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL
  await store.close();
});

test('a write is acknowledged only after the WAL fsync, which covers every write committed before it', async () => {
  const syncs: Array<() => void> = [];
  let synced = 0;
  const store = await SqliteStore.open({
    dataDir: join(root, 'held-fsync'),
    syncFile: (fd, done) => {
      expect(typeof fd).toBe('number');
      syncs.push(() => {
        synced++;
        done(null);
      });
    },
  });
  let acknowledged = 0;
  const first = store.kv.set([{ key: 'a', value: 1 }]).then(() => acknowledged++);
  await new Promise((r) => setTimeout(r, 20));
  expect(syncs).toHaveLength(1); // committed, fsync requested, not acknowledged yet
  expect(acknowledged).toBe(0);
  // Committed data is readable at once (it will be durable before any later write is acknowledged).
  expect((await store.kv.get(['a'])).a?.value).toBe(1);
  // Writes committed while an fsync is in flight wait for the next one: one fsync for the group.
  const later = [store.kv.set([{ key: 'b', value: 2 }]), store.kv.set([{ key: 'c', value: 3 }])];
  await new Promise((r) => setTimeout(r, 20));
  expect(syncs).toHaveLength(1);
  syncs.shift()!();
  await first;
  expect(acknowledged).toBe(1);
  await new Promise((r) => setTimeout(r, 20));
  expect(syncs).toHaveLength(1);
  syncs.shift()!();
  await Promise.all(later);
  expect(synced).toBe(2);
  const closing = store.close();
  await closing;
});

test('a turn joins the group commit: acknowledged after the one fsync that covers it and the writes beside it', async () => {
  const syncs: Array<() => void> = [];
  const store = await SqliteStore.open({ dataDir: join(root, 'held-fsync-turn'), syncFile: (_fd, done) => syncs.push(() => done(null)) });
  const created = store.log.createConversation({ id: 'c', userId: 'u', createdAt: 1 });
  await new Promise((r) => setTimeout(r, 20));
  syncs.shift()!();
  await created;
  let acknowledged = 0;
  const turn = store.commitTurn({ conversationId: 'c', appends: [{ activity: { text: 'm' }, clientActivityId: 'k' }, { activity: { text: 'r' }, replyTo: 0 }], kv: [{ key: 's', value: 1 }] }).then((t) => {
    acknowledged++;
    return t;
  });
  const beside = store.kv.set([{ key: 'beside', value: 1 }]).then(() => acknowledged++);
  await new Promise((r) => setTimeout(r, 20));
  expect(syncs).toHaveLength(1);
  expect(acknowledged).toBe(0);
  expect((await store.log.list('c', undefined)).activities).toHaveLength(2);
  syncs.shift()!();
  expect((await turn).appended.map((a) => a.watermark)).toEqual([1, 2]);
  await beside;
  expect(acknowledged).toBe(2);
  expect(syncs).toHaveLength(0);
  await store.close();
});

test('when the fsync fails, the writes it covered are not acknowledged', async () => {
  let fail = true;
  const store = await SqliteStore.open({
    dataDir: join(root, 'failing-fsync'),
    syncFile: (_fd, done) => setImmediate(() => done(fail ? Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }) : null)),
  });
  await expect(store.kv.set([{ key: 'a', value: 1 }])).rejects.toThrow(/could not make a write durable: EIO/);
  fail = false;
  await store.log.createConversation({ id: 'c', userId: 'u', createdAt: 1 });
  fail = true;
  await expect(store.commitTurn({ conversationId: 'c', appends: [{ activity: {} }], kv: [] })).rejects.toThrow(/could not make a write durable: EIO/);
  fail = false;
  await expect(store.kv.set([{ key: 'b', value: 2 }])).resolves.toHaveProperty('b');
  await store.close();
});

test('close waits for the fsync of writes already accepted', async () => {
  let release: (() => void) | undefined;
  const store = await SqliteStore.open({
    dataDir: join(root, 'close-waits'),
    syncFile: (_fd, done) => {
      release = () => done(null);
    },
  });
  const write = store.kv.set([{ key: 'a', value: 1 }]);
  let closed = false;
  const closing = store.close().then(() => (closed = true));
  await new Promise((r) => setTimeout(r, 20));
  expect(closed).toBe(false);
  release!();
  await write;
  await closing;
  expect(closed).toBe(true);
});

test('the WAL file the store fsyncs stays the one SQLite writes, across checkpoints', async () => {
  const store = await SqliteStore.open({ dataDir: join(root, 'checkpoints') });
  const walFd = (store as unknown as { walFd: number }).walFd;
  const inode = statSync(`${store.file}-wal`).ino;
  const big = 'x'.repeat(4000);
  // ~12 MB of writes: several automatic checkpoints (every ~4 MB of WAL) reset the WAL.
  for (let round = 0; round < 30; round++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.kv.set([{ key: `k${i}`, value: { big, round } }])));
  }
  expect(fstatSync(walFd).ino).toBe(inode);
  expect(statSync(`${store.file}-wal`).ino).toBe(inode);
  await store.close();
});

test('checkpoints run in a worker; if it dies, SQLite checkpoints by itself again', async () => {
  const store = await SqliteStore.open({ dataDir: join(root, 'checkpointer') });
  const inside = store as unknown as { db: Database.Database; checkpointer?: Worker };
  const autocheckpoint = () => inside.db.pragma('wal_autocheckpoint', { simple: true });
  for (let i = 0; i < 100 && autocheckpoint() !== 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(autocheckpoint()).toBe(0);
  // The worker copies the WAL back: after writes and a pause, the database file has grown.
  const before = statSync(store.file).size;
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.kv.set([{ key: `k${i}`, value: 'x'.repeat(2000) }])));
  for (let i = 0; i < 50 && statSync(store.file).size === before; i++) await new Promise((r) => setTimeout(r, 50));
  expect(statSync(store.file).size).toBeGreaterThan(before + 200 * 2000);
  await inside.checkpointer!.terminate();
  for (let i = 0; i < 50 && autocheckpoint() === 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(autocheckpoint()).toBe(1000);
  await store.kv.set([{ key: 'still', value: 'works' }]);
  await store.close();
});

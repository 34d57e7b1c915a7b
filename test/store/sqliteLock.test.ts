/**
 * Another process holding SQLite's write lock (an admin's `sqlite3` session, a CLI import) must not
 * freeze the service: the store never waits for the lock on the event loop. Writes wait for it
 * asynchronously, `ping` (and so `/readyz`) says the store is not ready meanwhile, and the writes
 * land once the lock is released.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '../e2e/support';
import { startInProcess } from '../server/serviceHarness';
import { SqliteStore } from '../../src/store';

jest.setTimeout(30_000);

const root = mkdtempSync(join(tmpdir(), 'ariane-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A child process that takes the database's write lock (BEGIN IMMEDIATE) and holds it until released. */
interface LockHolder {
  release(): Promise<void>;
  kill(): void;
}

const holders: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of holders.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function holdWriteLock(file: string): Promise<LockHolder> {
  const source = `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(file)});
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO kv (key, value, etag) VALUES ('held', '1', 'x') ON CONFLICT (key) DO NOTHING").run();
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => {
      db.exec('COMMIT');
      db.close();
      process.stdout.write('released\\n');
    });
  `;
  const child = spawn(process.execPath, ['-e', source]);
  holders.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const said = (word: string) =>
    new Promise<void>((done, fail) => {
      const check = () => {
        if (out.includes(word)) done();
      };
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
      child.once('exit', (code) => (out.includes(word) ? done() : fail(new Error(`lock holder exited with ${code}: ${err}`))));
      check();
    });
  await said('locked');
  return {
    release: async () => {
      child.stdin.write('go\n');
      await said('released');
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/** Settles to 'pending' if `promise` has not settled once the event loop ran the callbacks queued so far. */
async function stateOf(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  );
  await new Promise((done) => setImmediate(done));
  return state;
}

const delay = (ms: number) => new Promise((done) => setTimeout(done, ms));

test('writes wait for the lock without blocking the event loop, then land in order; reads and timers go on; ping says why it is not ready', async () => {
  const store = await SqliteStore.open({ dataDir: join(root, 'store') });
  try {
    await store.kv.set([{ key: 'read-me', value: 'before' }]);
    const holder = await holdWriteLock(store.file);
    const first = store.kv.set([{ key: 'k', value: 1 }]);
    const second = store.kv.set([{ key: 'k', value: 2 }]);
    // Before this change the commit waited here (busy_timeout, on the event loop) and then failed.
    expect(await stateOf(first)).toBe('pending');
    let timers = 0;
    const interval = setInterval(() => timers++, 1);
    await delay(200);
    clearInterval(interval);
    expect(timers).toBeGreaterThan(0);
    expect(await stateOf(first)).toBe('pending');
    expect(await stateOf(second)).toBe('pending');
    // Reads go on (WAL: they do not need the write lock).
    expect((await store.kv.get(['read-me']))['read-me']?.value).toBe('before');
    await expect(store.ping()).rejects.toThrow(/locked by another process/);
    // A write made while others wait goes after them.
    const third = store.kv.set([{ key: 'k', value: 3 }]);
    await holder.release();
    await Promise.all([first, second, third]);
    expect((await store.kv.get(['k'])).k?.value).toBe(3);
    expect((await store.kv.get(['held'])).held?.value).toBe(1);
    await expect(store.ping()).resolves.toBeUndefined();
  } finally {
    await store.close();
  }
});

test('a quiet store still notices the lock: ping fails while another process holds it', async () => {
  const store = await SqliteStore.open({ dataDir: join(root, 'quiet') });
  try {
    await expect(store.ping()).resolves.toBeUndefined();
    const holder = await holdWriteLock(store.file);
    await expect(store.ping()).rejects.toThrow(/locked by another process/);
    await holder.release();
    await expect(store.ping()).resolves.toBeUndefined();
  } finally {
    await store.close();
  }
});

test('a store opens while another process holds the lock, and says so until it is released', async () => {
  const dataDir = join(root, 'reopen');
  const file = await SqliteStore.open({ dataDir }).then(async (store) => {
    await store.kv.set([{ key: 'k', value: 'kept' }]);
    await store.close();
    return store.file;
  });
  const holder = await holdWriteLock(file);
  const store = await SqliteStore.open({ dataDir });
  try {
    expect((await store.kv.get(['k'])).k?.value).toBe('kept');
    await expect(store.ping()).rejects.toThrow(/locked by another process/);
    const write = store.kv.set([{ key: 'k', value: 'new' }]);
    await holder.release();
    await write;
    await expect(store.ping()).resolves.toBeUndefined();
  } finally {
    await store.close();
  }
});

test('a write that waits longer than the lock timeout fails with a message; the store carries on afterwards', async () => {
  const store = await SqliteStore.open({ dataDir: join(root, 'timeout'), lockTimeoutMs: 300 });
  try {
    const holder = await holdWriteLock(store.file);
    await expect(store.kv.set([{ key: 'k', value: 'lost' }])).rejects.toThrow(/locked by another process .*not made/);
    await holder.release();
    await store.kv.set([{ key: 'k', value: 'kept' }]);
    expect((await store.kv.get(['k'])).k?.value).toBe('kept');
  } finally {
    await store.close();
  }
});

test('close while writes wait for the lock: they are committed once it is released, then the store closes', async () => {
  const dataDir = join(root, 'close');
  const store = await SqliteStore.open({ dataDir });
  const holder = await holdWriteLock(store.file);
  const write = store.kv.set([{ key: 'k', value: 'late' }]);
  const closed = store.close();
  expect(await stateOf(closed)).toBe('pending');
  await holder.release();
  await closed;
  await write;
  const again = await SqliteStore.open({ dataDir });
  expect((await again.kv.get(['k'])).k?.value).toBe('late');
  await again.close();
});

test('the service keeps answering while another process holds the lock: /healthz answers, /readyz says not ready, the held request completes after', async () => {
  const service = await startInProcess();
  try {
    const holder = await holdWriteLock((service.store as SqliteStore).file);
    // Starting a conversation writes (the conversation, the welcome turn): it waits for the lock.
    const start = http('POST', `${service.url}/v3/directline/conversations`, {});
    let started = false;
    void start.then(() => (started = true));
    await delay(100);
    const health = await http('GET', `${service.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await http('GET', `${service.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.store).toMatch(/locked by another process/);
    expect(started).toBe(false);
    await holder.release();
    expect((await start).status).toBe(201);
    expect((await http('GET', `${service.url}/readyz`)).status).toBe(200);
  } finally {
    await service.cleanup();
  }
});

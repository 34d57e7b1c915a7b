/**
 * "A turn whose POST was acknowledged survives kill -9": a child process writes through SqliteStore
 * and prints an acknowledgement after each write resolves; we SIGKILL it mid-run, reopen the
 * database and check that every acknowledged write is there and that the store carries on.
 *
 * What this proves: process-crash durability (group commit + WAL). Power-loss durability rests on
 * `synchronous=FULL` (WAL fsynced before a write resolves), which a test cannot cut the power on;
 * the pragma itself is checked below.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

interface Ack {
  n: number;
  w: number;
  watermark: number;
  etag: string;
}

/** Runs the writer child until `acksBeforeKill` acknowledgements, then SIGKILLs it. */
async function runAndKill(bundle: string, dataDir: string, acksBeforeKill: number): Promise<Ack[]> {
  const script = join(root, `child-${Date.now()}.js`);
  writeFileSync(script, childSource(bundle, dataDir));
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
  expect(total).toBe(1200);
});

test('the database runs in WAL mode with synchronous=FULL', async () => {
  const dataDir = join(root, 'pragmas');
  const store = await SqliteStore.open({ dataDir });
  // The pragmas are per connection: check through the store's own file and a second connection.
  const db = new Database(store.file, { readonly: true });
  try {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  } finally {
    db.close();
  }
  expect((store as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
  await store.close();
});

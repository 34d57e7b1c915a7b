/**
 * Figures for issue 17 items 4 and 5, apart from the main bench (it needs PostgreSQL):
 *
 * - the cost of one shared limit check in PostgreSQL (`sharedLimiters` over the store's
 *   `ariane_limits`), sequential and 20 at a time, against the in-memory limiter;
 * - the store reads of 20 idle WebSocket streams over 30 s: woken on append (15 s safety poll)
 *   against polling every second, as streams did before;
 * - the time from a message posted on instance A to its reply on a stream open on instance B (two
 *   in-process instances on one PostgreSQL), against the same instance.
 *
 * Run, after `npm run build`, from the project's folder:
 *   npx esbuild test/bench/limitsStreams.ts --bundle --platform=node --packages=external
 *     --banner:js='globalThis.describe ??= Object.assign(() => {}, { skip: () => {} });'
 *     --outfile=dist/bench/limitsStreams.js && node dist/bench/limitsStreams.js
 * (the banner stands in for Jest's `describe`, which test/support/postgres names when loaded).
 * It starts a throw-away PostgreSQL with test/support/postgres.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import WebSocket from 'ws';
import type { RunningService } from '../../src/main';
import { startPostgres } from '../support/postgres';

// The service as `npm run build` compiled it (bundling src/main.ts would also run its `main()`).
/* eslint-disable @typescript-eslint/no-require-imports */
const dist = join(process.cwd(), 'dist');
const { loadConfig } = require(join(dist, 'config')) as typeof import('../../src/config');
const { memoryLimiters, sharedLimiters } = require(join(dist, 'limits')) as typeof import('../../src/limits');
const { startService } = require(join(dist, 'main.js')) as typeof import('../../src/main');
const { PostgresStore } = require(join(dist, 'store')) as typeof import('../../src/store');
/* eslint-enable @typescript-eslint/no-require-imports */

function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return `mean ${mean.toFixed(3)} ms, p50 ${quantile(s, 0.5).toFixed(3)} ms, p99 ${quantile(s, 0.99).toFixed(3)} ms (n=${s.length})`;
}

async function start(env: Record<string, string>, streamPollMs?: number): Promise<RunningService & { dir: { remove(): void } }> {
  const dir = tempDir('ariane-measure-');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ARIANE_DATA_DIR: dir.path, LOG_LEVEL: 'silent', ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '1000000', ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '1000000', ...env }, { dotenv: false });
  const service = await startService(config, { logger: pino({ level: 'silent' }), watchFlows: false, ...(streamPollMs !== undefined ? { streamPollMs } : {}) });
  return { ...service, dir };
}

async function post(url: string, path: string, token: string | undefined, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** `log.list` calls counted by the service's metrics. */
async function listCount(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /ariane_store_operation_seconds_count\{[^}]*op="log\.list"[^}]*\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

async function idleReads(label: string, service: RunningService): Promise<void> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < 20; i++) {
    const started = await post(service.url, '/v3/directline/conversations', undefined, {});
    const ws = new WebSocket(started.body.streamUrl as string);
    await new Promise((resolve) => ws.once('message', resolve));
    sockets.push(ws);
  }
  await new Promise((r) => setTimeout(r, 1500));
  const before = await listCount(service.url);
  await new Promise((r) => setTimeout(r, 30_000));
  const reads = (await listCount(service.url)) - before;
  console.log(`20 idle streams, ${label}: ${reads} store reads in 30 s (${(reads / 30).toFixed(1)}/s)`);
  for (const ws of sockets) ws.terminate();
}

async function latency(label: string, poster: RunningService, listener: RunningService, turns = 30): Promise<void> {
  const started = await post(poster.url, '/v3/directline/conversations', undefined, {});
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  const reconnect = await fetch(`${listener.url}/v3/directline/conversations/${conversationId}`, { headers: { authorization: `Bearer ${token}` } });
  const { streamUrl } = (await reconnect.json()) as { streamUrl: string };
  const ws = new WebSocket(streamUrl);
  // The first reply to each message, when it arrived (it may come before the POST's answer).
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (t: number) => void>();
  ws.on('message', (m) => {
    const set = JSON.parse(String(m)) as { activities: Array<{ replyToId?: string }> };
    for (const a of set.activities) {
      if (!a.replyToId || arrived.has(a.replyToId)) continue;
      const at = performance.now();
      arrived.set(a.replyToId, at);
      waiting.get(a.replyToId)?.(at);
    }
  });
  await new Promise((resolve) => ws.once('message', resolve));
  const samples: number[] = [];
  for (let i = 0; i < turns; i++) {
    const t0 = performance.now();
    const r = await post(poster.url, `/v3/directline/conversations/${conversationId}/activities`, token, { type: 'message', text: i % 2 ? 'recommencer' : 'attestation caf' });
    const id = r.body.id as string;
    const t1 = arrived.get(id) ?? (await new Promise<number>((resolve) => waiting.set(id, resolve)));
    waiting.delete(id);
    samples.push(t1 - t0);
  }
  ws.terminate();
  console.log(`first reply on the stream, ${label}: ${summary(samples)}`);
}

async function main(): Promise<void> {
  const pg = await startPostgres();
  try {
    // 1. One limit check.
    const store = await PostgresStore.open({ connectionString: pg.url });
    const shared = sharedLimiters(store.limits, { keySecret: 'k'.repeat(32) })('bench', 1_000_000, 60_000);
    const memory = memoryLimiters('bench', 1_000_000, 60_000);
    for (let i = 0; i < 300; i++) await shared.hit(`203.0.113.${i % 200}`, Date.now());
    const seq: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const t0 = performance.now();
      await shared.hit(`203.0.113.${i % 200}`, Date.now());
      seq.push(performance.now() - t0);
    }
    console.log(`PostgreSQL limit check, one at a time: ${summary(seq)}`);
    const t0 = performance.now();
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let i = 0; i < 300; i++, done++) await shared.hit(`198.51.100.${(w * 7 + i) % 250}`, Date.now());
      }),
    );
    const elapsed = performance.now() - t0;
    console.log(`PostgreSQL limit check, 20 at a time (pool of 10): ${done} checks in ${elapsed.toFixed(0)} ms (${((done / elapsed) * 1000).toFixed(0)}/s)`);
    const mem: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = performance.now();
      await memory.hit(`203.0.113.${i % 200}`, Date.now());
      mem.push(performance.now() - s);
    }
    console.log(`in-memory limit check: ${summary(mem)}`);
    await store.close();

    // 2. Idle streams' reads (SQLite store, one instance).
    const polling = await start({}, 1000);
    await idleReads('polling every second (as before)', polling);
    await polling.close();
    polling.dir.remove();
    const woken = await start({});
    await idleReads('woken on append, 15 s safety poll (now)', woken);
    await woken.close();
    woken.dir.remove();

    // 3. First reply on a stream: same instance, and A → B on PostgreSQL.
    const a = await start({ DATABASE_URL: pg.url });
    const b = await start({ DATABASE_URL: pg.url });
    await latency('posted on A, stream on A (PostgreSQL)', a, a);
    await latency('posted on A, stream on B (PostgreSQL, LISTEN/NOTIFY)', a, b);
    await a.close();
    await b.close();
    a.dir.remove();
    b.dir.remove();
  } finally {
    await pg.stop();
  }
}

void main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

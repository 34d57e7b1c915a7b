/**
 * `npm run bench`: one run on one machine, every figure next to a baseline measured in the same run
 * (ratios hold on a noisy machine). Servers under test run in their own Node process (`node
 * dist/main.js`, as `npm start`); the load generators run in this process. Loopback only; every
 * loop is bounded in time and count. Prints a table; `--json <file>` also writes the raw figures;
 * `--only storage,micro` runs only those sections.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { agent, freePort, request, startChild, type ChildServer } from './http';
import { Conversation, SENTENCES, closedLoop, echoOp, type LoadResult } from './load';
import { ROOT, benchMasking, benchNearest, benchOfficialSearch, benchPickFlow, benchSourcesSync, dist, syntheticPlace } from './micro';
import { benchCoverage } from './places';
import { syntheticPlacesCsv } from './placesFile';
import { rng, summarise } from './stats';

type StoreMod = typeof import('../../src/store');
type PlacesMod = typeof import('../../src/places');

const QUICK = process.argv.includes('--quick');
const CONCURRENCY = 50;
const WARMUP_MS = QUICK ? 1000 : 2000;
const LOAD_MS = QUICK ? 3000 : 8000;
const MAIN = path.join(ROOT, 'dist', 'main.js');
const BASELINE = path.join(__dirname, 'baselineServer.js');

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as Autocannon;

const rows: Array<[string, string, string, string, string, string]> = [];
const raw: Record<string, unknown> = {};
const log = (s: string) => process.stderr.write(`${s}\n`);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const us = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const verdict = (ok: boolean) => (ok ? 'MET' : 'NOT MET');

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Env of an Ariane child: loopback, quiet, limits out of the way of the load (they are per IP/conversation). */
function arianeEnv(port: number, dataDir: string, flowsDir = path.join(ROOT, 'flows')): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    ARIANE_DATA_DIR: dataDir,
    ARIANE_FLOWS_DIR: flowsDir,
    LOG_LEVEL: 'warn',
    ARIANE_MAX_ACTIVITIES_PER_MINUTE: '1000000',
    ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '1000000',
    ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '1000000',
    ARIANE_MAX_STREAMS_PER_IP: '1000000',
    NODE_ENV: 'production',
  };
}

async function startAriane(dataDir: string, flowsDir?: string): Promise<ChildServer> {
  const port = await freePort();
  // Generous: on a shared, overloaded machine a start can take many times its quiet-machine time.
  return startChild([MAIN], arianeEnv(port, dataDir, flowsDir), port, '/readyz', 90_000);
}

async function startBaseline(kind: 'echo' | 'cloudadapter'): Promise<ChildServer> {
  const port = await freePort();
  return startChild([BASELINE, kind], { PORT: String(port) }, port, '/healthz');
}

/** An expectReplies activity for `/api/messages`; conversations 0..49 in turn, sentence then restart. */
function apiMessagesLoad(port: number, route = '/api/messages'): Promise<AutocannonResult> {
  let counter = 0;
  const turns = new Map<number, number>();
  return autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONCURRENCY,
    duration: LOAD_MS / 1000,
    requests: [
      {
        method: 'POST',
        path: route,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req: Record<string, unknown>) => {
          const c = counter++ % CONCURRENCY;
          const t = (turns.get(c) ?? 0) + 1;
          turns.set(c, t);
          const restart = t % 2 === 0;
          req.body = JSON.stringify({
            type: 'message',
            id: `m${counter}`,
            channelId: 'emulator',
            deliveryMode: 'expectReplies',
            conversation: { id: `bench-api-${c}` },
            from: { id: `user-${c}`, name: 'User' },
            recipient: { id: 'ariane', name: 'Ariane' },
            locale: 'fr-FR',
            text: restart ? 'recommencer' : SENTENCES[c % SENTENCES.length],
            ...(restart ? { value: { choice: 'restart' } } : {}),
          });
          return req;
        },
      },
    ],
  });
}

function echoAutocannon(port: number): Promise<AutocannonResult> {
  return autocannon({
    url: `http://127.0.0.1:${port}/echo`,
    connections: CONCURRENCY,
    duration: LOAD_MS / 1000,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'message', text: 'je veux mon attestation caf', conversation: { id: 'bench' } }),
  });
}

async function warm(port: number, route: string): Promise<void> {
  await autocannon({ url: `http://127.0.0.1:${port}`, connections: 10, amount: 200, requests: [{ method: 'POST', path: route, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', id: 'w', channelId: 'emulator', deliveryMode: 'expectReplies', conversation: { id: 'warm' }, from: { id: 'w' }, recipient: { id: 'bot' }, text: 'bonjour' }) }] });
}

function checkAutocannon(name: string, r: AutocannonResult): void {
  if (r.non2xx || r.errors || r.timeouts) log(`  ! ${name}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
}

async function directLineSection(): Promise<void> {
  log('Direct Line turns (Ariane, SQLite) …');
  const data = tempDir('ariane-bench-dl-');
  const ariane = await startAriane(data);
  let dl: LoadResult;
  let dlPoll: LoadResult;
  let api: AutocannonResult;
  let dlCpu: number;
  let dlPollCpu: number;
  let apiCpu: number;
  try {
    const conversations = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => Conversation.start(ariane.port, i, 'stream')));
    await conversations[0]!.warmHelp();
    let c0 = ariane.cpuMs();
    dl = await closedLoop(CONCURRENCY, WARMUP_MS, LOAD_MS, async (w) => {
      await conversations[w]!.turn();
    });
    dlCpu = (ariane.cpuMs() - c0) / dl.allOps;
    for (const c of conversations) c.close();
    if (dl.errors) log(`  ! ${dl.errors} failed turns, first: ${dl.firstError}`);
    log('Direct Line turns, polling (as our widget) …');
    const polling = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => Conversation.start(ariane.port, 1000 + i, 'poll')));
    c0 = ariane.cpuMs();
    dlPoll = await closedLoop(CONCURRENCY, WARMUP_MS, LOAD_MS, async (w) => {
      await polling[w]!.turn();
    });
    dlPollCpu = (ariane.cpuMs() - c0) / dlPoll.allOps;
    if (dlPoll.errors) log(`  ! ${dlPoll.errors} failed polled turns, first: ${dlPoll.firstError}`);
    log('/api/messages expectReplies (Ariane) …');
    await warm(ariane.port, '/api/messages');
    c0 = ariane.cpuMs();
    api = await apiMessagesLoad(ariane.port);
    apiCpu = (ariane.cpuMs() - c0) / api.requests.total;
    checkAutocannon('ariane /api/messages', api);
  } finally {
    await ariane.stop();
    fs.rmSync(data, { recursive: true, force: true });
  }

  log('baseline: bare restify echo …');
  const echo = await startBaseline('echo');
  let echoSame: LoadResult;
  let echoAc: AutocannonResult;
  let echoSameCpu: number;
  let echoAcCpu: number;
  try {
    let c0 = echo.cpuMs();
    echoSame = await closedLoop(CONCURRENCY, WARMUP_MS, LOAD_MS, echoOp(echo.port));
    echoSameCpu = (echo.cpuMs() - c0) / echoSame.allOps;
    c0 = echo.cpuMs();
    echoAc = await echoAutocannon(echo.port);
    echoAcCpu = (echo.cpuMs() - c0) / echoAc.requests.total;
    checkAutocannon('restify echo', echoAc);
  } finally {
    await echo.stop();
  }

  log('baseline: stock CloudAdapter echo bot …');
  const stock = await startBaseline('cloudadapter');
  let stockAc: AutocannonResult;
  let stockCpu: number;
  try {
    await warm(stock.port, '/api/messages');
    const c0 = stock.cpuMs();
    stockAc = await apiMessagesLoad(stock.port);
    stockCpu = (stock.cpuMs() - c0) / stockAc.requests.total;
    checkAutocannon('stock CloudAdapter', stockAc);
  } finally {
    await stock.stop();
  }

  const dlRatio = dl.perSecond / echoSame.perSecond;
  const apiRatio = api.requests.average / echoAc.requests.average;
  const stockRatio = stockAc.requests.average / echoAc.requests.average;
  const cpu = (x: number) => `${ms(x)} ms`;
  raw.directLine = { ...dl, serverCpuMsPerTurn: dlCpu };
  raw.directLinePolling = { ...dlPoll, serverCpuMsPerTurn: dlPollCpu };
  raw.apiMessages = { ...api, serverCpuMsPerRequest: apiCpu };
  raw.echoSameClient = { ...echoSame, serverCpuMsPerRequest: echoSameCpu };
  raw.echoAutocannon = { ...echoAc, serverCpuMsPerRequest: echoAcCpu };
  raw.stockCloudAdapter = { ...stockAc, serverCpuMsPerRequest: stockCpu };
  rows.push(['Direct Line turn (POST, reply pushed on the WebSocket stream), 50 conv., SQLite', `${dl.perSecond.toFixed(0)} turns/s`, `p50 ${ms(dl.p50)} ms, p99 ${ms(dl.p99)} ms`, cpu(dlCpu), `${dlRatio.toFixed(2)} × echo (same client); CPU ${(echoSameCpu / dlCpu).toFixed(2)} × echo`, `≥ 0.5 × echo: ${verdict(dlRatio >= 0.5)}; p99 ≤ 25 ms: ${verdict(dl.p99 <= 25)}`]);
  rows.push(['  the same turn, polling (POST + GET until the reply, as our widget)', `${dlPoll.perSecond.toFixed(0)} turns/s`, `p50 ${ms(dlPoll.p50)} ms, p99 ${ms(dlPoll.p99)} ms`, cpu(dlPollCpu), `${(dlPoll.perSecond / echoSame.perSecond).toFixed(2)} × echo`, '']);
  rows.push(['  baseline: bare restify echo, same client', `${echoSame.perSecond.toFixed(0)} req/s`, `p50 ${ms(echoSame.p50)} ms, p99 ${ms(echoSame.p99)} ms`, cpu(echoSameCpu), '1', '']);
  rows.push(['/api/messages expectReplies, 50 conn. (autocannon)', `${api.requests.average.toFixed(0)} req/s`, `p50 ${ms(api.latency.p50)} ms, p99 ${ms(api.latency.p99)} ms`, cpu(apiCpu), `${apiRatio.toFixed(3)} × echo; ${(api.requests.average / stockAc.requests.average).toFixed(2)} × stock; CPU ${(stockCpu / apiCpu).toFixed(2)} × stock`, `≥ stock CloudAdapter: ${verdict(api.requests.average >= stockAc.requests.average)}`]);
  rows.push(['  baseline: stock CloudAdapter + ActivityHandler echo', `${stockAc.requests.average.toFixed(0)} req/s`, `p50 ${ms(stockAc.latency.p50)} ms, p99 ${ms(stockAc.latency.p99)} ms`, cpu(stockCpu), `${stockRatio.toFixed(3)} × echo; CPU ${(echoAcCpu / stockCpu).toFixed(3)} × echo`, '(issue: ~0.16 × echo)']);
  rows.push(['  baseline: bare restify echo (autocannon)', `${echoAc.requests.average.toFixed(0)} req/s`, `p50 ${ms(echoAc.latency.p50)} ms, p99 ${ms(echoAc.latency.p99)} ms`, cpu(echoAcCpu), '1', '']);
}

function microSection(): void {
  log('nearest place over 100,000 places …');
  const near = benchNearest();
  raw.nearest = near;
  rows.push([`Nearest 3 places of ${near.places} (PlaceDirectory.near)`, `${(1e6 / near.near.p50).toFixed(0)} q/s`, `p50 ${us(near.near.p50)} µs, p99 ${us(near.near.p99)} µs`, `${us(near.nearCpuUs)} µs mean`, `${(near.linear.p50 / near.near.p50).toFixed(0)} × faster than scan`, `median ≤ 20 µs: ${verdict(near.near.p50 <= 20)}`]);
  rows.push(['  a handoff query (one service required, France Services first)', '', `p50 ${us(near.nearSupport.p50)} µs, p99 ${us(near.nearSupport.p99)} µs`, `${us(near.nearSupportCpuUs)} µs mean`, '', '']);
  rows.push(['  for comparison: geokdbush.around alone (3 nearest, no filter)', '', `p50 ${us(near.indexOnly.p50)} µs, p99 ${us(near.indexOnly.p99)} µs`, `${us(near.indexOnlyCpuUs)} µs mean`, '', '']);
  rows.push(['  baseline: linear haversine scan', '', `p50 ${us(near.linear.p50)} µs, p99 ${us(near.linear.p99)} µs`, `${us(near.linearCpuUs)} µs mean`, `index built in ${ms(near.buildMs)} ms`, `same nearest: ${(near.agree * 100).toFixed(0)} %`]);
  log('pickFlow with 60 flows …');
  const pick = benchPickFlow();
  raw.pickFlow = pick;
  rows.push([`Pick a flow from a sentence, ${pick.flows} flows (pickFlow)`, `${pick.pick.n} calls`, `p50 ${us(pick.pick.p50)} µs, p99 ${us(pick.pick.p99)} µs`, `${us(pick.pickCpuUs)} µs mean`, '', `p99 ≤ 2 ms: ${verdict(pick.pick.p99 <= 2000)}`]);
  log('masking personal data in 2,000-character texts …');
  const mask = benchMasking();
  raw.masking = mask;
  const slowest = mask.worst.reduce((a, b) => (b.p50 > a.p50 ? b : a));
  rows.push([`Mask personal data, ${mask.length}-character chat texts (maskPersonalData)`, `${mask.chat.n} texts`, `p50 ${us(mask.chat.p50)} µs, p99 ${us(mask.chat.p99)} µs`, `${us(mask.chatCpuUs)} µs mean`, `${(mask.chat.p50 / mask.baseline.p50).toFixed(1)} × the masking before issue 16`, '']);
  rows.push(['  the same texts without digits or @ (nothing to mask)', '', `p50 ${us(mask.plain.p50)} µs, p99 ${us(mask.plain.p99)} µs`, '', '', '']);
  rows.push([`  worst of ${mask.worst.length} adversarial texts: ${slowest.name}`, '', `p50 ${us(slowest.p50)} µs, p99 ${us(slowest.p99)} µs`, '', `${(slowest.p50 / mask.chat.p50).toFixed(1)} × a chat text`, '']);
  rows.push(['  baseline: the masking before issue 16 (6 patterns)', '', `p50 ${us(mask.baseline.p50)} µs, p99 ${us(mask.baseline.p99)} µs`, `${us(mask.baselineCpuUs)} µs mean`, '1', '']);
  log('official pages: search over the embedded catalogue …');
  const official = benchOfficialSearch();
  raw.officialSearch = official;
  rows.push([`Official pages for a sentence, ${official.fiches} fiches (Catalogue.search)`, `${official.search.n} calls`, `p50 ${ms(official.search.p50 / 1000)} ms, p99 ${ms(official.search.p99 / 1000)} ms`, `${us(official.searchCpuUs)} µs mean`, `${(official.scan.p50 / official.search.p50).toFixed(0)} × faster than a scan; top 3 ${(official.top3 * 100).toFixed(1)} %`, `p99 ≤ 5 ms: ${verdict(official.search.p99 <= 5000)}`]);
  rows.push(['  catalogue: load, index, heap', '', `load ${ms(official.loadMs)} ms, index ${ms(official.indexMs)} ms`, '', `${(official.heapBytes / 2 ** 20).toFixed(1)} MB heap`, '']);
  rows.push(['  baseline: scan every fiche for each word', '', `p50 ${ms(official.scan.p50 / 1000)} ms, p99 ${ms(official.scan.p99 / 1000)} ms`, `${us(official.scanCpuUs)} µs mean`, '', '']);
}

async function sourcesSection(): Promise<void> {
  log('official pages: sync of the full archive from loopback (the archive is written first, ~15 s) …');
  const sync = await benchSourcesSync();
  raw.sourcesSync = sync;
  rows.push([`Sync of the full archive (${sync.fiches} fiches, ${(sync.archiveBytes / 1e6).toFixed(1)} MB zip) from loopback`, '', `${(sync.syncMs / 1000).toFixed(1)} s (download ${ms(sync.downloadMs)} ms, read ${(sync.readMs / 1000).toFixed(1)} s)`, `${(sync.syncCpuMs / 1000).toFixed(1)} s CPU`, `unchanged (304): ${ms(sync.notModifiedMs)} ms`, '']);
}

/** A data dir with `places` synthetic places (SQLite) and a flows dir with `flows` flows. */
async function prepareColdStart(places: number, flows: number): Promise<{ data: string; flowsDir: string }> {
  const data = tempDir('ariane-bench-cold-');
  const flowsDir = tempDir('ariane-bench-flows-');
  for (const f of fs.readdirSync(path.join(ROOT, 'flows'))) {
    if (!f.endsWith('.yaml') || f.endsWith('.test.yaml')) continue;
    fs.copyFileSync(path.join(ROOT, 'flows', f), path.join(flowsDir, f));
  }
  // The example requests are copied as they are (the service learns from them); flows are multiplied.
  const real = fs.readdirSync(flowsDir).filter((f) => !f.endsWith('.examples.yaml')).map((f) => f.replace(/\.yaml$/, ''));
  for (let k = 1, n = real.length; n < flows; k++) {
    for (const id of real) {
      if (n >= flows) break;
      const text = fs.readFileSync(path.join(flowsDir, `${id}.yaml`), 'utf8').replace(new RegExp(`^id: ${id}$`, 'm'), `id: ${id}-v${k}`);
      fs.writeFileSync(path.join(flowsDir, `${id}-v${k}.yaml`), text);
      n++;
    }
  }
  const { SqliteStore } = dist<StoreMod>('store');
  const { saveNationalSet, readNationalPointer } = dist<PlacesMod>('places');
  const store = await SqliteStore.open({ dataDir: data });
  const random = rng(7);
  // As a sync stores them: one generation of the national set.
  const all = Array.from({ length: places }, (_, i) => syntheticPlace(i, random));
  const generation = new Date().toISOString();
  await saveNationalSet(store.kv, { generation, url: 'http://127.0.0.1/bench.csv', count: places, rows: places, skipped: 0, withWarnings: 0, bytes: 0, syncedAt: generation }, all, await readNationalPointer(store.kv));
  await store.close();
  return { data, flowsDir };
}

async function coldStartSection(): Promise<void> {
  log('cold start with 50 flows and 20,000 places …');
  const { data, flowsDir } = await prepareColdStart(20_000, 50);
  const times: number[] = [];
  const cpus: number[] = [];
  try {
    // The first start parses the flows and writes the parsed-flow cache; the next ones read it.
    for (let i = 0; i < 4; i++) {
      const s = await startAriane(data, flowsDir);
      const ready = await request(s.port, 'GET', '/readyz');
      times.push(s.readyMs);
      cpus.push(s.readyCpuMs);
      if (i === 0) raw.coldStartReadyz = ready.body;
      await s.stop();
    }
    // The service loads places after it is ready (starter directory, national set, index): time that load too.
    const { SqliteStore } = dist<StoreMod>('store');
    const { HelpPlaces } = dist<PlacesMod>('places');
    dist<typeof import('../../src/geo')>('geo').getGeocoder();
    const store = await SqliteStore.open({ dataDir: data });
    const t0 = performance.now();
    const dir = await new HelpPlaces(store.kv).directory();
    const loadMs = performance.now() - t0;
    await store.close();
    raw.coldStart = { times, cpuMs: cpus, placesLoadMs: loadMs, places: dir.size };
    const later = times.slice(1);
    const s = summarise(later);
    rows.push(['Cold start to /readyz 200 (spawn node dist/main.js), 50 flows, 20,000 places', `${later.length} starts`, `median ${ms(s.p50)} ms, max ${ms(Math.max(...later))} ms`, `${ms(summarise(cpus.slice(1)).p50)} ms to ready`, '', `< 2 s: ${verdict(Math.max(...later) < 2000)}`]);
    rows.push(['  the first start (no parsed-flow cache yet: every flow parsed and validated)', '1 start', `${ms(times[0]!)} ms`, `${ms(cpus[0]!)} ms to ready`, '', '']);
    rows.push(['  + loading and indexing the places after ready (20,000 synced + the starter directory)', '', `${ms(loadMs)} ms`, '', `${dir.size} places`, '']);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(flowsDir, { recursive: true, force: true });
  }
}

/**
 * Help places: the nearest place on a fresh install for 18 towns; the heap of the directory; and
 * the service syncing 20,000 places from loopback (ARIANE_PLACES_URL, its first sync a minute after
 * start) while residents talk: turn latency before, during and after the sync, in the same run.
 */
async function placesSection(): Promise<void> {
  log('help places: the nearest place on a fresh install …');
  const coverage = benchCoverage();
  raw.placesCoverage = coverage;
  rows.push([`Help places on a fresh install (starter directory: ${coverage.starterPlaces} places, loaded and indexed in ${ms(coverage.loadMs)} ms)`, '', '', '', 'first place shown (CAF procedure)', '(no target)']);
  for (const r of coverage.rows) {
    rows.push([`  ${r.town} (${r.query})`, '', r.firstKm === undefined ? 'none' : r.nearestName === r.firstName ? `${r.firstKm.toFixed(1)} km` : `${r.firstKm.toFixed(1)} km (nearest place: ${r.nearestName ?? '?'}, ${r.nearestKm?.toFixed(1)} km)`, '', `${r.firstName ?? ''}${r.phone ? ', phone' : ''}${r.hours ? ', hours' : ''}`, '']);
  }

  log('help places: heap of 20,000 synced places …');
  const heap = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'places.js'), 'heap', '20000'], { encoding: 'utf8', timeout: 180_000 });
  if (heap.status !== 0) throw new Error(`places heap child failed: ${heap.stderr}`);
  const h = JSON.parse(heap.stdout.trim().split('\n').pop()!) as { places: number; starterBytes: number; nationalBytes: number; perPlaceBytes: number; rssMb: number };
  raw.placesHeap = h;
  rows.push([`Heap of the directory: the starter set, then 20,000 synced places (--expose-gc)`, `${h.places} places`, `starter ${(h.starterBytes / 2 ** 20).toFixed(1)} MB, + 20,000: ${(h.nationalBytes / 2 ** 20).toFixed(1)} MB`, '', `${(h.perPlaceBytes / 1024).toFixed(2)} KB per place, RSS ${h.rssMb.toFixed(0)} MB`, '(no target)']);

  log('help places: the service syncs 20,000 places while 20 residents talk (first sync a minute after start) …');
  const dir = tempDir('ariane-bench-places-');
  const file = path.join(dir, 'lieux.csv');
  fs.writeFileSync(file, syntheticPlacesCsv(20_000));
  const size = fs.statSync(file).size;
  let requestedAt: number | undefined;
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.headers['if-none-match'] === '"bench"') {
      res.writeHead(304);
      res.end();
      return;
    }
    requestedAt ??= performance.now();
    res.writeHead(200, { 'content-type': 'text/csv', 'content-length': String(size), etag: '"bench"' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/lieux.csv`;
  const port = await freePort();
  // The service logs 'places sync' once the new directory serves (built from the places just validated).
  let servedAt: number | undefined;
  let syncLog = '';
  let pending = '';
  const onStdout = (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"places sync')) continue;
      syncLog = line;
      if (line.includes('"status":"updated"')) servedAt ??= performance.now();
    }
  };
  const ariane = await startChild([MAIN], { ...arianeEnv(port, dir), LOG_LEVEL: 'info', ARIANE_PLACES_URL: url }, port, '/readyz', 90_000, onStdout);
  type Db = { prepare(sql: string): { get(...a: unknown[]): { value?: string } | undefined }; close(): void };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as new (file: string, o: { readonly: boolean; fileMustExist: boolean }) => Db;
  // Whether the new generation's pointer has turned in the store (what another instance would read).
  const synced = () => {
    const db = new Database(path.join(dir, 'ariane.db'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT value FROM kv WHERE key = 'places/national/meta'").get();
      return !!row?.value && !!(JSON.parse(row.value) as { current?: unknown }).current;
    } finally {
      db.close();
    }
  };
  const metric = async (name: string) => {
    const body = (await request(port, 'GET', '/metrics')).body;
    const text = typeof body === 'string' ? body : '';
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  };
  try {
    const conversations = await Promise.all(Array.from({ length: 20 }, (_, i) => Conversation.start(ariane.port, 3000 + i, 'stream')));
    await conversations[0]!.warmHelp();
    const rssBefore = await metric('ariane_process_resident_memory_bytes');
    const heapBefore = await metric('ariane_nodejs_heap_size_used_bytes');
    // Peak resident memory of the process so far (Linux), to see what the sync adds at its peak.
    const peakRss = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${ariane.child.pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
    const peakBefore = peakRss();
    const samples: Array<{ t: number; ms: number }> = [];
    let doneAt: number | undefined;
    let storedAt: number | undefined;
    const deadline = performance.now() + 240_000;
    const stopAt = () => (doneAt !== undefined ? doneAt + 5000 : deadline);
    const watch = (async () => {
      while (doneAt === undefined && performance.now() < deadline && !syncLog.includes('refused')) {
        await new Promise((r) => setTimeout(r, 50));
        storedAt ??= requestedAt !== undefined && synced() ? performance.now() : undefined;
        doneAt = servedAt;
      }
    })();
    await Promise.all([
      watch,
      ...conversations.map(async (c) => {
        while (performance.now() < stopAt()) {
          const t0 = performance.now();
          await c.turn();
          samples.push({ t: t0, ms: performance.now() - t0 });
        }
      }),
    ]);
    for (const c of conversations) c.close();
    if (requestedAt === undefined || doneAt === undefined) throw new Error(`the service did not sync within 4 minutes: ${syncLog || ariane.stderr()}`);
    const rssAfter = await metric('ariane_process_resident_memory_bytes');
    const heapAfter = await metric('ariane_nodejs_heap_size_used_bytes');
    const peakAfter = peakRss();
    const window = (from: number, to: number) => summarise(samples.filter((x) => x.t >= from && x.t < to).map((x) => x.ms));
    const before = window(requestedAt - 15_000, requestedAt);
    const during = window(requestedAt, doneAt);
    const after = window(doneAt, doneAt + 5000);
    const syncMs = doneAt - requestedAt;
    const mbOf = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
    const storedMs = storedAt === undefined ? undefined : storedAt - requestedAt;
    raw.placesSync = { places: 20_000, bytes: size, syncMs, storedMs, log: syncLog, before, during, after, rssBefore, rssAfter, heapBefore, heapAfter, peakBefore, peakAfter };
    rows.push([`Service syncing 20,000 places (${(size / 1e6).toFixed(1)} MB CSV) from loopback, 20 residents talking`, '', `${(syncMs / 1000).toFixed(1)} s from request to the new set served${storedMs === undefined ? '' : ` (stored at ${(storedMs / 1000).toFixed(1)} s)`}`, '', `RSS ${mbOf(rssBefore)} → ${mbOf(rssAfter)} MB (peak ${mbOf(peakBefore)} → ${mbOf(peakAfter)} MB), heap used ${mbOf(heapBefore)} → ${mbOf(heapAfter)} MB`, '']);
    rows.push(['  turns during the sync', `${during.n} turns`, `p50 ${ms(during.p50)} ms, p99 ${ms(during.p99)} ms`, '', `p99 ×${(during.p99 / before.p99).toFixed(2)} the 15 s before`, '']);
    rows.push(['  baseline: turns in the 15 s before it', `${before.n} turns`, `p50 ${ms(before.p50)} ms, p99 ${ms(before.p99)} ms`, '', '', '']);
    rows.push(['  turns in the 5 s after it', `${after.n} turns`, `p50 ${ms(after.p50)} ms, p99 ${ms(after.p99)} ms`, '', '', '']);
  } finally {
    await ariane.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function storageSection(): Promise<void> {
  log('bytes stored per conversation …');
  const data = tempDir('ariane-bench-bytes-');
  try {
    const s = await startAriane(data);
    let conv: Conversation;
    let turns = 0;
    try {
      conv = await Conversation.start(s.port, 0);
      conv.policy = 'first';
      while (!conv.reachedEnd && turns < 30) {
        await conv.turn();
        turns++;
      }
    } finally {
      await s.stop();
    }
    type Db = { prepare(sql: string): { get(...a: unknown[]): Record<string, number> }; close(): void };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as new (file: string, o: { readonly: boolean }) => Db;
    const db = new Database(path.join(data, 'ariane.db'), { readonly: true });
    const id = conv.id;
    const conversation = db.prepare('SELECT COALESCE(SUM(length(CAST(id AS BLOB)) + length(CAST(user_id AS BLOB)) + COALESCE(length(CAST(data AS BLOB)), 0) + 24), 0) AS b FROM conversations WHERE id = ?').get(id).b!;
    const activities = db.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(conversation_id AS BLOB)) + 8 + COALESCE(length(CAST(client_activity_id AS BLOB)), 0) + length(CAST(activity AS BLOB))), 0) AS b FROM activities WHERE conversation_id = ?').get(id);
    const state = db.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(length(CAST(key AS BLOB)) + length(CAST(value AS BLOB)) + length(CAST(etag AS BLOB)) + 8), 0) AS b FROM kv WHERE instr(key, ?) > 0").get(id);
    db.close();
    const total = conversation + activities.b! + state.b!;
    raw.bytesPerConversation = { turns, reachedEnd: conv.reachedEnd, conversation, activities, state, total };
    rows.push([`Bytes stored per completed conversation (${turns} turns, SQLite rows, plain JSON)`, `${total} B`, `state ${state.b} B (${state.n} rows), log ${activities.b} B (${activities.n} activities), record ${conversation} B`, '', `${(activities.b! / Math.max(1, activities.n!)).toFixed(0)} B per activity`, '(no target)']);
  } finally {
    fs.rmSync(data, { recursive: true, force: true });
  }

  log('heap per active conversation …');
  const heapData = tempDir('ariane-bench-heap-');
  try {
    const n = QUICK ? 300 : 1000;
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'heap.js'), heapData, String(n)], { encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`heap child failed: ${r.stderr}`);
    const h = JSON.parse(r.stdout.trim().split('\n').pop()!) as { n: number; perConversationBytes: number; heapBefore: number; heapAfter: number };
    raw.heap = h;
    rows.push([`Heap per active conversation (${h.n} in-process, --expose-gc)`, `${(h.perConversationBytes / 1024).toFixed(1)} KB`, `heapUsed ${(h.heapBefore / 1048576).toFixed(1)} → ${(h.heapAfter / 1048576).toFixed(1)} MB`, '', '', '(no target)']);
  } finally {
    fs.rmSync(heapData, { recursive: true, force: true });
  }
}

/**
 * The disk: an acknowledged turn waits for its WAL fsync (group commit, see src/store/SqliteStore.ts),
 * a Direct Line turn for two (the user's activity, then the turn's replies and state), so the
 * fsync latency of this machine is a floor of the turn latency that no echo baseline shows.
 */
function fsyncSection(): void {
  log('disk: fsync latency …');
  const dir = tempDir('ariane-bench-fsync-');
  try {
    const fd = fs.openSync(path.join(dir, 'wal'), 'a');
    const block = Buffer.alloc(4096, 1);
    const times: number[] = [];
    const deadline = performance.now() + 5000;
    for (let i = 0; i < 300 && performance.now() < deadline; i++) {
      fs.writeSync(fd, block);
      const t0 = performance.now();
      fs.fsyncSync(fd);
      times.push(performance.now() - t0);
    }
    fs.closeSync(fd);
    const s = summarise(times);
    raw.fsync = s;
    rows.push([`  baseline: fsync of a 4 KB append in ${os.tmpdir()} (the store's durability floor)`, `${s.n} fsyncs`, `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms`, '', '', '']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(): void {
  const head: [string, string, string, string, string, string] = ['Measure', 'Throughput / size', 'Latency', 'Server CPU / op', 'Ratio', 'Target'];
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm run bench does).`);
  const cpus = os.cpus();
  const started = new Date();
  console.log(`Ariane benchmark — ${started.toISOString()}`);
  console.log(`Machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, ${os.type()} ${os.release()}; Node ${process.version}`);
  console.log(`Model: each server under test is its own Node process; the load generator is this process (${cpus.length} cores shared by both: client and server compete for CPU, so absolute figures are pessimistic and ratios are what count). Loopback only; ${CONCURRENCY} concurrent conversations/connections, ${WARMUP_MS / 1000} s warm-up, ${LOAD_MS / 1000} s measured per load.`);
  if (QUICK) console.log('QUICK mode (--quick): shorter loads, fewer samples.');
  const loadBefore = os.loadavg()[0]!;
  console.log(`Load average at start: ${loadBefore.toFixed(1)} (1 min) on ${cpus.length} cores.`);
  // A failing section is reported in the table; the others still run.
  const section = async (name: string, run: () => Promise<void> | void) => {
    try {
      await run();
    } catch (err) {
      log(`  ! ${name} failed: ${(err as Error).stack ?? String(err)}`);
      rows.push([`${name}: FAILED`, (err as Error).message.split('\n')[0]!.slice(0, 80), '', '', '', '']);
      process.exitCode = 1;
    }
  };
  // `--only load,storage` runs some sections (load, disk, micro, sources, cold, places, storage); all by default.
  const o = process.argv.indexOf('--only');
  const only = o > 0 ? new Set((process.argv[o + 1] ?? '').split(',')) : undefined;
  const wanted = (key: string) => !only || only.has(key);
  if (wanted('load')) await section('Direct Line and /api/messages load', directLineSection);
  if (wanted('disk')) await section('Disk', fsyncSection);
  if (wanted('micro')) await section('Micro-benchmarks', microSection);
  if (wanted('sources')) await section('Official pages sync', sourcesSection);
  if (wanted('cold')) await section('Cold start', coldStartSection);
  if (wanted('places')) await section('Help places', placesSection);
  if (wanted('storage')) await section('Storage and heap', storageSection);
  agent.destroy();
  console.log('');
  printTable();
  const loadAfter = os.loadavg()[0]!;
  console.log(`\nLoad average at end: ${loadAfter.toFixed(1)} (1 min) on ${cpus.length} cores.`);
  if (Math.max(loadBefore, loadAfter) > cpus.length) {
    console.log(`WARNING: other processes were using the CPU (load > ${cpus.length} cores): absolute figures and even ratios are distorted; run again on a quiet machine.`);
  }
  console.log(`Done in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s.`);
  const j = process.argv.indexOf('--json');
  if (j > 0 && process.argv[j + 1]) fs.writeFileSync(process.argv[j + 1]!, JSON.stringify({ date: started.toISOString(), cpu: cpus[0]?.model, cores: cpus.length, node: process.version, ...raw }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

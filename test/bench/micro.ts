/**
 * In-process micro-benchmarks of the project's own code, loaded from the build (`dist/`, as
 * `npm start` runs it): nearest place over 100,000 synthetic places against a linear scan,
 * picking a flow from a sentence among 60 flows, and masking personal data in 2,000-character texts.
 */
import * as path from 'node:path';
import { SENTENCES } from './load';
import { rng, summarise } from './stats';

export const ROOT = path.resolve(__dirname, '../..');
/** The built project module of a source folder (types from the sources). */
export function dist<T>(folder: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(ROOT, 'dist', folder)) as T;
}
type Places = typeof import('../../src/places');
type Engine = typeof import('../../src/engine');
type FlowMod = typeof import('../../src/flow');
type I18n = typeof import('../../src/i18n');
type Privacy = typeof import('../../src/privacy');
type Place = import('../../src/places').Place;
type Flow = import('../../src/flow').Flow;

/** A synthetic help place at a random point of metropolitan France. */
export function syntheticPlace(i: number, random: () => number): Place {
  return {
    id: `bench-${i}`,
    pivot: '00000000000000',
    nom: `Lieu de médiation ${i}`,
    commune: 'Commune',
    code_postal: String(10000 + (i % 85000)).padStart(5, '0'),
    adresse: `${i} rue de la République`,
    latitude: 42.4 + random() * 8.6,
    longitude: -4.7 + random() * 12.8,
    date_maj: '2026-01-01',
    services: ['Aide aux démarches administratives', 'Maîtrise des outils numériques du quotidien'],
  };
}

/** Mean CPU µs per call of the last `timeEach` (this process's user + system time over the loop). */
let lastCpuUs = NaN;

/** Micro-seconds of each call of `fn` over `inputs` (after a warm-up pass). */
function timeEach<I>(inputs: readonly I[], fn: (input: I) => unknown, warmup = 1000): number[] {
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink += fn(inputs[i % inputs.length]!) ? 1 : 0;
  const out = new Array<number>(inputs.length);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < inputs.length; i++) {
    const t0 = process.hrtime.bigint();
    sink += fn(inputs[i]!) ? 1 : 0;
    out[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const cpu = process.cpuUsage(cpu0);
  lastCpuUs = (cpu.user + cpu.system) / inputs.length;
  if (sink < 0) console.log(sink);
  return out;
}

function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const dLat = (lat2 - lat1) * r;
  const dLon = (lon2 - lon1) * r;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dLon / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(a));
}

export interface NearBench {
  places: number;
  buildMs: number;
  near: { p50: number; p99: number; n: number };
  nearCpuUs: number;
  /** A handoff's query: one service required, France Services first (one place in 8 is one). */
  nearSupport: { p50: number; p99: number; n: number };
  nearSupportCpuUs: number;
  linear: { p50: number; p99: number; n: number };
  linearCpuUs: number;
  /** The spatial index alone (geokdbush.around, 3 nearest, no filter, no result formatting). */
  indexOnly: { p50: number; p99: number; n: number };
  indexOnlyCpuUs: number;
  agree: number;
}

/**
 * `PlaceDirectory.near` (3 nearest, default options; then with a flow's support) vs a linear
 * haversine scan keeping the 3 nearest.
 */
export function benchNearest(count = 100_000, queries = 20_000): NearBench {
  const { PlaceDirectory } = dist<Places>('places');
  const random = rng(42);
  const places = Array.from({ length: count }, (_, i) => {
    const place = syntheticPlace(i, random);
    if (i % 8 === 0) place.dispositif_programmes_nationaux = ['France Services'];
    return place;
  });
  const t0 = performance.now();
  const directory = new PlaceDirectory(places);
  const buildMs = performance.now() - t0;
  const at = new Date('2026-03-02T10:00:00Z');
  const points = Array.from({ length: queries }, () => ({ lat: 42.4 + random() * 8.6, lon: -4.7 + random() * 12.8 }));
  const near = timeEach(points, (p) => directory.near(p, { limit: 3, at }).length);
  const nearCpuUs = lastCpuUs;
  const support = { services: ['Aide aux démarches administratives' as const], programmes: ['France Services' as const] };
  const nearSupport = timeEach(points, (p) => directory.near(p, { support, limit: 3, at }).length);
  const nearSupportCpuUs = lastCpuUs;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const KDBush = (require('kdbush') as { default: new (n: number) => { add(x: number, y: number): number; finish(): void } }).default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const geo = require('geokdbush') as { around(index: unknown, lng: number, lat: number, max?: number): number[] };
  const bare = new KDBush(places.length);
  for (const p of places) bare.add(p.longitude!, p.latitude!);
  bare.finish();
  const indexOnly = timeEach(points, (p) => geo.around(bare, p.lon, p.lat, 3).length);
  const indexOnlyCpuUs = lastCpuUs;
  const linearScan = (p: { lat: number; lon: number }) => {
    const best: Array<{ i: number; d: number }> = [];
    for (let i = 0; i < places.length; i++) {
      const q = places[i]!;
      const d = haversineKm(p.lat, p.lon, q.latitude!, q.longitude!);
      if (best.length < 3 || d < best[2]!.d) {
        best.push({ i, d });
        best.sort((a, b) => a.d - b.d);
        if (best.length > 3) best.pop();
      }
    }
    return best;
  };
  const linearPoints = points.slice(0, 1000);
  const linear = timeEach(linearPoints, (p) => linearScan(p).length, 50);
  const linearCpuUs = lastCpuUs;
  // Same answer? (the nearest place of both for the first 200 points)
  let agree = 0;
  for (const p of points.slice(0, 200)) if (directory.near(p, { limit: 1, at })[0]?.place.id === places[linearScan(p)[0]!.i]!.id) agree++;
  return { places: count, buildMs, near: summarise(near), nearCpuUs, nearSupport: summarise(nearSupport), nearSupportCpuUs, linear: summarise(linear), linearCpuUs, indexOnly: summarise(indexOnly), indexOnlyCpuUs, agree: agree / 200 };
}

/** The real flows plus synthetic variants (another id, one extra keyword of their own) up to `total`. */
export function flowsWithVariants(total: number): Flow[] {
  const { loadFlowDirectory } = dist<FlowMod>('flow');
  const set = loadFlowDirectory(path.join(ROOT, 'flows'));
  if (!set.ok) throw new Error('flows/ has errors');
  const out: Flow[] = [...set.flows];
  for (let k = 1; out.length < total; k++) {
    for (const f of set.flows) {
      if (out.length >= total) break;
      const copy = JSON.parse(JSON.stringify(f)) as Flow & { keywords?: Record<string, string[]> };
      copy.id = `${f.id}-v${k}`;
      if (copy.keywords?.fr) copy.keywords.fr = [...copy.keywords.fr, `variante${k} ${f.id.split('-')[0]}`];
      out.push(copy);
    }
  }
  return out;
}

export interface PickBench {
  flows: number;
  pick: { p50: number; p99: number; n: number };
  pickCpuUs: number;
  /** Share of sentences whose best flow is still the intended real flow or one of its variants. */
  sentences: number;
}

/** `pickFlow` over typical sentences with 60 flows in the catalog. */
export function benchPickFlow(total = 60, rounds = 400): PickBench {
  const { buildCatalog, pickFlow } = dist<Engine>('engine');
  const { loadLexicons } = dist<I18n>('i18n');
  const catalog = buildCatalog(flowsWithVariants(total), loadLexicons(path.join(ROOT, 'locales')), []);
  const typos = SENTENCES.map((s) => s.replace(/e/g, 'é').replace('attestation', 'atestation'));
  const inputs = Array.from({ length: rounds }, () => [...SENTENCES, ...typos, 'bonjour', 'jsp quoi faire aidez moi svp']).flat();
  const times = timeEach(inputs, (s) => pickFlow(catalog, s, 'fr').length, 200);
  return { flows: catalog.flows.size, pick: summarise(times), pickCpuUs: lastCpuUs, sentences: SENTENCES.length * 2 + 2 };
}

/**
 * The masking of personal data before issue 16 (six patterns, replaced in turn): the baseline the
 * masking of today is compared with, on the same texts.
 */
const SEP = '[ \\u00a0.\\-]?';
const BASELINE_PATTERNS: readonly RegExp[] = [
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){1,8}/gu,
  /\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,3})?\b/gi,
  new RegExp(`\\b[1-478]${SEP}\\d{2}${SEP}(?:0[1-9]|1[0-2]|[2-9]\\d)${SEP}(?:\\d{2}|2[AB])${SEP}\\d{3}${SEP}\\d{3}(?:${SEP}\\d{2})?\\b`, 'gi'),
  new RegExp(`\\b[0-3]\\d(?:${SEP}\\d){11}\\b`, 'g'),
  new RegExp(`\\b\\d{4}(?:${SEP}\\d{4}){2,3}(?:${SEP}\\d{1,3})?\\b`, 'g'),
  new RegExp(`(?:(?:\\+|00)(?:33|590|594|262|596|269|687|689|508|681)${SEP}(?:\\(0\\))?${SEP}[1-9]|\\b0[1-9])(?:${SEP}\\d{2}){4}\\b`, 'g'),
];
function baselineMask(text: string): string {
  let out = text;
  for (const re of BASELINE_PATTERNS) out = out.replace(re, '[masqué]');
  return out;
}

/** Sentences residents type (a few with identifiers), to build 2,000-character texts from. */
const CHAT = [
  "bonjour j'arrive pas a me connecter sur le site de la caf", 'je suis à 35000 Rennes', "j'ai 2 enfants de 7 et 10 ans",
  'le rendez-vous est le 3 mars 2024 à 14h30', 'mon loyer est de 450 € et je touche 1 234,56 € par mois',
  "mon numéro allocataire c'est 1234567", 'appelez moi au 06 12 34 56 78 svp', 'mon mail jean.dupont@example.fr',
  "j'ai oublié mon mot de passe", 'le code à 6 chiffres est pas arrivé', 'mon titre de séjour expire le 12/05/2025',
  'identifiant france travail 1234567A', 'merci beaucoup pour votre aide', 'كيف أحصل على شهادة الكاف؟ رقمي ٠٦١٢٣٤٥٦٧٨',
  "je comprends pas ce qu'il faut faire", 'numéro de sécu 1 85 05 78 006 084 36',
];

/** `count` texts of about `length` characters: chat sentences in a random order. */
function chatTexts(count: number, length: number, random: () => number): string[] {
  return Array.from({ length: count }, () => {
    let t = '';
    while (t.length < length) t += `${CHAT[Math.floor(random() * CHAT.length)]!}. `;
    return t.slice(0, length);
  });
}

/** Texts built to make regular expressions work hard, 2,000 characters each. */
export const MASKING_WORST_CASES: ReadonlyArray<[string, string]> = [
  ['2,000 digits', '7'.repeat(2000)],
  ['digits and spaces alternating', '1 '.repeat(1000)],
  ['digit pairs and spaces', '12 '.repeat(667).slice(0, 2000)],
  ['phones one after another', '06 12 34 56 78 '.repeat(134).slice(0, 2000)],
  ['Arabic-Indic digits', '٣'.repeat(2000)],
  ['a@ repeated', 'a@'.repeat(1000)],
  ['"numéro de " repeated', 'numéro de '.repeat(200)],
  ['"mot de passe " repeated', 'mot de passe '.repeat(154).slice(0, 2000)],
  ['"code " repeated', 'code '.repeat(400)],
  ['letters and digits', 'ab12'.repeat(500)],
];

export interface MaskBench {
  length: number;
  /** Chat texts with a few identifiers each. */
  chat: { p50: number; p99: number; n: number };
  chatCpuUs: number;
  /** The same texts with the masking before issue 16. */
  baseline: { p50: number; p99: number; n: number };
  baselineCpuUs: number;
  /** Ordinary texts (no identifier). */
  plain: { p50: number; p99: number; n: number };
  /** Each worst case, and the slowest of them. */
  worst: Array<{ name: string; p50: number; p99: number }>;
}

/** `maskPersonalData` on 2,000-character texts: chat, the baseline, plain, worst cases. */
export function benchMasking(count = 2000): MaskBench {
  const { maskPersonalData } = dist<Privacy>('privacy');
  const random = rng(7);
  const texts = chatTexts(count, 2000, random);
  const chat = timeEach(texts, (t) => maskPersonalData(t).found.length, 200);
  const chatCpuUs = lastCpuUs;
  const baseline = timeEach(texts, (t) => baselineMask(t).length, 200);
  const baselineCpuUs = lastCpuUs;
  const plainTexts = texts.map((t) => t.replace(/\p{N}|@/gu, ''));
  const plain = timeEach(plainTexts, (t) => maskPersonalData(t).found.length, 200);
  const worst = MASKING_WORST_CASES.map(([name, text]) => {
    const times = summarise(timeEach(Array.from({ length: 200 }, () => text), (t) => maskPersonalData(t).found.length, 20));
    return { name, p50: times.p50, p99: times.p99 };
  });
  return { length: 2000, chat: summarise(chat), chatCpuUs, baseline: summarise(baseline), baselineCpuUs, plain: summarise(plain), worst };
}

type SourcesMod = typeof import('../../src/sources');
type StoreMod = typeof import('../../src/store');

/** A full garbage collection, even when node was started without --expose-gc. */
function collect(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v8 = require('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString('--expose-gc');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gc = (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
  gc();
  gc();
}

/** The out-of-scope request sentences of test/sources (both sets). */
export function officialRequests(): Array<{ text: string; expect: string[] }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  const fs = require('node:fs') as typeof import('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports
  return ['requests.yaml', 'requests-2.yaml'].flatMap((f) => parse(fs.readFileSync(path.join(ROOT, 'test', 'sources', f), 'utf8')) as Array<{ text: string; expect: string[] }>);
}

export interface OfficialSearchBench {
  fiches: number;
  /** Reading the embedded catalogue (JSON parse, Map). */
  loadMs: number;
  /** Building the search index (minisearch + term frequencies), done once per catalogue. */
  indexMs: number;
  /** Heap held by the catalogue and its index. */
  heapBytes: number;
  search: { p50: number; p99: number; n: number };
  searchCpuUs: number;
  /** Baseline: a plain scan of every fiche's folded text for each word of the sentence. */
  scan: { p50: number; p99: number; n: number };
  scanCpuUs: number;
  /** Right page in the top 3 over both request sets (the README's quality figure, as a check). */
  top3: number;
}

/** Search over the embedded catalogue (~4,900 fiches) with the residents' sentences of test/sources. */
export function benchOfficialSearch(rounds = 30): OfficialSearchBench {
  const { loadEmbeddedCatalogue } = dist<SourcesMod>('sources');
  collect();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const catalogue = loadEmbeddedCatalogue();
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  catalogue.warm();
  const indexMs = performance.now() - t1;
  collect();
  const heapBytes = process.memoryUsage().heapUsed - heap0;
  const requests = officialRequests();
  const inputs = Array.from({ length: rounds }, () => requests.map((r) => r.text)).flat();
  const search = timeEach(inputs, (s) => catalogue.search(s).length, 200);
  const searchCpuUs = lastCpuUs;
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const texts = catalogue.all().map((f) => ({ id: f.id, text: fold(`${f.title} ${f.description} ${f.theme}`) }));
  const scanOne = (s: string) => {
    const words = fold(s).split(/[^a-z0-9]+/).filter((w) => w.length > 3);
    const scored = texts.map((t) => ({ id: t.id, n: words.filter((w) => t.text.includes(w)).length })).filter((x) => x.n > 0);
    return scored.sort((a, b) => b.n - a.n).slice(0, 3);
  };
  const scan = timeEach(inputs.slice(0, requests.length * 2), (s) => scanOne(s).length, 20);
  const scanCpuUs = lastCpuUs;
  const about = requests.filter((r) => r.expect.length > 0);
  const right = about.filter((r) => catalogue.search(r.text).some((h) => r.expect.includes(h.fiche.id))).length;
  if (heapBytes < 0) console.log(catalogue.size);
  return { fiches: catalogue.size, loadMs, indexMs, heapBytes, search: summarise(search), searchCpuUs, scan: summarise(scan), scanCpuUs, top3: right / about.length };
}

export interface SourcesSyncBench {
  fiches: number;
  archiveBytes: number;
  /** Writing the archive from the package (set-up, not Ariane's cost). */
  buildArchiveMs: number;
  /** `syncCatalogue` from a local HTTP server into a memory store: download, read, check, store. */
  syncMs: number;
  syncCpuMs: number;
  downloadMs: number;
  readMs: number;
  /** The same sync again: a conditional request answered 304. */
  notModifiedMs: number;
}

/** The full archive (every particuliers fiche of the package, in the DILA's layout) synced from loopback. */
export async function benchSourcesSync(): Promise<SourcesSyncBench> {
  const fs = require('node:fs') as typeof import('node:fs'); // eslint-disable-line @typescript-eslint/no-require-imports
  const os = require('node:os') as typeof import('node:os'); // eslint-disable-line @typescript-eslint/no-require-imports
  const http = require('node:http') as typeof import('node:http'); // eslint-disable-line @typescript-eslint/no-require-imports
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { packageFicheIds, writeFicheArchive } = require('./vddArchive') as typeof import('./vddArchive');
  const { syncCatalogue } = dist<SourcesMod>('sources');
  const { MemoryStore } = dist<StoreMod>('store');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-bench-sources-'));
  const file = path.join(dir, 'vosdroits-latest.zip');
  const server = http.createServer((req, res) => {
    if (req.headers['if-none-match'] === '"bench"') {
      res.writeHead(304, { etag: '"bench"' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(fs.statSync(file).size), etag: '"bench"' });
    fs.createReadStream(file).pipe(res);
  });
  try {
    const t0 = performance.now();
    await writeFicheArchive(file, packageFicheIds());
    const buildArchiveMs = performance.now() - t0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/vdd/3.5/part/zip/vosdroits-latest.zip`;
    const store = new MemoryStore();
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    const result = await syncCatalogue(store.kv, { url });
    const syncMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    if (result.status !== 'updated') throw new Error(`sync: ${result.status}`);
    const t2 = performance.now();
    const again = await syncCatalogue(store.kv, { url, current: result.catalogue });
    const notModifiedMs = performance.now() - t2;
    if (again.status !== 'not-modified') throw new Error(`second sync: ${again.status}`);
    return {
      fiches: result.catalogue.size,
      archiveBytes: fs.statSync(file).size,
      buildArchiveMs,
      syncMs,
      syncCpuMs: (cpu.user + cpu.system) / 1000,
      downloadMs: result.downloadMs,
      readMs: result.readMs,
      notModifiedMs,
    };
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

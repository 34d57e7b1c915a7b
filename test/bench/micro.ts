/**
 * In-process micro-benchmarks of the project's own code, loaded from the build (`dist/`, as
 * `npm start` runs it): nearest place over 100,000 synthetic places against a linear scan, and
 * picking a flow from a sentence among 60 flows.
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

/**
 * `syncPlaces` and `HelpPlaces.sync` against a real local HTTP server: a good file is stored as one
 * generation and served at once; an unchanged one costs a 304; a 500, a cut download, a file cut
 * short, a JSON of another shape or an HTML page are refused with one line and the previous set keeps
 * serving; another instance never sees half a set; the starter places the national set also has are
 * replaced, not doubled. The 200-place sample of ../shared/data is served when present.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HelpPlaces, PlacesSyncError, readNationalPointer, starterPlaces, syncPlaces, type Place } from '../../src/places';
import { DirectoryCache } from '../../src/places/findHelp';
import { NATIONAL_META_KEY, chunkKey, loadNationalSet } from '../../src/places/placeSets';
import { createStore, MemoryStore, type KeyValueStore, type WriteItem } from '../../src/store';
import { syntheticPlacesCsv } from '../bench/placesFile';
import { describeWithSharedData, SHARED_DATA_DIR } from '../geo/sharedData';
import { startArchiveServer, type ArchiveServer } from '../sources/support/archiveServer';

let dir: string;
let server: ArchiveServer;
const downloads = () => path.join(dir, 'downloads');
const csv = (n: number, seed = 11) => Buffer.from(syntheticPlacesCsv(n, seed));
const serveCsv = (body: Buffer, etag: string) => server.serve({ body, etag, lastModified: 'Mon, 30 Nov 2026 03:00:00 GMT' });
const at = (iso: string) => () => new Date(iso);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'places-sync-test-'));
  mkdirSync(downloads());
  server = await startArchiveServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store holding one good sync of 2,500 synthetic places (3 chunks). */
async function synced(): Promise<{ store: MemoryStore; places: HelpPlaces }> {
  const store = new MemoryStore();
  const places = new HelpPlaces(store.kv, { starters: false });
  serveCsv(csv(2500), '"gen-1"');
  const result = await places.sync(server.url, { tmpDir: downloads(), now: at('2026-12-01T03:00:00Z') });
  expect(result).toMatchObject({ status: 'updated', meta: { count: 2500, chunks: 3, etag: '"gen-1"', generation: '2026-12-01T03:00:00.000Z' } });
  return { store, places };
}

describe('syncing the national set', () => {
  it('stores a good file as one generation, serves it at once, and costs a 304 when unchanged', async () => {
    const { store, places } = await synced();
    expect((await places.directory()).size).toBe(2500);
    expect((await loadNationalSet(store.kv))?.places).toHaveLength(2500);
    expect(readdirSync(downloads())).toEqual([]);
    const again = await places.sync(server.url, { tmpDir: downloads(), now: at('2026-12-02T03:00:00Z') });
    expect(again.status).toBe('not-modified');
    expect(server.requests[server.requests.length - 1]).toMatchObject({ 'if-none-match': '"gen-1"', 'if-modified-since': 'Mon, 30 Nov 2026 03:00:00 GMT' });
    expect((await readNationalPointer(store.kv)).pointer.current).toMatchObject({ generation: '2026-12-01T03:00:00.000Z', checkedAt: '2026-12-02T03:00:00.000Z' });
  });

  it('a new file replaces the whole set and the old generation is deleted', async () => {
    const { store, places } = await synced();
    serveCsv(csv(1800, 12), '"gen-2"');
    const result = await places.sync(server.url, { tmpDir: downloads(), now: at('2026-12-02T03:00:00Z') });
    expect(result.status).toBe('updated');
    expect((await places.directory()).size).toBe(1800);
    expect((await store.kv.scan('places/national/set/')).map((i) => i.key)).toEqual([chunkKey('2026-12-02T03:00:00.000Z', 0), chunkKey('2026-12-02T03:00:00.000Z', 1)]);
  });

  const refusals: Array<[string, () => void, RegExp]> = [
    ['a 500', () => server.serve({ body: Buffer.alloc(0), status: 500 }), /le serveur a répondu 500/],
    ['a download cut short (Content-Length not reached)', () => server.serve({ body: csv(2500, 13), etag: '"cut"', cutAfter: 200_000 }), /téléchargement interrompu après|téléchargement tronqué/],
    ['a CSV cut short at the source (half of it, complete for HTTP)', () => server.serve({ body: csv(2500, 13).subarray(0, 420_000), etag: '"half"', chunked: true }), /moins de la moitié des 2500 de l'annuaire actuel/],
    ['a JSON with no list of places', () => server.serve({ body: Buffer.from('{"data": {"lieux": 12}}'), etag: '"json1"' }), /Fichier JSON sans liste de lieux/],
    ['a JSON list of something else', () => server.serve({ body: Buffer.from(JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ name: `x${i}`, town: 'Rennes' })))), etag: '"json2"' }), /50 lignes sur 50 sont refusées .*ce n'est pas un fichier du standard/],
    ['an HTML page instead of the file', () => server.serve({ body: Buffer.from('<html><body>Maintenance</body></html>\n<p>Revenez plus tard</p>\n'), etag: '"html"' }), /ce n'est pas un fichier du standard|aucun lieu/],
  ];
  it.each(refusals)('%s is refused with one clear line, and the previous set keeps serving', async (_name, serve, message) => {
    const { store, places } = await synced();
    serve();
    const error = await places.sync(server.url, { tmpDir: downloads(), now: at('2026-12-02T03:00:00Z') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlacesSyncError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect((await places.directory()).size).toBe(2500);
    const fresh = new DirectoryCache(store.kv);
    expect((await fresh.get()).size).toBe(2500);
    expect((await store.kv.scan('places/national/set/')).length).toBe(3);
    expect(readdirSync(downloads())).toEqual([]);
  });

  it('refuses a file with too few places for a national set (default 1,000)', async () => {
    serveCsv(csv(300), '"small"');
    await expect(syncPlaces(new MemoryStore().kv, { url: server.url, tmpDir: downloads() })).rejects.toThrow(/ne contient que 300 lieux valides \(au moins 1000 attendus\)/);
  });

  it('another instance never sees half a set: it reads the old generation until the pointer turns', async () => {
    const { store } = await synced();
    const other = new DirectoryCache(store.kv, 0);
    let release!: () => void;
    let paused!: () => void;
    const wasPaused = new Promise<void>((resolve) => (paused = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Pause the sync after its first chunk of the new generation is written.
    const kv: KeyValueStore = {
      ...store.kv,
      get: (keys) => store.kv.get(keys),
      scan: (prefix) => store.kv.scan(prefix),
      delete: (keys) => store.kv.delete(keys),
      increment: (key, deltas) => store.kv.increment(key, deltas),
      set: async (items: WriteItem[]) => {
        const etags = await store.kv.set(items);
        if (items.some((i) => i.key === chunkKey('2026-12-03T03:00:00.000Z', 0))) {
          paused();
          await gate;
        }
        return etags;
      },
    };
    serveCsv(csv(3200, 14), '"gen-3"');
    const sync = syncPlaces(kv, { url: server.url, tmpDir: downloads(), now: at('2026-12-03T03:00:00Z') });
    await wasPaused;
    expect((await other.get()).size).toBe(2500);
    release();
    expect((await sync).status).toBe('updated');
    expect((await other.get()).size).toBe(3200);
  });

  it('a store failing in the middle of the new chunks leaves the pointer and the old set, and no stray chunk', async () => {
    const { store } = await synced();
    let chunks = 0;
    const kv: KeyValueStore = {
      get: (keys) => store.kv.get(keys),
      scan: (prefix) => store.kv.scan(prefix),
      delete: (keys) => store.kv.delete(keys),
      increment: (key, deltas) => store.kv.increment(key, deltas),
      set: async (items: WriteItem[]) => {
        if (items.some((i) => i.key.includes('2026-12-04')) && ++chunks === 2) throw new Error('disk full');
        return store.kv.set(items);
      },
    };
    serveCsv(csv(2600, 15), '"gen-4"');
    await expect(syncPlaces(kv, { url: server.url, tmpDir: downloads(), now: at('2026-12-04T03:00:00Z') })).rejects.toThrow('disk full');
    expect((await loadNationalSet(store.kv))?.places).toHaveLength(2500);
    expect((await store.kv.scan('places/national/set/')).every((i) => i.key.includes('2026-12-01'))).toBe(true);
  });

  it('two instances syncing at once: one stores its set, the other says so and keeps it', async () => {
    const store = new MemoryStore();
    serveCsv(csv(2200, 16), '"gen-5"');
    const [a, b] = await Promise.all([
      syncPlaces(store.kv, { url: server.url, tmpDir: downloads(), now: at('2026-12-05T03:00:00Z') }),
      syncPlaces(store.kv, { url: server.url, tmpDir: downloads(), now: at('2026-12-05T03:00:01Z') }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['concurrent', 'updated']);
    const set = await loadNationalSet(store.kv);
    expect(set?.places).toHaveLength(2200);
    expect((await store.kv.scan('places/national/set/')).length).toBe(3);
  });

  it('the chunks of a sync that stopped long ago (a crash) are deleted by the next one', async () => {
    const store = new MemoryStore();
    await store.kv.set([
      { key: NATIONAL_META_KEY, value: { pending: { generation: 'crashed', chunks: 2, startedAt: '2026-12-01T00:00:00.000Z' } } },
      { key: chunkKey('crashed', 0), value: { generation: 'crashed', places: [] } },
    ]);
    serveCsv(csv(1200, 17), '"gen-6"');
    expect((await syncPlaces(store.kv, { url: server.url, tmpDir: downloads(), now: at('2026-12-06T03:00:00Z') })).status).toBe('updated');
    expect((await store.kv.scan('places/national/set/')).map((i) => i.key)).toEqual([chunkKey('2026-12-06T03:00:00.000Z', 0), chunkKey('2026-12-06T03:00:00.000Z', 1)]);
  });

  it('keeps the synced set across a restart of the SQLite store', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'places-sync-sqlite-'));
    try {
      let store = await createStore({ dataDir });
      serveCsv(csv(1500, 18), '"gen-7"');
      expect((await new HelpPlaces(store.kv, { starters: false }).sync(server.url, { tmpDir: downloads() })).status).toBe('updated');
      await store.close();
      store = await createStore({ dataDir });
      expect((await new HelpPlaces(store.kv, { starters: false }).directory()).size).toBe(1500);
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describeWithSharedData('lieux-mediation-numerique-sample.csv')('syncing the 200-place sample of ../shared/data', () => {
  const sample = () => readFileSync(path.join(SHARED_DATA_DIR, 'lieux-mediation-numerique-sample.csv'));

  it('stores the 200 places with the per-row report, and replaces the starter France Services it also has', async () => {
    const store = new MemoryStore();
    const places = new HelpPlaces(store.kv);
    const before = await places.loaded();
    server.serve({ body: sample(), etag: '"sample"' });
    const result = await places.sync(server.url, { minPlaces: 100, tmpDir: downloads() });
    if (result.status !== 'updated') throw new Error(result.status);
    expect(result.report).toMatchObject({ rows: 200, imported: 200, skipped: 0 });
    expect(result.report.issues.filter((i) => i.field === 'horaires')).toHaveLength(3);
    const after = await places.loaded();
    expect(after.merged.national).toBe(200);
    expect(after.merged.replacedStarters).toBeGreaterThanOrEqual(15);
    expect(after.directory.size).toBe(before.directory.size + 200 - after.merged.replacedStarters);
    // "France services Saint-Julien le Montagnier" is in both: shown once, from the national set.
    const named = after.directory.places.filter((p: Place) => p.nom === 'France services Saint-Julien le Montagnier');
    expect(named).toHaveLength(1);
    expect(named[0]?.starter).toBeUndefined();
    expect(starterPlaces().some((p) => p.nom === 'France services Saint-Julien le Montagnier')).toBe(true);
  });
});

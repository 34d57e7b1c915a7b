/**
 * The importer and the directory on the real reference files of ../shared/data (skipped, loudly,
 * when absent). Besides asserting the counts of good and bad rows, it measures import and query
 * times and writes them to test-output/places-figures.json — measured, never asserted.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { getGeocoder } from '../../src/geo';
import { importPlaces, PlaceDirectory, type ImportReport, type Place } from '../../src/places';
import { MemoryStore, type Store } from '../../src/store';
import { describeWithSharedData, SHARED_DATA_DIR } from '../geo/sharedData';

const read = (f: string) => readFileSync(path.join(SHARED_DATA_DIR, f), 'utf8');
const locate = (p: Place) => {
  const m = getGeocoder().locate({ insee: p.code_insee, postcode: p.code_postal, name: p.commune });
  return m ? { lat: m.lat, lon: m.lon } : undefined;
};
const figures: Record<string, unknown> = {};
const errorFields = (r: ImportReport) => {
  const count: Record<string, number> = {};
  for (const i of r.issues) if (i.severity === 'error') count[i.field] = (count[i.field] ?? 0) + 1;
  return count;
};

describeWithSharedData('france-services-2022-12-01.csv')('real data from ../shared/data', () => {
  let store: Store;
  beforeAll(() => {
    store = new MemoryStore();
    getGeocoder(); // built once, outside the timings
  });
  afterAll(() => {
    console.log(`Places figures:\n${JSON.stringify(figures, null, 2)}`);
    const out = path.resolve(__dirname, '../../test-output');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'places-figures.json'), JSON.stringify(figures, null, 2));
  });

  it('imports the 2,683 France Services (26 without an address are reported and skipped)', async () => {
    const report = await importPlaces(store.kv, read('france-services-2022-12-01.csv'), { format: 'france-services', date: '2022-12-01', locate });
    figures.franceServices = { rows: report.rows, imported: report.imported, skipped: report.skipped, withWarnings: report.withWarnings, errorFields: errorFields(report), importMs: report.durationMs };
    expect(report.rows).toBe(2683);
    expect(report.imported + report.skipped).toBe(2683);
    expect(report.skipped).toBe(26);
    const again = await importPlaces(store.kv, read('france-services-2022-12-01.csv'), { format: 'france-services', date: '2022-12-01', locate });
    (figures.franceServices as Record<string, unknown>).reimportMs = again.durationMs;
    expect(again).toMatchObject({ created: 0, updated: report.imported });
  });

  it('imports the 200 sample places in CSV and JSON alike, keeping the 3 with malformed hours', async () => {
    const csv = await importPlaces(new MemoryStore().kv, read('lieux-mediation-numerique-sample.csv'), { locate });
    const json = await importPlaces(store.kv, read('lieux-mediation-numerique-sample.json'), { locate });
    figures.sample = { csv: { imported: csv.imported, skipped: csv.skipped, withWarnings: csv.withWarnings }, json: { imported: json.imported, skipped: json.skipped } };
    expect(csv.imported).toBe(200);
    expect(json.imported).toBe(200);
    expect(csv.issues.filter((i) => i.field === 'horaires')).toHaveLength(3);
  });

  it('imports the 646 raw PACA records with their pre-v1 fields', async () => {
    const report = await importPlaces(store.kv, read('lieux-paca-2023-05-17-raw.json'), { locate });
    figures.paca = { rows: report.rows, imported: report.imported, skipped: report.skipped, withWarnings: report.withWarnings, errorFields: errorFields(report) };
    expect(report.rows).toBe(646);
    // The 4 records without coordinates are placed at their commune, so none is lost.
    expect(report.imported).toBe(646);
    const places = (await store.kv.scan<Place>('place:')).map((i) => i.value);
    expect(places.some((p) => p.dispositif_programmes_nationaux?.includes('Conseillers numériques') && p.source === 'conseiller-numerique')).toBe(true);
    expect(places.every((p) => !('labels_nationaux' in p))).toBe(true);
  });

  it('finds the nearest France Services, and measures query time', async () => {
    let t = performance.now();
    const directory = await PlaceDirectory.load(store.kv);
    const loadMs = performance.now() - t;
    const support = { services: ['Aide aux démarches administratives'], programmes: ['France Services'] };
    const at = new Date('2026-11-23T09:00:00Z');
    const pipriac = directory.near(getGeocoder().geocode('35550').point!, { support, limit: 3, at });
    expect(pipriac[0]?.place.nom).toBe('France services de Pipriac');
    expect(pipriac[0]?.distanceKm).toBeLessThan(2);
    const noumea = directory.near(getGeocoder().geocode('Nouméa').point!, { support: { services: support.services }, limit: 3, at });
    expect(noumea.every((r) => r.place.code_postal.startsWith('988'))).toBe(true);
    // 1,000 queries over mainland points, with opening status for each result.
    const points = Array.from({ length: 1000 }, (_, i) => ({ lat: 43 + ((i * 37) % 80) / 10, lon: -1.5 + ((i * 53) % 90) / 10 }));
    // First pass parses each result's hours once (cached per process); the second is the steady state.
    const pass = () => {
      const start = performance.now();
      for (const p of points) directory.near(p, { support, limit: 3, at });
      return (performance.now() - start) / points.length;
    };
    const coldPerQuery = pass();
    const perQuery = pass();
    t = performance.now();
    for (const q of ['35550', 'Chateaurou', 'st denis 93', 'La Rochelle', '13008']) getGeocoder().geocode(q);
    figures.directory = { places: directory.size, loadAndIndexMs: Math.round(loadMs), nearMsPerQueryCold: Number(coldPerQuery.toFixed(3)), nearMsPerQuery: Number(perQuery.toFixed(3)), geocodeMsPer5Queries: Number((performance.now() - t).toFixed(2)) };
  });
});

/**
 * Help places, measured: how far the nearest place proposed is on a fresh install (the starter
 * directory only), for the towns of the field reports and ten more across France and overseas; and,
 * run as `node --expose-gc dist/bench/places.js heap <n>`, the heap that `n` synced places add to
 * the directory (the starter directory's own heap apart).
 */
import { dist } from './micro';
import { syntheticPlacesCsv } from './placesFile';

type Places = typeof import('../../src/places');
type Geo = typeof import('../../src/geo');

/** The towns measured: the 8 of the field reports, then 10 more (overseas, Corsica, a rural commune). */
export const TOWNS: ReadonlyArray<{ name: string; query: string; field?: true }> = [
  { name: 'Pipriac', query: '35550', field: true },
  { name: 'Châteauroux', query: '36000', field: true },
  { name: 'La Rochelle', query: '17000', field: true },
  { name: 'Lormont', query: '33310', field: true },
  { name: 'Cenon', query: '33150', field: true },
  { name: 'Floirac', query: '33270', field: true },
  { name: 'Bassens', query: '33530', field: true },
  { name: 'Rennes', query: '35000', field: true },
  { name: 'Lille', query: '59000' },
  { name: 'Marseille', query: '13001' },
  { name: 'Strasbourg', query: '67000' },
  { name: 'Limoges', query: '87000' },
  { name: 'Ajaccio', query: '20000' },
  { name: 'Saint-Denis (La Réunion)', query: '97400' },
  { name: 'Fort-de-France', query: '97200' },
  { name: 'Cayenne', query: '97300' },
  { name: 'Mamoudzou', query: '97600' },
  { name: 'Gioux (Creuse, 150 inhabitants)', query: '23500 Gioux' },
];

export interface CoverageRow {
  town: string;
  query: string;
  /** Distance (km) to the first place a resident is shown for a CAF procedure, its name, and to the nearest place at all. */
  firstKm?: number;
  firstName?: string;
  nearestKm?: number;
  nearestName?: string;
  /** The first place has a phone and known hours. */
  phone: boolean;
  hours: boolean;
}

/** The places a resident of each town is shown on a fresh install (starter directory), for the CAF attestation's support. */
export function benchCoverage(at = new Date('2026-12-08T09:00:00Z')): { rows: CoverageRow[]; starterPlaces: number; loadMs: number } {
  const places = dist<Places>('places');
  const { getGeocoder } = dist<Geo>('geo');
  getGeocoder();
  const t0 = performance.now();
  const directory = new places.PlaceDirectory(places.starterPlaces(places.locateByCommune));
  const loadMs = performance.now() - t0;
  const find = places.finderFor(directory, at);
  const support = { services: ['Aide aux démarches administratives' as const], programmes: ["Point d'accès numérique CAF" as const, 'France Services' as const] };
  const rows = TOWNS.map(({ name, query }): CoverageRow => {
    const found = find(query, { support, lang: 'fr' });
    if (found.kind !== 'found') return { town: name, query, phone: false, hours: false };
    const nearest = directory.near(found.where, { limit: 1, at })[0];
    const first = found.places[0];
    return {
      town: name,
      query,
      ...(first ? { firstKm: first.distanceKm, firstName: first.name } : {}),
      ...(nearest ? { nearestKm: nearest.distanceKm, nearestName: nearest.place.nom } : {}),
      phone: !!first?.phone,
      hours: !!first && !/non renseignés/.test(first.status),
    };
  });
  return { rows, starterPlaces: directory.size, loadMs };
}

/** `heap <n>`: heap of the starter directory, then of the directory with `n` synced places more (bytes, after GC). */
async function heapMain(n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const places = dist<Places>('places');
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 20));
    }
    return process.memoryUsage().heapUsed;
  };
  dist<Geo>('geo').getGeocoder();
  const base = await settle();
  const starters = places.starterPlaces(places.locateByCommune);
  let directory = new places.PlaceDirectory(places.mergePlaces({ starters }).places);
  const withStarters = await settle();
  const csv = syntheticPlacesCsv(n);
  const parsed = places.parsePlaces(csv, {});
  directory = new places.PlaceDirectory(places.mergePlaces({ national: parsed.places, starters }).places);
  const withNational = await settle();
  console.log(JSON.stringify({ n, places: directory.size, starterBytes: withStarters - base, nationalBytes: withNational - withStarters, perPlaceBytes: (withNational - withStarters) / n, rssMb: process.memoryUsage().rss / 2 ** 20 }));
}

if (require.main === module && process.argv[2] === 'heap') {
  heapMain(Number(process.argv[3] ?? 20000)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

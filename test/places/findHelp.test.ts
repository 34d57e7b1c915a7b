import { DirectoryCache, findHelp, PlaceDirectory, type Place } from '../../src/places';
import { MemoryStore } from '../../src/store';

const AT = new Date('2026-11-23T09:00:00Z');
const place = (id: string, lat: number, lon: number): Place => ({
  id,
  pivot: '00000000000000',
  nom: `Lieu ${id}`,
  commune: 'X',
  code_postal: '35550',
  adresse: '1 rue',
  date_maj: '2024-01-01',
  services: ['Aide aux démarches administratives'],
  latitude: lat,
  longitude: lon,
});
const directory = new PlaceDirectory([place('pipriac', 47.8095, -1.935), place('rennes', 48.111, -1.68)]);

describe('findHelp', () => {
  it('finds places near a postcode, a name or a point', () => {
    const byPostcode = findHelp(directory, '35550', { limit: 1, at: AT });
    expect(byPostcode).toMatchObject({ kind: 'found', where: { label: 'Pipriac (35550)', insee: '35219' }, results: [{ place: { id: 'pipriac' } }] });
    expect(findHelp(directory, 'renes', { limit: 1, at: AT })).toMatchObject({ kind: 'found', where: { label: 'Rennes' }, results: [{ place: { id: 'rennes' } }] });
    expect(findHelp(directory, { lat: 48.11, lon: -1.68 }, { limit: 1, at: AT })).toMatchObject({ kind: 'found', where: { label: 'Rennes' }, results: [{ place: { id: 'rennes' } }] });
  });

  it('offers the communes to choose from when a name is shared, each with a query to send back', () => {
    const r = findHelp(directory, 'Saint-Denis');
    expect(r.kind).toBe('ambiguous');
    if (r.kind !== 'ambiguous') return;
    const choice = r.choices.find((c) => c.commune.departement === '93');
    expect(choice).toMatchObject({ label: 'Saint-Denis (Seine-Saint-Denis)', query: 'Saint-Denis 93' });
    expect(findHelp(directory, choice!.query).kind).toBe('found');
  });

  it('says not-found for anything else', () => {
    expect(findHelp(directory, 'blablabla')).toEqual({ kind: 'not-found', query: 'blablabla' });
  });
});

describe('DirectoryCache', () => {
  it('reloads after maxAge or invalidate, not before', async () => {
    const store = new MemoryStore();
    let now = 0;
    const cache = new DirectoryCache(store.kv, 1000, () => now);
    expect((await cache.get()).size).toBe(0);
    await store.kv.set([{ key: 'place:a', value: place('a', 48, -1) }]);
    expect((await cache.get()).size).toBe(0);
    now = 1001;
    expect((await cache.get()).size).toBe(1);
    await store.kv.set([{ key: 'place:b', value: place('b', 48, -1) }]);
    cache.invalidate();
    expect((await cache.get()).size).toBe(2);
  });
});

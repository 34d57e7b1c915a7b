import { findHelp, importPlaces, PlaceDirectory, type Place } from '../../src/places';
import { DirectoryCache } from '../../src/places/findHelp';
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
  const csv = (ids: string[]) =>
    ['id,nom,commune,code_postal,adresse,latitude,longitude,date_maj,services', ...ids.map((id) => `${id},Lieu ${id},Rennes,35000,1 rue A,48.11,-1.68,2026-01-01,Aide aux démarches administratives`)].join('\n');

  it('reloads after maxAge when an import changed the stored places, or at once after invalidate', async () => {
    const store = new MemoryStore();
    let now = 0;
    const cache = new DirectoryCache(store.kv, 1000, () => now);
    expect((await cache.get()).size).toBe(0);
    await importPlaces(store.kv, csv(['a']));
    expect((await cache.get()).size).toBe(0);
    now = 1001;
    expect((await cache.get()).size).toBe(1);
    await importPlaces(store.kv, csv(['b']));
    cache.invalidate();
    expect((await cache.get()).size).toBe(2);
  });

  it('does not read the places again when nothing changed (a small revision read only)', async () => {
    const store = new MemoryStore();
    await importPlaces(store.kv, csv(['a', 'b']));
    let now = 0;
    const cache = new DirectoryCache(store.kv, 1000, () => now);
    const first = await cache.get();
    now = 5000;
    const scan = jest.spyOn(store.kv, 'scan');
    expect(await cache.get()).toBe(first);
    expect(scan).not.toHaveBeenCalled();
  });

  it('puts the starter places under the stored ones, replaced when an import has the same place', async () => {
    const store = new MemoryStore();
    const starter = { ...place('france-services-9', 48.11, -1.68), nom: 'France services de Rennes', commune: 'Rennes', code_postal: '35000', starter: true as const };
    const cache = new DirectoryCache(store.kv, 0, () => 0, () => [starter]);
    expect((await cache.get()).places.map((p) => p.id)).toEqual(['france-services-9']);
    await importPlaces(store.kv, 'id,nom,commune,code_postal,adresse,date_maj,latitude,longitude\nrennes-fs,FRANCE SERVICES DE RENNES,RENNES,35000,2 rue B,2026-05-01,48.1,-1.6');
    cache.invalidate();
    expect((await cache.loaded()).merged).toMatchObject({ local: 1, starters: 0, replacedStarters: 1 });
  });
});

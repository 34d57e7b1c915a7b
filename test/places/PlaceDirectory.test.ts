import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PlaceDirectory, mapUrl, type Place } from '../../src/places';
import { MemoryStore } from '../../src/store';
import { importPlaces } from '../../src/places';

const HOURS = 'Mo-Fr 09:00-12:00,13:30-17:00';
const MONDAY_10H_PARIS = new Date('2026-11-23T09:00:00Z');
const RENNES = { lat: 48.1113, lon: -1.68 };

function place(id: string, lat: number, lon: number, extra: Partial<Place> = {}): Place {
  return {
    id,
    pivot: '00000000000000',
    nom: `Lieu ${id}`,
    commune: 'Rennes',
    code_postal: '35000',
    adresse: `${id} rue du Test`,
    date_maj: '2024-01-01',
    services: ['Aide aux démarches administratives'],
    latitude: lat,
    longitude: lon,
    horaires: HOURS,
    ...extra,
  };
}

// Roughly: 0.009° of latitude ≈ 1 km.
const places: Place[] = [
  place('near', 48.1203, -1.68, { telephone: '+33299000001', courriels: ['a@example.org'], prise_rdv: 'https://rdv.example.org' }),
  place('fs', 48.1383, -1.68, { dispositif_programmes_nationaux: ['France Services'], frais_a_charge: ['Gratuit'] }),
  place('paying', 48.1293, -1.68, { frais_a_charge: ['Payant'], prise_en_charge_specifique: ['Surdité'] }),
  place('deaf', 48.1563, -1.68, { prise_en_charge_specifique: ['Surdité'], frais_a_charge: ['Gratuit'] }),
  place('tools-only', 48.1140, -1.68, { services: ['Maîtrise des outils numériques du quotidien'] }),
  place('saturday', 48.1158, -1.68, { horaires: 'Sa 09:00-12:00' }),
  place('bad-hours', 48.1248, -1.68, { horaires: 'le lundi sur rendez-vous' }),
  place('far', 48.66, -1.68),
];
const directory = new PlaceDirectory(places);
const admin = { services: ['Aide aux démarches administratives'] };

describe('PlaceDirectory.near', () => {
  it('returns the nearest places with distance, status, tap-to-call, appointment, e-mail and map links', () => {
    const [first] = directory.near(RENNES, { support: admin, openNow: true, limit: 1, at: MONDAY_10H_PARIS });
    expect(first).toMatchObject({
      place: { id: 'near' },
      distanceKm: 1,
      status: { state: 'open' },
      statusText: "Ouvert maintenant, jusqu'à 12 h",
      phoneLink: 'tel:+33299000001',
      phoneText: '02 99 00 00 01',
      appointmentUrl: 'https://rdv.example.org',
      email: 'a@example.org',
      address: 'near rue du Test, 35000 Rennes',
      mapUrl: 'https://www.openstreetmap.org/?mlat=48.12030&mlon=-1.68000#map=17/48.12030/-1.68000',
    });
  });

  it('filters by service', () => {
    const ids = directory.near(RENNES, { support: { services: ['Maîtrise des outils numériques du quotidien'] }, limit: 5, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(ids).toEqual(['tools-only']);
  });

  it('puts places of a preferred programme first, then by distance', () => {
    const ids = directory.near(RENNES, { support: { ...admin, programmes: ['France Services'] }, limit: 3, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(ids[0]).toBe('fs');
    expect(ids.slice(1)).toEqual(['saturday', 'near']);
  });

  it('keeps only a programme when asked to (mediator filter)', () => {
    const ids = directory.near(RENNES, { programmes: ['France Services'], limit: 3, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(ids).toEqual(['fs']);
  });

  it('requires every specific support and excludes paying places when free is asked', () => {
    const deaf = directory.near(RENNES, { support: { ...admin, specific: ['Surdité'] }, limit: 5, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(deaf).toEqual(['paying', 'deaf']);
    const freeDeaf = directory.near(RENNES, { support: { ...admin, specific: ['Surdité'], free: true }, limit: 5, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(freeDeaf).toEqual(['deaf']);
  });

  it('ranks places with unknown fees after known free ones when free is asked', () => {
    const ids = directory.near(RENNES, { support: { ...admin, free: true }, limit: 3, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(ids[0]).toBe('fs');
  });

  it('keeps only open places with openNow, and never drops a place with unreadable hours otherwise', () => {
    const open = directory.near(RENNES, { support: admin, openNow: true, limit: 10, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(open).not.toContain('saturday');
    expect(open).not.toContain('bad-hours');
    const all = directory.near(RENNES, { support: admin, limit: 10, at: MONDAY_10H_PARIS, maxKm: 20 });
    const bad = all.find((r) => r.place.id === 'bad-hours');
    expect(bad?.statusText).toBe('Horaires non renseignés');
    expect(all.find((r) => r.place.id === 'saturday')?.statusText).toBe('Fermé, ouvre samedi à 9 h');
  });

  it('widens the radius until enough places are found, up to maxKm', () => {
    const fromNorth = { lat: 48.9, lon: -1.68 };
    expect(directory.near(fromNorth, { support: admin, limit: 1, at: MONDAY_10H_PARIS }).map((r) => r.place.id)).toEqual(['far']);
    expect(directory.near(fromNorth, { support: admin, limit: 1, at: MONDAY_10H_PARIS, maxKm: 10 })).toEqual([]);
    const many = directory.near(fromNorth, { support: admin, limit: 3, at: MONDAY_10H_PARIS });
    expect(many).toHaveLength(3);
    expect(many[0]?.place.id).toBe('far');
  });

  it('loads from the store and ignores places without coordinates', async () => {
    const store = new MemoryStore();
    await store.kv.set([...places.slice(0, 2), { ...place('nowhere', 0, 0), latitude: undefined, longitude: undefined }].map((p) => ({ key: `place:${p.id}`, value: p })));
    const loaded = await PlaceDirectory.load(store.kv);
    expect(loaded.size).toBe(2);
    expect(new PlaceDirectory([]).near(RENNES)).toEqual([]);
  });

  it('works on imported records end to end', async () => {
    const store = new MemoryStore();
    const csv = readFileSync(path.join(__dirname, '../fixtures/places/lieux-standard.csv'), 'utf8');
    await importPlaces(store.kv, csv);
    const results = (await PlaceDirectory.load(store.kv)).near(RENNES, { support: { ...admin, programmes: ['Aidants Connect'] }, limit: 2, at: MONDAY_10H_PARIS });
    expect(results.map((r) => r.place.id)).toEqual(['fixture-1', 'fixture-2']);
  });
});

describe('mapUrl', () => {
  it('links to OpenStreetMap with a marker', () => {
    expect(mapUrl(47.8095, -1.935)).toBe('https://www.openstreetmap.org/?mlat=47.80950&mlon=-1.93500#map=17/47.80950/-1.93500');
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { PlaceDirectory, mapUrl, type Place } from '../../src/places';
import { openingStatus } from '../../src/places/openingStatus';
import { placeMatches, type NearOptions } from '../../src/places/PlaceDirectory';
import { MemoryStore } from '../../src/store';
import { importPlaces } from '../../src/places';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const geokdbush = require('geokdbush') as { distance: (lng1: number, lat1: number, lng2: number, lat2: number) => number };

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
    const first = directory.near(RENNES, { support: admin, openNow: true, limit: 3, at: MONDAY_10H_PARIS }).find((r) => r.place.id === 'near');
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

  it('requires every specific support asked for, and excludes paying places when free is asked', () => {
    const deaf = directory.near(RENNES, { support: admin, specific: [['Surdité']], limit: 5, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(deaf).toEqual(['paying', 'deaf']);
    const freeDeaf = directory.near(RENNES, { support: { ...admin, free: true }, specific: [['Surdité']], limit: 5, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(freeDeaf).toEqual(['deaf']);
    // Each entry is met by any of its values.
    const either = directory.near(RENNES, { specific: [['Illettrisme', 'Surdité']], limit: 5, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    expect(either).toEqual(['paying', 'deaf']);
  });

  it("only ranks by a flow's own specific supports (a guess, not what the person said)", () => {
    const ids = directory.near(RENNES, { support: { ...admin, specific: ['Surdité'] }, limit: 3, at: MONDAY_10H_PARIS }).map((r) => r.place.id);
    // France Services first (one-to-one help), then the place for deaf people, then the nearest.
    expect(ids).toEqual(['fs', 'paying', 'saturday']);
  });

  it('for a procedure, puts one-to-one help first (France Services by their charter), then the preferred programmes', () => {
    const withModes = new PlaceDirectory([
      ...places,
      place('one-to-one', 48.127, -1.68, { modalites_accompagnement: ['Accompagnement individuel'] }),
      place('workshop', 48.1215, -1.68, { modalites_accompagnement: ['Dans un atelier collectif'] }),
    ]);
    const ids = withModes.near(RENNES, { support: { ...admin, programmes: ['France Services'] }, limit: 4, at: MONDAY_10H_PARIS }).map((r) => [r.place.id, r.individual]);
    expect(ids).toEqual([
      ['fs', true],
      ['one-to-one', true],
      ['saturday', false],
      ['near', false],
    ]);
    // Without a procedure (a mediator's plain search), distance only.
    expect(withModes.near(RENNES, { limit: 2, at: MONDAY_10H_PARIS }).map((r) => r.place.id)).toEqual(['tools-only', 'saturday']);
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
    // The France Services 85 km away offers one-to-one help, but is in a farther band than 'far' (27 km).
    expect(many.map((r) => r.place.id)).toEqual(['far', 'fs', 'deaf']);
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

/**
 * The reference `near` is a linear scan, written from the contract: the places that pass the filter
 * within the first radius (5, 10, 20… km, then maxKm) holding `limit` of them; nearer distance
 * bands first; within a band, for a procedure, one-to-one help first, then preferred programmes,
 * then the flow's specific supports, then known free places when free is asked; then by distance,
 * then in the order given.
 */
const RADII_KM = [5, 10, 20, 40, 80, 160, 320];
function referenceNear(all: readonly Place[], point: { lat: number; lon: number }, options: NearOptions): Array<{ id: string; km: number; programmeMatch: boolean; individual: boolean }> {
  const limit = options.limit ?? 3;
  const maxKm = options.maxKm ?? 200;
  const at = options.at ?? new Date();
  const rows = all
    .map((place, i) => ({ place, i, km: geokdbush.distance(point.lon, point.lat, place.longitude!, place.latitude!) }))
    .filter(({ place }) => placeMatches(place, options.support, options.programmes, options.specific))
    .filter(({ place }) => !options.openNow || openingStatus(place.horaires, at, place.code_postal).state === 'open');
  let within = rows;
  for (const r of [...RADII_KM.filter((x) => x < maxKm), maxKm]) {
    within = rows.filter((row) => row.km <= r);
    if (within.length >= limit) break;
  }
  const preferred: readonly string[] = options.support?.programmes ?? [];
  const guessed: readonly string[] = options.support?.specific ?? [];
  const ranked = within.map((row) => ({
    ...row,
    individual: !!options.support && (!!row.place.modalites_accompagnement?.includes('Accompagnement individuel') || !!row.place.dispositif_programmes_nationaux?.includes('France Services')),
    programmeMatch: preferred.some((p) => (row.place.dispositif_programmes_nationaux as readonly string[] | undefined)?.includes(p) ?? false),
    specificMatch: guessed.length > 0 && guessed.every((g) => (row.place.prise_en_charge_specifique as readonly string[] | undefined)?.includes(g) ?? false),
    knownFree: !options.support?.free || !!row.place.frais_a_charge?.some((f) => f.startsWith('Gratuit')),
  }));
  const flag = (b: boolean) => (b ? 1 : 0);
  const band = (km: number) => {
    const i = RADII_KM.findIndex((r) => km <= r);
    return i < 0 ? RADII_KM.length : i;
  };
  ranked.sort(
    (a, b) =>
      band(a.km) - band(b.km) ||
      flag(b.individual) - flag(a.individual) ||
      flag(b.programmeMatch) - flag(a.programmeMatch) ||
      flag(b.specificMatch) - flag(a.specificMatch) ||
      flag(b.knownFree) - flag(a.knownFree) ||
      a.km - b.km ||
      a.i - b.i,
  );
  return ranked.slice(0, limit).map((r) => ({ id: r.place.id, km: Math.round(r.km * 10) / 10, programmeMatch: r.programmeMatch, individual: r.individual }));
}

const SERVICES = ['Aide aux démarches administratives', 'Maîtrise des outils numériques du quotidien', 'Insertion professionnelle via le numérique'] as const;
const PROGRAMMES = ['France Services', 'Aidants Connect', 'Conseillers numériques'] as const;
const SPECIFIC = ['Surdité', 'Illettrisme'] as const;
const MODES = ['Accompagnement individuel', 'Dans un atelier collectif'] as const;
const FEES = [undefined, ['Gratuit'], ['Payant'], ['Gratuit sous condition'], ['Payant', 'Gratuit']];
const HOURS_CHOICES = [undefined, HOURS, 'Sa 09:00-12:00', 'le lundi sur rendez-vous'];

type Region = { lat: [number, number]; lon: [number, number] };
/** Longitudes may be drawn past 180° to straddle the antimeridian; places and points get them back in [-180, 180]. */
const wrap = (lon: number) => (lon > 180 ? lon - 360 : lon);

const arbPlaces = (region: Region) =>
  fc
    .array(
      fc.record({
        lat: fc.double({ min: region.lat[0], max: region.lat[1], noNaN: true }),
        lon: fc.double({ min: region.lon[0], max: region.lon[1], noNaN: true }),
        services: fc.subarray([...SERVICES], { minLength: 1 }),
        programmes: fc.subarray([...PROGRAMMES]),
        specific: fc.subarray([...SPECIFIC]),
        modes: fc.subarray([...MODES]),
        fees: fc.constantFrom(...FEES),
        hours: fc.constantFrom(...HOURS_CHOICES),
        twinOfPrevious: fc.boolean(),
      }),
      { minLength: 1, maxLength: 120 },
    )
    .map((rows) => {
      const out: Place[] = [];
      for (const [i, r] of rows.entries()) {
        // Some places share the coordinates of the previous one (same building, commune centre).
        const prev = out[i - 1];
        const [lat, lon] = r.twinOfPrevious && prev ? [prev.latitude!, prev.longitude!] : [r.lat, wrap(r.lon)];
        const extra: Partial<Place> = { services: r.services, prise_en_charge_specifique: r.specific, horaires: r.hours };
        if (r.modes.length) extra.modalites_accompagnement = r.modes;
        if (r.programmes.length) extra.dispositif_programmes_nationaux = r.programmes;
        if (r.fees) extra.frais_a_charge = r.fees;
        out.push(place(`p${i}`, lat, lon, extra));
      }
      return out;
    });

const arbOptions = fc.record(
  {
    support: fc.record(
      { services: fc.subarray([...SERVICES], { minLength: 1 }), programmes: fc.subarray([...PROGRAMMES]), free: fc.boolean(), specific: fc.subarray([...SPECIFIC], { maxLength: 1 }) },
      { requiredKeys: ['services'] },
    ),
    programmes: fc.subarray([...PROGRAMMES], { minLength: 1, maxLength: 2 }),
    specific: fc.subarray([...SPECIFIC], { minLength: 1, maxLength: 2 }).map((list) => list.map((s) => (s === 'Illettrisme' ? [s, 'Surdité'] : [s]))),
    openNow: fc.boolean(),
    limit: fc.integer({ min: 1, max: 8 }),
    maxKm: fc.constantFrom(3, 5, 30, 200, 500),
  },
  { requiredKeys: [] },
);

describe('PlaceDirectory.near against a linear scan', () => {
  const check = (region: Region, runs: number) =>
    fc.assert(
      fc.property(arbPlaces(region), arbOptions, fc.double({ min: region.lat[0], max: region.lat[1], noNaN: true }), fc.double({ min: region.lon[0], max: region.lon[1], noNaN: true }), (all, options, lat, rawLon) => {
        const lon = wrap(rawLon);
        const o: NearOptions = { ...options, at: MONDAY_10H_PARIS };
        const got = new PlaceDirectory(all).near({ lat, lon }, o).map((r) => ({ id: r.place.id, km: r.distanceKm, programmeMatch: r.programmeMatch, individual: r.individual }));
        expect(got).toEqual(referenceNear(all, { lat, lon }, o));
      }),
      { numRuns: runs, seed: 20260302 },
    );

  it('gives the same places, in the same order, on random places and filters (one département)', () => check({ lat: [47.6, 48.6], lon: [-2.3, -0.9] }, 300));

  it('gives the same places across the antimeridian, far north and around both poles', () => {
    check({ lat: [-15, -12], lon: [177, 183] }, 80);
    check({ lat: [80, 86], lon: [-20, 20] }, 60);
    check({ lat: [88, 90], lon: [-180, 180] }, 60);
    check({ lat: [-90, -87], lon: [-180, 180] }, 40);
  });

  it('finds a place on the other side of the antimeridian', () => {
    const wallis = new PlaceDirectory([place('west', -13.3, -179.95), place('east', -13.3, 179.3)]);
    expect(wallis.near({ lat: -13.3, lon: 179.97 }, { limit: 2, at: MONDAY_10H_PARIS }).map((r) => [r.place.id, r.distanceKm])).toEqual([
      ['west', 8.7],
      ['east', 72.5],
    ]);
  });

  it('keeps places at the same spot in the order they were given', () => {
    const twins = new PlaceDirectory(['a', 'b', 'c', 'd'].map((id) => place(id, 48.12, -1.68)));
    expect(twins.near(RENNES, { limit: 3, at: MONDAY_10H_PARIS }).map((r) => r.place.id)).toEqual(['a', 'b', 'c']);
  });

  it('filters on values outside the standard lists as on standard ones (a non-standard import)', () => {
    const odd = Array.from({ length: 40 }, (_, i) =>
      place(`odd${i}`, 48.1 + i * 0.001, -1.68, { services: [`Service ${i}` as never, ...(i % 3 ? [] : (['Aide aux démarches administratives'] as const))] }),
    );
    const all = [...odd, ...places];
    const options: NearOptions = { support: { ...admin, programmes: ['France Services'], free: true }, limit: 6, at: MONDAY_10H_PARIS };
    const got = new PlaceDirectory(all).near(RENNES, options).map((r) => ({ id: r.place.id, km: r.distanceKm, programmeMatch: r.programmeMatch, individual: r.individual }));
    expect(got).toEqual(referenceNear(all, RENNES, options));
    expect(got[0]).toMatchObject({ id: 'fs', programmeMatch: true });
    expect(new PlaceDirectory(all).near(RENNES, { support: { services: ['Service 7' as never] }, at: MONDAY_10H_PARIS }).map((r) => r.place.id)).toEqual(['odd7']);
  });

  it('finds nothing for a value no place has, or a limit below 1', () => {
    expect(directory.near(RENNES, { support: admin, specific: [['Déficience visuelle']], at: MONDAY_10H_PARIS })).toEqual([]);
    expect(directory.near(RENNES, { programmes: ['Emmaüs Connect'], at: MONDAY_10H_PARIS })).toEqual([]);
    expect(directory.near(RENNES, { limit: 0, at: MONDAY_10H_PARIS })).toEqual([]);
  });
});

describe('mapUrl', () => {
  it('links to OpenStreetMap with a marker', () => {
    expect(mapUrl(47.8095, -1.935)).toBe('https://www.openstreetmap.org/?mlat=47.80950&mlon=-1.93500#map=17/47.80950/-1.93500');
  });
});

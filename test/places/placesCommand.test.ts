import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickValue, runPlacesImport, runPlacesNear } from '../../src/cli/placesCommand';
import { STANDARD_SERVICES } from '../../src/flow/schema';
import { PlaceDirectory, starterPlaces } from '../../src/places';
import { loadPlaces } from '../../src/places/importPlaces';
import { starterSource } from '../../src/places/loadStarterPlaces';
import { getGeocoder } from '../../src/geo';
import { createStore, MemoryStore } from '../../src/store';

const FIXTURES = path.join(__dirname, '../fixtures/places');
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (l: string) => err.push(l) } };
}
const locate = (p: { code_insee?: string; code_postal: string; commune: string }) => {
  const m = getGeocoder().locate({ insee: p.code_insee, postcode: p.code_postal, name: p.commune });
  return m ? { lat: m.lat, lon: m.lon } : undefined;
};

describe('starter directory', () => {
  const places = starterPlaces(locate);

  it('ships the France Services of the ANCT list of 1 December 2022, in the national standard, with its source and licence', () => {
    const source = starterSource();
    expect(source).toMatchObject({ date: '2022-12-01', licence: expect.stringContaining('Licence Ouverte') });
    const franceServices = places.filter((p) => p.dispositif_programmes_nationaux?.includes('France Services'));
    // 2,683 rows, 26 without an address left out as the import does, one field-report place merged into its France Services.
    expect(franceServices.length).toBe(2657);
    for (const p of franceServices) {
      expect(p.starter).toBe(true);
      expect(p.date_maj).toBe('2022-12-01');
      expect(p.services).toContain('Aide aux démarches administratives');
      expect(p.latitude).toBeDefined();
    }
    expect(franceServices.filter((p) => p.telephone).length).toBeGreaterThan(2500);
    expect(franceServices.filter((p) => p.itinerance?.includes('Itinérant')).length).toBeGreaterThan(50);
  });

  it('keeps the field-report places with their source; Pipriac is its France Services, kept once', () => {
    const field = places.filter((p) => p.starter_source);
    expect(field.map((p) => p.commune)).toEqual(expect.arrayContaining(['Pipriac', 'Châteauroux', 'La Rochelle', 'Lormont', 'Cenon', 'Floirac', 'Bassens', 'Rennes']));
    for (const p of field) expect(p.starter_source).toMatch(/^https?:\/\//);
    const pipriac = places.filter((p) => p.commune === 'Pipriac');
    expect(pipriac).toHaveLength(1);
    expect(pipriac[0]).toMatchObject({ id: 'france-services-217', adresse: expect.stringContaining("36 Rue de l"), telephone: '+33299343691', starter_source: 'http://placesdupartage.net/?p=289' });
    // Facts not found in a source stay empty: no invented phone or hours.
    const unverified = field.filter((p) => p.id.startsWith('ariane-starter-') && p.commune !== 'Bassens');
    for (const p of unverified) {
      expect(p.telephone).toBeUndefined();
      expect(p.horaires).toBeUndefined();
    }
  });

  it('is the one exception to ../shared: the file names its source, the service never reads the list', () => {
    const text = readFileSync(path.join(__dirname, '../../src/places/starter-places.json'), 'utf8');
    expect(text).toContain('"licence":"Licence Ouverte 2.0 (Etalab)"'.replace('":"', '": "'));
    expect(text).not.toContain('../shared');
  });
});

describe('ariane places import / near', () => {
  it('imports a file, reports bad rows, and drops starter places an earlier release stored', async () => {
    const store = new MemoryStore();
    // Before this release, the starter places were written into an empty store.
    await store.kv.set([{ key: 'place:old-starter', value: { ...starterPlaces(locate)[0], id: 'old-starter' } }]);
    const c = capture();
    expect(await runPlacesImport(path.join(FIXTURES, 'lieux-standard.csv'), {}, store, c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain('ERREUR  ligne 5 (fixture-4) · code_postal : champ obligatoire absent');
    expect(text).toContain('6 lignes lues : 4 lieux importés (4 nouveaux, 0 mis à jour), 2 lignes écartées, 2 gardées avec une remarque.');
    expect((await store.kv.get(['place:old-starter']))['place:old-starter']).toBeUndefined();
  });

  it('reads a CSV saved as Windows-1252 by a spreadsheet', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ariane-latin1-'));
    try {
      const file = path.join(dir, 'lieux.csv');
      writeFileSync(file, Buffer.from(readFileSync(path.join(FIXTURES, 'lieux-standard.csv'), 'utf8'), 'latin1'));
      const store = new MemoryStore();
      const c = capture();
      expect(await runPlacesImport(file, {}, store, c.io)).toBe(0);
      expect(c.err.join('\n')).toContain('lu comme Windows-1252');
      expect((await loadPlaces(store.kv)).find((p) => p.id === 'fixture-3')?.commune).toBe('Cesson-Sévigné');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown format or a missing file with a clear message', async () => {
    const c = capture();
    expect(await runPlacesImport('nope.csv', { format: 'xml' }, new MemoryStore(), c.io)).toBe(1);
    expect(await runPlacesImport(path.join(FIXTURES, 'absent.csv'), {}, new MemoryStore(), c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/Format inconnu[\s\S]*Impossible de lire/);
  });

  it('finds places near a commune with loose service names, as text or JSON', async () => {
    const store = new MemoryStore();
    await runPlacesImport(path.join(FIXTURES, 'lieux-standard.csv'), {}, store, capture().io);
    const c = capture();
    expect(await runPlacesNear('rennes', { service: ['demarches administratives'], specific: ['surdite'], at: '2026-11-23T10:00:00+01:00' }, store, c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain('1. Maison des services de Testville');
    expect(text).toContain("Ouvert maintenant, jusqu'à 12 h");
    expect(text).toContain('Tél. 02 99 00 00 01 (tel:+33299000001)');
    expect(text).not.toContain('Le Lien');
    const j = capture();
    expect(await runPlacesNear('35000', { programme: ['aidants'], json: true, limit: '2', at: '2026-11-23T10:00:00+01:00' }, store, j.io)).toBe(0);
    const json = JSON.parse(j.out.join('')) as { results: Array<{ place: { id: string } }> };
    expect(json.results.map((r) => r.place.id)).toEqual(['fixture-1']);
  });

  it('asks for the département when a name is ambiguous, and explains bad options', async () => {
    const c = capture();
    expect(await runPlacesNear('saint denis', {}, new MemoryStore(), c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('Saint-Denis (Seine-Saint-Denis, 93)');
    expect(await runPlacesNear('rennes', { service: ['cuisine'] }, new MemoryStore(), c.io)).toBe(1);
    expect(c.err.join('\n')).toContain('Service inconnu : « cuisine »');
    expect(await runPlacesNear('rennes', { limit: '0' }, new MemoryStore(), c.io)).toBe(1);
    expect(await runPlacesNear('rennes', { at: 'hier' }, new MemoryStore(), c.io)).toBe(1);
  });

  it('answers from the starter set on a fresh store, with the date of the information', async () => {
    const c = capture();
    expect(await runPlacesNear('35550', {}, new MemoryStore(), c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain('France services de Pipriac [annuaire de départ]');
    expect(text).toContain('Informations du 1er décembre 2022, vérifiez avant de vous déplacer');
    expect(c.err.join('\n')).toContain("l'annuaire de départ de");
  });

  it('reads enumeration values loosely but refuses ambiguous ones', () => {
    expect(pickValue('Aide aux demarches administratives', STANDARD_SERVICES, 'Service')).toBe('Aide aux démarches administratives');
    expect(() => pickValue('numérique', STANDARD_SERVICES, 'Service')).toThrow(/Valeurs possibles/);
  });
});

describe('with the durable SQLite store', () => {
  it('keeps imported places across a restart, without duplicates on re-import', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ariane-places-'));
    try {
      let store = await createStore({ dataDir });
      await runPlacesImport(path.join(FIXTURES, 'lieux-standard.csv'), {}, store, capture().io);
      await runPlacesImport(path.join(FIXTURES, 'lieux-standard.csv'), {}, store, capture().io);
      await store.close();
      store = await createStore({ dataDir });
      const directory = await PlaceDirectory.load(store.kv);
      expect(directory.size).toBe(4);
      expect(directory.near({ lat: 48.111, lon: -1.68 }, { limit: 1 })[0]?.place.id).toBe('fixture-1');
      await store.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pickValue, runPlacesImport, runPlacesNear } from '../../src/cli/placesCommand';
import { STANDARD_SERVICES } from '../../src/flow/schema';
import { loadPlaces, loadStarterPlaces, PlaceDirectory, starterPlaces } from '../../src/places';
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
  it('ships real, sourced places labelled as a starter set, with no invented phone or hours', () => {
    const places = starterPlaces(locate);
    expect(places.length).toBeGreaterThanOrEqual(8);
    for (const p of places) {
      expect(p.starter).toBe(true);
      expect(p.starter_source).toMatch(/^https?:\/\//);
      expect(p.latitude).toBeDefined();
      expect(p.telephone).toBeUndefined();
      expect(p.horaires).toBeUndefined();
    }
    expect(places.map((p) => p.commune)).toEqual(expect.arrayContaining(['Pipriac', 'Châteauroux', 'La Rochelle', 'Lormont', 'Cenon', 'Floirac', 'Bassens', 'Rennes']));
  });

  it('is loaded only into an empty store', async () => {
    const store = new MemoryStore();
    expect(await loadStarterPlaces(store.kv, locate)).toBeGreaterThanOrEqual(8);
    expect(await loadStarterPlaces(store.kv, locate)).toBe(0);
  });
});

describe('ariane places import / near', () => {
  it('imports a file, reports bad rows, and replaces the starter set', async () => {
    const store = new MemoryStore();
    await loadStarterPlaces(store.kv, locate);
    const c = capture();
    expect(await runPlacesImport(path.join(FIXTURES, 'lieux-standard.csv'), {}, store, c.io)).toBe(0);
    const text = c.out.join('\n');
    expect(text).toContain('ERREUR  ligne 5 (fixture-4) · code_postal : champ obligatoire absent');
    expect(text).toContain('6 lignes lues : 4 lieux importés (4 nouveaux, 0 mis à jour), 2 lignes écartées, 2 gardées avec une remarque.');
    expect((await loadPlaces(store.kv)).some((p) => p.starter)).toBe(false);
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

  it('answers from the starter set on a fresh store', async () => {
    const c = capture();
    expect(await runPlacesNear('35550', {}, new MemoryStore(), c.io)).toBe(0);
    expect(c.out.join('\n')).toContain('Point Accueil Emploi / France Services de Pipriac [annuaire de départ]');
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

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importPlaces, parsePlaces, type Place } from '../../src/places';
import { loadPlaces } from '../../src/places/importPlaces';
import { MemoryStore } from '../../src/store';

const fixture = (name: string) => readFileSync(path.join(__dirname, '../fixtures/places', name), 'utf8');
const centreOfCommune = (p: Place) => (p.code_insee === '13001' ? { lat: 43.5283, lon: 5.4497 } : undefined);

describe('importPlaces', () => {
  it('imports the good rows of a standard CSV, skips the bad ones and says why (file line, field)', async () => {
    const store = new MemoryStore();
    const report = await importPlaces(store.kv, fixture('lieux-standard.csv'));
    expect(report).toMatchObject({ rows: 6, imported: 4, created: 4, updated: 0, skipped: 2 });
    const errors = report.issues.filter((i) => i.severity === 'error');
    expect(errors).toEqual([
      expect.objectContaining({ row: 5, field: 'code_postal', ref: 'fixture-4' }),
      expect.objectContaining({ row: 6, field: 'id' }),
    ]);
    // Kept with warnings: unreadable hours (row 4), bad phone/e-mail/service (row 7).
    expect(report.withWarnings).toBe(2);
    expect(report.issues.filter((i) => i.row === 7).map((i) => i.field).sort()).toEqual(['courriels', 'services', 'telephone']);
    const places = await loadPlaces(store.kv);
    expect(places.map((p) => p.id).sort()).toEqual(['fixture-1', 'fixture-2', 'fixture-3', 'fixture-6']);
    const lien = places.find((p) => p.id === 'fixture-2');
    expect(lien).toMatchObject({ nom: 'Espace numérique "Le Lien"', complement_adresse: 'Bâtiment B', telephone: '+33299000002' });
  });

  it('re-importing the same file updates the same places, without duplicates', async () => {
    const store = new MemoryStore();
    await importPlaces(store.kv, fixture('lieux-standard.csv'));
    const again = await importPlaces(store.kv, fixture('lieux-standard.csv'));
    expect(again).toMatchObject({ imported: 4, created: 0, updated: 4 });
    expect(await loadPlaces(store.kv)).toHaveLength(4);
  });

  it('maps pre-v1 JSON fields, places a record without coordinates at its commune, rejects a row without date', async () => {
    const store = new MemoryStore();
    const report = await importPlaces(store.kv, fixture('lieux-legacy.json'), { locate: centreOfCommune });
    expect(report).toMatchObject({ rows: 3, imported: 2, skipped: 1 });
    expect(report.issues).toEqual(expect.arrayContaining([expect.objectContaining({ row: 3, field: 'date_maj', severity: 'error' })]));
    const [one, two] = (await loadPlaces(store.kv)).sort((a, b) => a.id.localeCompare(b.id));
    expect(one).toMatchObject({
      id: 'legacy-1',
      frais_a_charge: ['Gratuit'],
      dispositif_programmes_nationaux: ['Conseillers numériques', 'France Services'],
      publics_specifiquement_adresses: ['Jeunes', 'Seniors'],
      courriels: ['legacy@example.org'],
      telephone: '+33491000001',
    });
    expect(one).not.toHaveProperty('labels_nationaux');
    expect(two).toMatchObject({ id: 'legacy-2', latitude: 43.5283, longitude: 5.4497, position_approx: 'commune' });
    expect(two?.publics_specifiquement_adresses).toBeUndefined();
    expect(two?.dispositif_programmes_nationaux).toBeUndefined();
  });

  it('skips a place with neither coordinates nor a known commune', () => {
    const { places, issues } = parsePlaces(fixture('lieux-legacy.json'));
    expect(places.map((p) => p.id)).toEqual(['legacy-1']);
    expect(issues).toEqual(expect.arrayContaining([expect.objectContaining({ row: 2, field: 'latitude', severity: 'error' })]));
  });

  it('converts the France Services list (hours, phone, programme, service, free of charge)', async () => {
    const store = new MemoryStore();
    const report = await importPlaces(store.kv, fixture('france-services.csv'), { format: 'france-services', date: '2022-12-01' });
    expect(report).toMatchObject({ rows: 3, imported: 2, skipped: 1 });
    const places = (await loadPlaces(store.kv)).sort((a, b) => a.id.localeCompare(b.id));
    expect(places[0]).toMatchObject({
      id: 'france-services-9001',
      nom: "France services d'Exempleville",
      code_insee: '35219',
      horaires: 'Mo,Tu,Th 09:00-12:00,13:30-17:00; We 09:00-12:00; Fr 09:00-12:00,13:30-16:00',
      telephone: '+33299000009',
      courriels: ['fs@example.org'],
      services: ['Aide aux démarches administratives'],
      dispositif_programmes_nationaux: ['France Services'],
      frais_a_charge: ['Gratuit'],
      date_maj: '2022-12-01',
      presentation_detail: 'Sur rendez-vous le mercredi',
    });
    expect(places[1]).toMatchObject({ id: 'france-services-9002', telephone: '+262262000002', horaires: 'Mo,Tu,Th,Fr 08:00-12:00; Sa 08:30-11:30' });
    // The bus row has no address: skipped, and its unreadable Monday is reported too.
    expect(report.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 4, field: 'h_lundi', severity: 'warning' }),
        expect.objectContaining({ row: 4, field: 'adresse', severity: 'error' }),
      ]),
    );
  });

  it('says clearly when a JSON file cannot be read', async () => {
    await expect(importPlaces(new MemoryStore().kv, '{ "broken": ')).rejects.toThrow(/JSON illisible/);
    await expect(importPlaces(new MemoryStore().kv, '{ "a": 1 }')).rejects.toThrow(/tableau/);
  });
});

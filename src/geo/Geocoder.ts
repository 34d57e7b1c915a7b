/**
 * Offline geocoding of French communes (mainland and overseas): postcode, name (typos, homonyms,
 * former communes), INSEE code, coordinates. Where each commune is was worked out at build time
 * (buildCommuneTable, which documents the sources and the precision levels); this reads that table
 * and answers queries from indexes made when it is loaded.
 */
import { distance as levenshtein } from 'fastest-levenshtein';
import { loadCommuneTable, type CommuneRow, type CommuneTable, type Precision } from './CommuneTable';
import { foldName } from './foldName';

export type { Precision } from './CommuneTable';

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

/** A commune that has coordinates (the only ones queries return). */
type Located = CommuneRow & { lat: number; lon: number; precision: Precision };

/** A commune a folded name names, and the former commune's name when that is the name. */
interface NameEntry {
  commune: Located;
  alias?: string;
}

/** Appends to a list in a map. */
function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Articles and prepositions inside place names, which a request's reader drops ("la rochelle", "saint etienne du rouvray"). */
const LITTLE_WORDS = new Set(['le', 'la', 'les', 'l', 'de', 'du', 'des', 'd', 'sur', 'sous', 'en', 'et', 'lès', 'lez']);

/** A folded name without its little words: how "la caf de La Rochelle" and "La Rochelle" meet. */
function placeKey(fold: string): string {
  return fold.split(' ').filter((w) => w && !LITTLE_WORDS.has(w)).join(' ');
}

const byPopulation = (a: CommuneRow, b: CommuneRow) => (b.population ?? 0) - (a.population ?? 0);

/** The offline geocoder. Build once with {@link getGeocoder}; queries are synchronous. */
export class Geocoder {
  private readonly table: CommuneTable;
  private readonly byInsee = new Map<string, Located>();
  /** Located communes per postcode, in table order. */
  private readonly byPostcode = new Map<string, Located[]>();
  /** Folded name → communes it names (former communes' names first, then current ones, in table order). */
  private readonly byFold = new Map<string, NameEntry[]>();
  /** Folded names by length, for misspellings. */
  private readonly foldsByLength = new Map<number, string[]>();
  /** The communes nearest() chooses from. */
  private readonly nearCandidates: Located[];
  /** Names of communes (current and former) and départements, without their little words (`placeKey`). */
  private placeKeys?: Set<string>;

  /** Indexes the commune table (by default the one `npm run build` wrote; throws when it is missing). */
  constructor(table: CommuneTable = loadCommuneTable()) {
    this.table = table;
    const located = table.communes.filter((c): c is Located => c.precision !== undefined && c.lat !== undefined && c.lon !== undefined);
    for (const c of located) {
      this.byInsee.set(c.insee, c);
      for (const cp of c.codesPostaux) pushTo(this.byPostcode, cp, c);
    }
    const addName = (fold: string, commune: Located, alias?: string) => {
      const list = this.byFold.get(fold) ?? [];
      if (!list.some((x) => x.commune === commune)) list.push(alias && fold !== commune.fold ? { commune, alias } : { commune });
      this.byFold.set(fold, list);
    };
    for (const f of table.formerNames) {
      const commune = this.byInsee.get(f.insee);
      if (commune) addName(f.fold, commune, f.nom);
    }
    for (const c of located) addName(c.fold, c);
    for (const fold of this.byFold.keys()) pushTo(this.foldsByLength, fold.length, fold);
    // Not a commune whose first postcode is also an arrondissement's (the city itself): the
    // arrondissement is the answer there.
    const arrondissementPostcodes = new Set(table.communes.flatMap((c) => (c.arrondissementOf ? c.codesPostaux : [])));
    this.nearCandidates = located.filter((c) => c.arrondissementOf || !arrondissementPostcodes.has(c.codesPostaux[0] ?? ''));
  }

  private toMatch(c: Located, postcode?: string, matchedName?: string): CommuneMatch {
    const shown = postcode ?? c.codesPostaux[0];
    return {
      insee: c.insee,
      nom: c.nom,
      departement: c.departement,
      departementNom: this.table.departements[c.departement] ?? c.departement,
      codesPostaux: [...c.codesPostaux],
      ...(shown ? { postcode: shown } : {}),
      lat: c.lat,
      lon: c.lon,
      precision: c.precision,
      ...(c.population ? { population: c.population } : {}),
      ...(matchedName ? { matchedName } : {}),
    };
  }

  /** How many current communes, and how many got coordinates at each precision (`none`: not placed). */
  stats(): { communes: number; byPrecision: Record<string, number> } {
    const byPrecision: Record<string, number> = {};
    for (const c of this.table.communes) byPrecision[c.precision ?? 'none'] = (byPrecision[c.precision ?? 'none'] ?? 0) + 1;
    return { communes: this.table.communes.length, byPrecision };
  }

  /** A commune by INSEE code. */
  commune(insee: string): CommuneMatch | undefined {
    const c = this.byInsee.get(insee);
    return c && this.toMatch(c);
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

  /** Communes with this postcode, most populated first; a city's arrondissements instead of the city. */
  postcode(postcode: string): CommuneMatch[] {
    const list = this.byPostcode.get(postcode) ?? [];
    const arrondissements = list.filter((c) => c.arrondissementOf);
    return (arrondissements.length ? arrondissements : [...list]).sort(byPopulation).map((c) => this.toMatch(c, postcode));
  }

  /**
   * Communes by name: exact (after folding), else a few letters off. Homonyms all come back, most
   * populated first; `departement` (a code) narrows them.
   */
  byName(name: string, departement?: string): CommuneMatch[] {
    const fold = foldName(name);
    if (!fold) return [];
    const keep = (list: readonly NameEntry[]) => list.filter((x) => !departement || x.commune.departement === departement);
    let hits = keep(this.byFold.get(fold) ?? []);
    const typo = !hits.length;
    if (typo) {
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
    }
    const seen = new Set<Located>();
    let sorted = hits.filter((h) => (seen.has(h.commune) ? false : (seen.add(h.commune), true))).sort((a, b) => byPopulation(a.commune, b.commune));
    // A misspelt name close to a city and to a few villages ("renes"): the person meant the city
    // when it is ten times bigger than the next candidate. Exact homonyms are always all offered.
    if (typo && sorted.length > 1 && (sorted[0]!.commune.population ?? 0) >= 10 * (sorted[1]!.commune.population ?? 0)) sorted = sorted.slice(0, 1);
    return sorted.map((h) => this.toMatch(h.commune, undefined, h.alias ?? (typo ? h.commune.nom : undefined)));
  }

  /**
   * Whether a text is exactly the name of a commune (current or former) or of a département, as
   * typed without accents or case ("roubaix", "seine saint denis", "st denis"); no typos, so that a
   * word of a request is not taken for a village a letter away.
   */
  isPlaceName(text: string): boolean {
    // Built on first use: most processes never ask.
    this.placeKeys ??= new Set([...this.byFold.keys(), ...Object.values(this.table.departements).map((n) => foldName(n))].map(placeKey));
    const key = placeKey(foldName(text));
    return key.length > 0 && this.placeKeys.has(key);
  }

  /** The commune nearest to a point (a plain scan: this runs once per query with coordinates). */
  nearest(lat: number, lon: number): CommuneMatch | undefined {
    let best: Located | undefined;
    let bestD = Infinity;
    const k = Math.cos((lat * Math.PI) / 180);
    for (const c of this.nearCandidates) {
      const dy = c.lat - lat;
      const dx = (c.lon - lon) * k;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best && this.toMatch(best);
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

/**
 * The process-wide geocoder, reading the commune table on first use (the first help request): read
 * at start, it would lengthen every start (see src/places/README.md). Throws when the table is missing.
 */
export function getGeocoder(): Geocoder {
  shared ??= new Geocoder();
  return shared;
}

/**
 * `Geocoder.isPlaceName` on the process-wide geocoder, for the engine (which must not throw): false
 * when the commune table cannot be read (the help-place search reports that itself).
 */
export function isPlaceName(text: string): boolean {
  try {
    return getGeocoder().isPlaceName(text);
  } catch {
    return false;
  }
}

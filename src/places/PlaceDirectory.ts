/**
 * The nearest-help directory: places from the store in a kdbush index, filtered by what a procedure
 * needs, ranked by great-circle distance, with opening status.
 *
 * A query only does the work its answer needs (the target is a median under 20 µs over 100,000
 * places): the support filter is a few bit tests on masks computed when the directory is built, the
 * index is asked for the places in the bounding box of each search circle (kdbush `range`, no
 * allocation per visited node, unlike geokdbush's priority queue, which cost ~7 µs alone), and
 * distance, opening status and the shown texts are computed only for the places returned.
 * Distances use geokdbush's haversine expression, term for term, so that a place on a circle's edge
 * is in or out exactly as it was when the search used geokdbush.
 *
 * kdbush ships only as an ES module; this CommonJS build loads it with `require`, which Node ≥
 * 20.19 supports for ES modules without top-level await (`require(esm)`), and jest transforms it
 * (see jest.config.js).
 */
import type KDBushType from 'kdbush' with { 'resolution-mode': 'import' };
import type { Support } from '../flow';
import type { KeyValueStore } from '../store';
import { loadPlaces } from './importPlaces';
import { describeOpeningStatus, openingStatus, type OpeningStatus } from './openingStatus';
import { formatPhone } from './toE164';
import type { Place } from './types';

type KDBushCtor = typeof KDBushType;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kdbushModule = require('kdbush') as { default: KDBushCtor };
const KDBush = kdbushModule.default;

/** What to look for. */
export interface NearOptions {
  /** What the procedure needs (a flow's or a handoff node's `support`). */
  support?: Support;
  /** Only places in one of these programmes (a mediator's filter); `support.programmes` only ranks. */
  programmes?: readonly string[];
  /** Only places open at `at`. */
  openNow?: boolean;
  /** How many places (default 3). */
  limit?: number;
  /** The instant for opening status (default now). */
  at?: Date;
  /** Language of the status sentence (default fr). */
  lang?: string;
  /** Search no further than this (km, default 200: far enough for rural areas, not across seas). */
  maxKm?: number;
}

/** One place found, ready to show. */
export interface NearResult {
  place: Place;
  distanceKm: number;
  /** The place belongs to one of the preferred programmes. */
  programmeMatch: boolean;
  status: OpeningStatus;
  /** The status as a sentence in the requested language. */
  statusText: string;
  /** Address on one line. */
  address: string;
  /** `tel:+33…` when the place has a phone. */
  phoneLink?: string;
  /** The phone as people read it (`02 99 …`). */
  phoneText?: string;
  appointmentUrl?: string;
  email?: string;
  mapUrl: string;
}

/** Radii tried in turn (km) until enough places are found. */
const RADII = [5, 10, 20, 40, 80, 160, 320];

/** Earth radius (km) and degrees → radians, as geokdbush has them (same distances to the last bit). */
const EARTH_RADIUS_KM = 6371;
const RAD = Math.PI / 180;
/**
 * Leaf size of the k-d tree. Most queries are answered by a box a few kilometres wide; with small
 * leaves the search tests fewer points outside it (64, kdbush's default, was ~20 % slower here).
 */
const NODE_SIZE = 16;
/** Widening of the search boxes (degrees) so that rounding never leaves out a point of the circle. */
const BOX_MARGIN = 1e-7;

/** An OpenStreetMap link centred on a point. */
export function mapUrl(lat: number, lon: number): string {
  const la = lat.toFixed(5);
  const lo = lon.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`;
}

/** Does a place offer what `support` requires (services: any of them; specific: all; free)? */
export function placeMatches(place: Place, support: Support | undefined, programmes?: readonly string[]): boolean {
  const has = (list: readonly string[] | undefined, value: string) => !!list?.includes(value);
  if (programmes?.length && !programmes.some((p) => has(place.dispositif_programmes_nationaux, p))) return false;
  if (!support) return true;
  if (!support.services.some((s) => has(place.services, s))) return false;
  if (support.specific?.some((s) => !has(place.prise_en_charge_specifique, s))) return false;
  // Unknown fees are kept (most records leave the field empty) but ranked after known free places.
  if (support.free && place.frais_a_charge?.length && !isKnownFree(place)) return false;
  return true;
}

const isKnownFree = (place: Place) => !!place.frais_a_charge?.some((f) => f.startsWith('Gratuit'));

function haverSin(theta: number): number {
  const s = Math.sin(theta / 2);
  return s * s;
}

/**
 * One bit per value of a multi-valued field (services, programmes, specific support), assigned as
 * the places are read. A field with more than 32 distinct values cannot be held in one mask: the
 * directory then filters with {@link placeMatches} (slower, same answers).
 */
class BitVocabulary {
  private readonly bits = new Map<string, number>();
  overflow = false;

  /** The mask of a place's values, giving new values a bit. */
  add(values: readonly string[] | undefined): number {
    let mask = 0;
    for (const v of values ?? []) {
      let bit = this.bits.get(v);
      if (bit === undefined) {
        if (this.bits.size === 32) {
          this.overflow = true;
          continue;
        }
        bit = 1 << this.bits.size;
        this.bits.set(v, bit);
      }
      mask |= bit;
    }
    return mask;
  }

  /** The mask of values asked for; `unknown` when one of them is on no place. */
  query(values: readonly string[] | undefined): { mask: number; unknown: boolean } {
    let mask = 0;
    let unknown = false;
    for (const v of values ?? []) {
      const bit = this.bits.get(v);
      if (bit === undefined) unknown = true;
      else mask |= bit;
    }
    return { mask, unknown };
  }
}

/** Fees of a place as the filter sees them. */
const FEES_UNKNOWN = 0;
const FEES_FREE = 1;
const FEES_PAYING = 2;

/** What the support filter needs of each place, in typed arrays indexed like `places`. */
interface FilterData {
  services: Int32Array;
  specific: Int32Array;
  programmes: Int32Array;
  fees: Uint8Array;
  vocabulary: { services: BitVocabulary; specific: BitVocabulary; programmes: BitVocabulary };
}

/** A query's filter and ranking, as masks when the directory has them. */
interface Query {
  /** Any of these services (undefined: no support asked). */
  services: number | undefined;
  /** All of these specific supports. */
  specific: number;
  /** Any of these programmes (0: no programme filter). */
  programmes: number;
  /** Preferred programmes (ranking only). */
  preferred: number;
  free: boolean;
  openNow: boolean;
  at: Date;
  /** Some place may be refused (else every place in the circle is taken). */
  filtered: boolean;
  /** Places differ in rank (preferred programme, known free), not in distance only. */
  ranked: boolean;
  /** The options themselves, for a directory without masks. */
  options: NearOptions;
}

/** The parts of a result that depend on the place only, computed the first time it is shown. */
type PlaceTexts = Pick<NearResult, 'address' | 'phoneLink' | 'phoneText' | 'appointmentUrl' | 'email' | 'mapUrl'>;

/** Places in memory with a spatial index. Build with {@link PlaceDirectory.load} (or from a list). */
export class PlaceDirectory {
  private readonly index: KDBushType | undefined;
  /** Coordinates by place index, as given (the index holds longitudes brought into [-180, 180)). */
  private readonly lat: Float64Array;
  private readonly lon: Float64Array;
  private readonly filter: FilterData | undefined;
  /** Texts of the places shown so far, by place index (at most one per place: worth it, they cost more than the search). */
  private readonly texts: Array<PlaceTexts | undefined> = [];
  /** Scratch space of one query (`near` is synchronous, so one set serves every call). */
  private candidates = new Int32Array(64);
  private candidateDist = new Float64Array(64);
  private candidateRank = new Uint8Array(64);
  private readonly statuses = new Map<number, OpeningStatus>();

  constructor(readonly places: readonly Place[]) {
    const located = places.filter((p) => p.latitude !== undefined && p.longitude !== undefined);
    this.places = located;
    const n = located.length;
    this.lat = new Float64Array(n);
    this.lon = new Float64Array(n);
    const vocabulary = { services: new BitVocabulary(), specific: new BitVocabulary(), programmes: new BitVocabulary() };
    const filter: FilterData = { services: new Int32Array(n), specific: new Int32Array(n), programmes: new Int32Array(n), fees: new Uint8Array(n), vocabulary };
    if (n) this.index = new KDBush(n, NODE_SIZE);
    for (let i = 0; i < n; i++) {
      const p = located[i] as Place;
      this.lat[i] = p.latitude ?? 0;
      this.lon[i] = p.longitude ?? 0;
      this.index?.add(wrapLongitude(this.lon[i] as number), this.lat[i] as number);
      filter.services[i] = vocabulary.services.add(p.services);
      filter.specific[i] = vocabulary.specific.add(p.prise_en_charge_specifique);
      filter.programmes[i] = vocabulary.programmes.add(p.dispositif_programmes_nationaux);
      filter.fees[i] = !p.frais_a_charge?.length ? FEES_UNKNOWN : isKnownFree(p) ? FEES_FREE : FEES_PAYING;
      this.texts.push(undefined);
    }
    this.index?.finish();
    this.filter = vocabulary.services.overflow || vocabulary.specific.overflow || vocabulary.programmes.overflow ? undefined : filter;
  }

  /** Loads every place from the store (key prefix `place:`). */
  static async load(kv: KeyValueStore): Promise<PlaceDirectory> {
    return new PlaceDirectory(await loadPlaces(kv));
  }

  /** How many places have coordinates (the others cannot be proposed). */
  get size(): number {
    return this.places.length;
  }

  /**
   * The best places near a point: those that match `support` within the smallest radius holding
   * `limit` of them (widened step by step up to `maxKm`), places of a preferred programme first,
   * then (when `support.free`) places known to be free, then by distance; places at the very same
   * distance in the order they were given. A `limit` below 1 finds nothing.
   */
  near(point: { lat: number; lon: number }, options: NearOptions = {}): NearResult[] {
    const index = this.index;
    const limit = options.limit ?? 3;
    if (!index || !(limit >= 1)) return [];
    const query = this.compile(options);
    if (!query) return [];
    const maxKm = options.maxKm ?? 200;
    if (query.openNow) this.statuses.clear();
    // A fractional limit keeps the meaning it always had: widen until ceil(limit), show floor(limit).
    const enough = Math.ceil(limit);
    let count = 0;
    for (let step = 0; ; step++) {
      const r = RADII[step] as number;
      const last = !(step < RADII.length && r < maxKm);
      count = this.collect(index, point, last ? maxKm : r, query);
      if (count >= enough || last) break;
    }
    const order = this.best(count, Math.floor(limit));
    const lang = options.lang ?? 'fr';
    const results: NearResult[] = [];
    for (const c of order) {
      const id = this.candidates[c] as number;
      const place = this.places[id] as Place;
      const status = this.statusOf(id, query);
      const texts = this.textsOf(id);
      // Built field by field in the order the result always had (JSON output stays the same).
      const result: Omit<NearResult, 'mapUrl'> & { mapUrl?: string } = {
        place,
        distanceKm: Math.round(2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(this.candidateDist[c] as number)) * 10) / 10,
        programmeMatch: (this.candidateRank[c] as number) < 2,
        status,
        statusText: describeOpeningStatus(status, lang),
        address: texts.address,
      };
      if (texts.phoneLink !== undefined) {
        result.phoneLink = texts.phoneLink;
        result.phoneText = texts.phoneText;
      }
      if (texts.appointmentUrl !== undefined) result.appointmentUrl = texts.appointmentUrl;
      if (texts.email !== undefined) result.email = texts.email;
      result.mapUrl = texts.mapUrl;
      results.push(result as NearResult);
    }
    return results;
  }

  /** The options as masks; undefined when no place can match (a value no place has). */
  private compile(options: NearOptions): Query | undefined {
    const at = options.at ?? new Date();
    const openNow = !!options.openNow;
    const support = options.support;
    const f = this.filter;
    const free = !!support?.free;
    if (!f) {
      const filtered = !!support || !!options.programmes?.length || openNow;
      return { services: undefined, specific: 0, programmes: 0, preferred: 0, free, openNow, at, filtered, ranked: !!support?.programmes?.length || free, options };
    }
    let services: number | undefined;
    let specific = 0;
    let programmes = 0;
    if (support) {
      services = f.vocabulary.services.query(support.services).mask;
      const s = f.vocabulary.specific.query(support.specific);
      if (services === 0 || s.unknown) return undefined;
      specific = s.mask;
    }
    if (options.programmes?.length) {
      programmes = f.vocabulary.programmes.query(options.programmes).mask;
      if (programmes === 0) return undefined;
    }
    const preferred = f.vocabulary.programmes.query(support?.programmes).mask;
    const filtered = services !== undefined || programmes !== 0 || openNow;
    return { services, specific, programmes, preferred, free, openNow, at, filtered, ranked: preferred !== 0 || free, options };
  }

  /**
   * Puts in the scratch arrays the places accepted within `radiusKm` of the point, with their
   * haversine term (the distance's monotone stand-in) and rank; returns how many.
   */
  private collect(index: KDBushType, point: { lat: number; lon: number }, radiusKm: number, query: Query): number {
    const maxHav = haverSin(radiusKm / EARTH_RADIUS_KM);
    const cosLat = Math.cos(point.lat * RAD);
    let count = 0;
    for (const box of searchBoxes(point, maxHav)) {
      for (const id of index.range(box[0], box[1], box[2], box[3])) {
        const plat = this.lat[id] as number;
        // geokdbush's expression (haverSinDist), so that the edge of the circle falls where it did.
        const hav = cosLat * Math.cos(plat * RAD) * haverSin((point.lon - (this.lon[id] as number)) * RAD) + haverSin((point.lat - plat) * RAD);
        if (hav > maxHav || (query.filtered && !this.accepts(id, query))) continue;
        if (count === this.candidates.length) this.grow();
        this.candidates[count] = id;
        this.candidateDist[count] = hav;
        this.candidateRank[count] = query.ranked ? this.rankOf(id, query) : 3;
        count++;
      }
    }
    return count;
  }

  /** Does place `id` pass the query's filter (support, programmes, open now)? */
  private accepts(id: number, q: Query): boolean {
    const f = this.filter;
    if (!f) {
      if (!placeMatches(this.places[id] as Place, q.options.support, q.options.programmes)) return false;
    } else {
      if (q.services !== undefined) {
        if (((f.services[id] as number) & q.services) === 0) return false;
        if (((f.specific[id] as number) & q.specific) !== q.specific) return false;
        if (q.free && f.fees[id] === FEES_PAYING) return false;
      }
      if (q.programmes !== 0 && ((f.programmes[id] as number) & q.programmes) === 0) return false;
    }
    return !q.openNow || this.statusOf(id, q).state === 'open';
  }

  /** 0: preferred programme and known free (or free not asked), 1: preferred only, 2: free only, 3: neither. */
  private rankOf(id: number, q: Query): number {
    const f = this.filter;
    if (!f) {
      const place = this.places[id] as Place;
      const preferred = q.options.support?.programmes ?? [];
      const programmeMatch = preferred.some((p) => (place.dispositif_programmes_nationaux as readonly string[] | undefined)?.includes(p) ?? false);
      return (programmeMatch ? 0 : 2) + (!q.free || isKnownFree(place) ? 0 : 1);
    }
    return (((f.programmes[id] as number) & q.preferred) !== 0 ? 0 : 2) + (!q.free || f.fees[id] === FEES_FREE ? 0 : 1);
  }

  /**
   * Positions in the scratch arrays of the `take` best of `count` candidates: by rank, then
   * distance, then place order (ties used to follow geokdbush's heap, which was no order at all).
   */
  private best(count: number, take: number): number[] {
    const rank = this.candidateRank;
    const dist = this.candidateDist;
    const ids = this.candidates;
    const before = (a: number, b: number) =>
      (rank[a] as number) - (rank[b] as number) || (dist[a] as number) - (dist[b] as number) || (ids[a] as number) - (ids[b] as number);
    const k = Math.min(take, count);
    if (k > 32) {
      const all = Array.from({ length: count }, (_, i) => i);
      return all.sort(before).slice(0, k);
    }
    // Insertion into a short sorted list: linear in `count` for the few places shown.
    const top: number[] = [];
    for (let c = 0; c < count; c++) {
      if (top.length === k && before(c, top[k - 1] as number) >= 0) continue;
      let i = top.length === k ? k - 1 : top.length;
      while (i > 0 && before(c, top[i - 1] as number) < 0) {
        top[i] = top[i - 1] as number;
        i--;
      }
      top[i] = c;
    }
    return top;
  }

  private grow(): void {
    const size = this.candidates.length * 2;
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(old: T, next: T): T => {
      next.set(old);
      return next;
    };
    this.candidates = grown(this.candidates, new Int32Array(size));
    this.candidateDist = grown(this.candidateDist, new Float64Array(size));
    this.candidateRank = grown(this.candidateRank, new Uint8Array(size));
  }

  /** Opening status of place `id` at the query's instant (kept for the results when it filtered). */
  private statusOf(id: number, q: Query): OpeningStatus {
    let s = q.openNow ? this.statuses.get(id) : undefined;
    if (!s) {
      const p = this.places[id] as Place;
      s = openingStatus(p.horaires, q.at, p.code_postal);
      if (q.openNow) this.statuses.set(id, s);
    }
    return s;
  }

  /** The texts of place `id` (places are not changed once in a directory: a reload builds a new one). */
  private textsOf(id: number): PlaceTexts {
    let t = this.texts[id];
    if (!t) {
      const place = this.places[id] as Place;
      t = {
        address: [place.adresse, place.complement_adresse, `${place.code_postal} ${place.commune}`].filter(Boolean).join(', '),
        ...(place.telephone ? { phoneLink: `tel:${place.telephone}`, phoneText: formatPhone(place.telephone) } : {}),
        ...(place.prise_rdv ? { appointmentUrl: place.prise_rdv } : {}),
        ...(place.courriels?.[0] ? { email: place.courriels[0] } : {}),
        mapUrl: mapUrl(place.latitude ?? 0, place.longitude ?? 0),
      };
      this.texts[id] = t;
    }
    return t;
  }
}

/** A longitude brought into [-180, 180). */
function wrapLongitude(lon: number): number {
  return lon >= -180 && lon < 180 ? lon : ((((lon + 180) % 360) + 360) % 360) - 180;
}

type Box = [minLon: number, minLat: number, maxLon: number, maxLat: number];
const WORLD: Box[] = [[-Infinity, -Infinity, Infinity, Infinity]];

/**
 * Longitude/latitude boxes covering every point whose haversine term from `point` is at most
 * `maxHav` (a spherical cap): one box, two across the antimeridian, the whole world around a pole.
 */
function searchBoxes(point: { lat: number; lon: number }, maxHav: number): Box[] {
  if (!(maxHav < 1)) return WORLD;
  const angle = 2 * Math.asin(Math.sqrt(maxHav));
  const dLat = angle / RAD + BOX_MARGIN;
  const minLat = point.lat - dLat;
  const maxLat = point.lat + dLat;
  if (minLat <= -90 || maxLat >= 90) return WORLD;
  // The cap's widest longitude span (reached north or south of the centre's latitude).
  const dLon = Math.asin(Math.min(1, Math.sin(angle) / Math.cos(point.lat * RAD))) / RAD + BOX_MARGIN;
  if (!(dLon < 180)) return WORLD;
  const lon = wrapLongitude(point.lon);
  const boxes: Box[] = [[Math.max(-180, lon - dLon), minLat, Math.min(180, lon + dLon), maxLat]];
  if (lon - dLon < -180) boxes.push([lon - dLon + 360, minLat, 180, maxLat]);
  if (lon + dLon > 180) boxes.push([-180, minLat, lon + dLon - 360, maxLat]);
  return boxes;
}

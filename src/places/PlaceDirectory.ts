/**
 * The nearest-help directory: places from the store in a kdbush index, queried with geokdbush
 * (great-circle distances), filtered by what a procedure needs, ranked, with opening status.
 *
 * kdbush and geokdbush ship only as ES modules; this CommonJS build loads them with `require`,
 * which Node ≥ 20.19 supports for ES modules without top-level await (`require(esm)`), and jest
 * transforms them (see jest.config.js).
 */
import type KDBushType from 'kdbush' with { 'resolution-mode': 'import' };
import type { Support } from '../flow';
import type { KeyValueStore } from '../store';
import { loadPlaces } from './importPlaces';
import { describeOpeningStatus, openingStatus, type OpeningStatus } from './openingStatus';
import { formatPhone } from './toE164';
import type { Place } from './types';

type KDBushCtor = typeof KDBushType;
type GeoKDBush = { around: (index: KDBushType, lng: number, lat: number, maxResults?: number, maxDistance?: number, predicate?: (id: number) => boolean) => number[]; distance: (lng1: number, lat1: number, lng2: number, lat2: number) => number };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kdbushModule = require('kdbush') as { default: KDBushCtor };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const geokdbush = require('geokdbush') as GeoKDBush;
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
  if (support.free && place.frais_a_charge?.length && !place.frais_a_charge.some((f) => f.startsWith('Gratuit'))) return false;
  return true;
}

/** Places in memory with a spatial index. Build with {@link PlaceDirectory.load} (or from a list). */
export class PlaceDirectory {
  private readonly index: KDBushType | undefined;

  constructor(readonly places: readonly Place[]) {
    const located = places.filter((p) => p.latitude !== undefined && p.longitude !== undefined);
    this.places = located;
    if (located.length) {
      const index = new KDBush(located.length);
      for (const p of located) index.add(p.longitude ?? 0, p.latitude ?? 0);
      index.finish();
      this.index = index;
    }
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
   * then by distance.
   */
  near(point: { lat: number; lon: number }, options: NearOptions = {}): NearResult[] {
    if (!this.index) return [];
    const limit = options.limit ?? 3;
    const at = options.at ?? new Date();
    const lang = options.lang ?? 'fr';
    const maxKm = options.maxKm ?? 200;
    const statuses = new Map<number, OpeningStatus>();
    const statusOf = (id: number) => {
      let s = statuses.get(id);
      if (!s) {
        const p = this.places[id] as Place;
        s = openingStatus(p.horaires, at, p.code_postal);
        statuses.set(id, s);
      }
      return s;
    };
    const accept = (id: number) => {
      const p = this.places[id] as Place;
      if (!placeMatches(p, options.support, options.programmes)) return false;
      return !options.openNow || statusOf(id).state === 'open';
    };
    let ids: number[] = [];
    for (const radius of [...RADII.filter((r) => r < maxKm), maxKm]) {
      ids = geokdbush.around(this.index, point.lon, point.lat, Infinity, radius, accept);
      if (ids.length >= limit) break;
    }
    const preferred = options.support?.programmes ?? [];
    const rows = ids.map((id) => {
      const place = this.places[id] as Place;
      const distanceKm = geokdbush.distance(point.lon, point.lat, place.longitude ?? 0, place.latitude ?? 0);
      const programmeMatch = preferred.some((p) => (place.dispositif_programmes_nationaux as readonly string[] | undefined)?.includes(p) ?? false);
      const knownFree = !options.support?.free || !!place.frais_a_charge?.some((f) => f.startsWith('Gratuit'));
      return { id, place, distanceKm, programmeMatch, knownFree };
    });
    rows.sort((a, b) => Number(b.programmeMatch) - Number(a.programmeMatch) || Number(b.knownFree) - Number(a.knownFree) || a.distanceKm - b.distanceKm);
    return rows.slice(0, limit).map(({ id, place, distanceKm, programmeMatch }) => {
      const status = statusOf(id);
      return {
        place,
        distanceKm: Math.round(distanceKm * 10) / 10,
        programmeMatch,
        status,
        statusText: describeOpeningStatus(status, lang),
        address: [place.adresse, place.complement_adresse, `${place.code_postal} ${place.commune}`].filter(Boolean).join(', '),
        ...(place.telephone ? { phoneLink: `tel:${place.telephone}`, phoneText: formatPhone(place.telephone) } : {}),
        ...(place.prise_rdv ? { appointmentUrl: place.prise_rdv } : {}),
        ...(place.courriels?.[0] ? { email: place.courriels[0] } : {}),
        mapUrl: mapUrl(place.latitude ?? 0, place.longitude ?? 0),
      };
    });
  }
}

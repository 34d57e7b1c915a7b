/**
 * The nearest-help directory: places from the store in a kdbush index, searched with
 * `geokdbush.around` (great-circle distance, across the antimeridian and around the poles), filtered
 * by what a procedure needs, ranked by programme, fees and distance, with opening status.
 *
 * kdbush and geokdbush ship only as ES modules; this CommonJS build loads them with `require`, which
 * Node ≥ 20.19 supports for ES modules without top-level await (`require(esm)`), and jest transforms
 * them (see jest.config.js).
 */
import type KDBushType from 'kdbush' with { 'resolution-mode': 'import' };
import type * as GeoKDBush from 'geokdbush' with { 'resolution-mode': 'import' };
import type { Support } from '../flow';
import type { KeyValueStore } from '../store';
import { loadPlaces } from './importPlaces';
import { mergePlaces } from './mergePlaces';
import { loadNationalSet } from './placeSets';
import { describeOpeningStatus, openingStatus, type OpeningStatus } from './openingStatus';
import { dateText, placesText } from './placesText';
import { formatPhone } from './toE164';
import type { Place } from './types';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const KDBush = (require('kdbush') as { default: typeof KDBushType }).default;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { around, distance } = require('geokdbush') as typeof GeoKDBush;

/** What to look for. */
export interface NearOptions {
  /** What the procedure needs (a flow's or a handoff node's `support`). */
  support?: Support;
  /** Only places in one of these programmes (a mediator's filter; "Aidants Connect" when the person wants the procedure done for them); `support.programmes` only ranks. */
  programmes?: readonly string[];
  /**
   * Only places offering each of these specific supports (what the person said, or a mediator's
   * filter): each entry lists the values that would do (any of them), every entry must be met.
   * `support.specific` (a flow's guess) only ranks.
   */
  specific?: ReadonlyArray<readonly string[]>;
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
  /** The place offers one-to-one help (`Accompagnement individuel`, or a France Services desk by its charter). */
  individual: boolean;
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
  /** The date of the information (`date_maj`), and the sentence that says to check it ("Informations du 1er décembre 2022, vérifiez avant de vous déplacer"). */
  updated: string;
  updatedText: string;
  /** A mobile place (`itinerance`: a bus, rotating sessions): where it is depends on the day. */
  itinerant: boolean;
}

/** Radii tried in turn (km) until enough places are found; also the distance bands preferences rank within. */
const RADII = [5, 10, 20, 40, 80, 160, 320];

/** The distance band of a place: the index of the first radius that holds it. */
export function bandOf(km: number): number {
  const i = RADII.findIndex((r) => km <= r);
  return i < 0 ? RADII.length : i;
}

/** An OpenStreetMap link centred on a point. */
export function mapUrl(lat: number, lon: number): string {
  const la = lat.toFixed(5);
  const lo = lon.toFixed(5);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`;
}

const has = (list: readonly string[] | undefined, value: string) => !!list?.includes(value);
const isKnownFree = (place: Place) => !!place.frais_a_charge?.some((f) => f.startsWith('Gratuit'));

/** Address on one line: street, complement, postcode and commune. */
function addressLine(place: Place): string {
  const street = place.adresse ? `${place.adresse}, ` : '';
  const complement = place.complement_adresse ? `${place.complement_adresse}, ` : '';
  return `${street}${complement}${place.code_postal} ${place.commune}`;
}

/**
 * Does a place offer what is required: one of `support`'s services, no known fee when
 * `support.free`, one of `programmes` when given, every entry of `specific`?
 */
export function placeMatches(place: Place, support: Support | undefined, programmes?: readonly string[], specific?: ReadonlyArray<readonly string[]>): boolean {
  if (programmes?.length && !programmes.some((p) => has(place.dispositif_programmes_nationaux, p))) return false;
  if (specific?.some((anyOf) => !anyOf.some((s) => has(place.prise_en_charge_specifique, s)))) return false;
  if (!support) return true;
  if (!support.services.some((s) => has(place.services, s))) return false;
  // Unknown fees are kept (most records leave the field empty) but ranked after known free places.
  if (support.free && place.frais_a_charge?.length && !isKnownFree(place)) return false;
  return true;
}

/** One-to-one help: said by the record, or a France Services desk (agents trained to help each person; the label's charter). */
export const offersIndividualHelp = (place: Place) => has(place.modalites_accompagnement, 'Accompagnement individuel') || has(place.dispositif_programmes_nationaux, 'France Services');

/** A place within the search radius, with what ranks it. */
interface Candidate {
  id: number;
  km: number;
  individual: boolean;
  programmeMatch: boolean;
  specificMatch: boolean;
  knownFree: boolean;
}

/** Places in memory with a spatial index. Build with {@link PlaceDirectory.load} (or from a list). */
export class PlaceDirectory {
  private readonly index: KDBushType | undefined;

  /** Keeps the places with coordinates (longitude in [-180, 180], as the import checks), in the order given. */
  constructor(readonly places: readonly Place[]) {
    this.places = places.filter((p) => p.latitude !== undefined && p.longitude !== undefined);
    if (!this.places.length) return;
    this.index = new KDBush(this.places.length);
    for (const p of this.places) this.index.add(p.longitude!, p.latitude!);
    this.index.finish();
  }

  /** Loads the places the store holds: the national set (when synced) and the places imported by hand, without the starter directory. */
  static async load(kv: KeyValueStore): Promise<PlaceDirectory> {
    const [national, local] = await Promise.all([loadNationalSet(kv), loadPlaces(kv)]);
    return new PlaceDirectory(mergePlaces({ national: national?.places ?? [], local }).places);
  }

  /** How many places have coordinates (the others cannot be proposed). */
  get size(): number {
    return this.places.length;
  }

  /**
   * The best places near a point: those that match `support`, `programmes` and `specific` within
   * the smallest radius holding `limit` of them (5, 10, 20… km, widened up to `maxKm`); nearer
   * distance bands (the same radii) first; within a band, for a procedure, places offering
   * one-to-one help first, then those of a preferred programme, then those with the flow's specific
   * supports, then (when `support.free`) places known to be free; then by distance; places at the
   * very same distance in the order they were given. A `limit` below 1 finds nothing.
   */
  near(point: { lat: number; lon: number }, options: NearOptions = {}): NearResult[] {
    const limit = options.limit ?? 3;
    if (!this.index || !(limit >= 1)) return [];
    const at = options.at ?? new Date();
    const maxKm = options.maxKm ?? 200;
    // A place's status is needed to filter (openNow) and to show: worked out once per query.
    const statuses = new Map<number, OpeningStatus>();
    const statusOf = (id: number) => {
      let status = statuses.get(id);
      if (!status) {
        const place = this.places[id]!;
        status = openingStatus(place.horaires, at, place.code_postal);
        statuses.set(id, status);
      }
      return status;
    };
    const filtered = !!options.support || !!options.programmes?.length || !!options.specific?.length || !!options.openNow;
    const accepts = (id: number) => placeMatches(this.places[id]!, options.support, options.programmes, options.specific) && (!options.openNow || statusOf(id).state === 'open');
    const km = (id: number) => distance(point.lon, point.lat, this.places[id]!.longitude!, this.places[id]!.latitude!);

    // A fractional limit keeps the meaning it always had: widen until ceil(limit), show floor(limit).
    const enough = Math.ceil(limit);
    // The filter runs on the places `around` returns rather than as its predicate: geokdbush calls a
    // predicate on every place of every leaf it opens, before knowing its distance, and reading that
    // many places cost several times the search (see the README's figures).
    let within: number[] = [];
    for (const radius of [...RADII.filter((r) => r < maxKm), maxKm]) {
      within = around(this.index, point.lon, point.lat, Infinity, radius);
      if (filtered) within = within.filter(accepts);
      if (within.length >= enough) break;
    }

    // For a procedure (`support`): one-to-one help first, then the flow's programmes (France
    // Services for the procedures of its partner operators), then its specific supports, then
    // known free places when it asks for free; then distance.
    const forProcedure = !!options.support;
    const preferred: readonly string[] = options.support?.programmes ?? [];
    const guessed: readonly string[] = options.support?.specific ?? [];
    const free = !!options.support?.free;
    const candidates: Candidate[] = within.map((id) => {
      const place = this.places[id]!;
      return {
        id,
        km: km(id),
        individual: forProcedure && offersIndividualHelp(place),
        programmeMatch: preferred.length > 0 && preferred.some((p) => has(place.dispositif_programmes_nationaux, p)),
        specificMatch: guessed.length > 0 && guessed.every((s) => has(place.prise_en_charge_specifique, s)),
        knownFree: !free || isKnownFree(place),
      };
    });
    // Preferences reorder places of one distance band (5, 10, 20… km), never across bands: a
    // preferred place 85 km away must not come before another one 27 km away.
    const rank = (c: Candidate) => [-bandOf(c.km), ...[c.individual, c.programmeMatch, c.specificMatch, c.knownFree].map(Number)];
    candidates.sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return rb[i]! - ra[i]!;
      return a.km - b.km || a.id - b.id;
    });
    return candidates.slice(0, Math.floor(limit)).map((c) => this.result(c, statusOf(c.id), options.lang ?? 'fr'));
  }

  /** A place as shown, its fields in the order they always had (JSON output stays the same). */
  private result(c: Candidate, status: OpeningStatus, lang: string): NearResult {
    const place = this.places[c.id]!;
    const result: Omit<NearResult, 'mapUrl' | 'updated' | 'updatedText' | 'itinerant'> & Partial<NearResult> = {
      place,
      distanceKm: Math.round(c.km * 10) / 10,
      programmeMatch: c.programmeMatch,
      individual: c.individual,
      status,
      statusText: describeOpeningStatus(status, lang),
      address: addressLine(place),
    };
    if (place.telephone) {
      result.phoneLink = `tel:${place.telephone}`;
      result.phoneText = formatPhone(place.telephone);
    }
    if (place.prise_rdv) result.appointmentUrl = place.prise_rdv;
    if (place.courriels?.[0]) result.email = place.courriels[0];
    result.mapUrl = mapUrl(place.latitude!, place.longitude!);
    result.updated = place.date_maj;
    result.updatedText = placesText(lang, 'result.updated', { date: dateText(lang, place.date_maj) });
    result.itinerant = !!place.itinerance?.includes('Itinérant');
    return result as NearResult;
  }
}

/**
 * The one help-places service of a running Ariane, built in `main.ts` and given to the bot and to
 * the mediators' pages alike: the directory kept in memory (the stored national set and imported
 * places over the starter directory shipped with the project, reloaded when the store's places
 * change), and the engine's `findHelp` over it.
 */
import type { FindHelp, HelpNeed, HelpPlace, HelpSearch } from '../engine';
import { getGeocoder } from '../geo';
import type { KeyValueStore } from '../store';
import { DirectoryCache, findHelp, fromLayers, yieldToEventLoop, type LoadedDirectory } from './findHelp';
import { loadPlaces } from './importPlaces';
import { placesRevision } from './placeSets';
import { syncPlaces, type PlacesSyncOptions, type PlacesSyncResult } from './syncPlaces';
import { starterPlaces } from './loadStarterPlaces';
import { PlaceDirectory, type NearOptions, type NearResult } from './PlaceDirectory';
import type { Place } from './types';

/** How many places a resident is shown. */
export const PLACES_SHOWN = 3;

export interface HelpPlacesOptions {
  /** Check the stored places' revision at most this often (ms; imports and syncs may run in another process). */
  maxAgeMs?: number;
  /** Use the starter directory under the stored places (default true). */
  starters?: boolean;
  /** Clock for the checks (epoch ms). */
  now?: () => number;
}

/** Places a record without coordinates at the centre of its commune (offline geocoder). */
export function locateByCommune(place: Place): { lat: number; lon: number } | undefined {
  const m = getGeocoder().locate({ insee: place.code_insee, postcode: place.code_postal, name: place.commune });
  return m ? { lat: m.lat, lon: m.lon } : undefined;
}

/** A place found, as the engine shows it (plain JSON, status already a sentence). */
export function toHelpPlace(r: NearResult): HelpPlace {
  return {
    name: r.place.nom,
    address: r.address,
    distanceKm: r.distanceKm,
    status: r.statusText,
    ...(r.phoneLink ? { phone: { text: r.phoneText ?? r.phoneLink.replace(/^tel:/, ''), link: r.phoneLink } } : {}),
    ...(r.appointmentUrl ? { appointmentUrl: r.appointmentUrl } : {}),
    ...(r.email ? { email: r.email } : {}),
    mapUrl: r.mapUrl,
    ...(r.place.starter ? { starter: true } : {}),
    ...(r.place.position_approx ? { approximate: true } : {}),
    updated: r.updated,
    updatedText: r.updatedText,
    ...(r.itinerant ? { itinerant: true as const } : {}),
  };
}

/** See the file comment. */
export class HelpPlaces {
  private readonly cache: DirectoryCache;
  private starterList: Promise<Place[]> | undefined;
  private syncing: Promise<PlacesSyncResult> | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: HelpPlacesOptions = {},
  ) {
    this.cache = new DirectoryCache(kv, options.maxAgeMs, options.now, () => this.starters());
  }

  /** The starter places (read once per process), or none when turned off. */
  private starters(): Promise<readonly Place[]> {
    if (this.options.starters === false) return Promise.resolve([]);
    // In steps (the commune table, then the places), each letting waiting requests through.
    return (this.starterList ??= (async () => {
      await yieldToEventLoop();
      getGeocoder();
      await yieldToEventLoop();
      return starterPlaces(locateByCommune);
    })().catch((err: unknown) => {
      this.starterList = undefined;
      throw err;
    }));
  }

  /** The directory: the stored places over the starter directory. Rejects when the store cannot be read. */
  async directory(): Promise<PlaceDirectory> {
    return this.cache.get();
  }

  /** The directory with what it was merged from (for logs and the admin page). */
  loaded(): Promise<LoadedDirectory> {
    return this.cache.loaded();
  }

  /** Forgets the loaded directory (after an import in this process). */
  invalidate(): void {
    this.cache.invalidate();
  }

  /**
   * The engine's `findHelp` over the directory as loaded now, with opening statuses at `at`: the
   * directory is read before the turn so that the engine's search is synchronous.
   */
  async finder(at: Date): Promise<FindHelp> {
    return finderFor(await this.directory(), at);
  }

  /**
   * Syncs the national set from `url` (see `syncPlaces`) and serves it at once: the new directory is
   * built from the places just validated, without reading them back. A refused file throws the
   * sync's PlacesSyncError and the directory in use stays. One sync at a time per service.
   */
  sync(url: string, options: Omit<PlacesSyncOptions, 'url'> = {}): Promise<PlacesSyncResult> {
    this.syncing ??= (async () => {
      try {
        const result = await syncPlaces(this.kv, { locate: locateByCommune, ...options, url });
        if (result.status === 'updated') {
          const local = await loadPlaces(this.kv);
          this.cache.replace(await fromLayers({ national: { meta: result.meta, places: result.places }, local, starters: await this.starters() }, await placesRevision(this.kv)));
        } else if (result.status === 'concurrent') this.invalidate();
        return result;
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /**
   * Syncs from `url` soon after start, then once a day (an unchanged file costs a 304). Results and
   * refusals go to `report`. Returns a stop function; the timers do not keep the process alive.
   */
  scheduleDailySync(url: string, report: (outcome: { result?: PlacesSyncResult; error?: Error }) => void, options: { firstDelayMs?: number; everyMs?: number } = {}): () => void {
    const run = () =>
      this.sync(url).then(
        (result) => report({ result }),
        (error: unknown) => report({ error: error instanceof Error ? error : new Error(String(error)) }),
      );
    let interval: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      void run();
      interval = setInterval(() => void run(), options.everyMs ?? 86_400_000);
      interval.unref();
    }, options.firstDelayMs ?? 60_000);
    first.unref();
    return () => {
      clearTimeout(first);
      if (interval) clearInterval(interval);
    };
  }
}

/** The standard's specific supports that meet each need a person may state (any of them will do). */
export function supportsFor(need: HelpNeed, lang: string): string[] {
  switch (need) {
    case 'deafness':
      return ['Surdité'];
    case 'visual':
      return ['Déficience visuelle'];
    case 'illiteracy':
      return ['Illettrisme'];
    case 'languages':
      // Someone writing in English is best helped in English; anyone else, in another language than French.
      return lang.startsWith('en') ? ['Langues étrangères (anglais)'] : ['Langues étrangères (autres)', 'Langues étrangères (anglais)'];
  }
}

/** How far places that meet what the person said are looked for, before the nearest ones are shown instead. */
const NEEDS_MAX_KM = 80;

/**
 * The engine's `findHelp` over a loaded directory, with opening statuses at `at`. What the person
 * said they need is looked for first (places that say they meet it, within 80 km); when none does,
 * the request is relaxed — someone to do it for them first, then the needs — and what could not be
 * met is said (`unmet`), so the person still gets the nearest places.
 */
export function finderFor(directory: PlaceDirectory, at: Date): FindHelp {
  return (where, request): HelpSearch => {
    const base = { ...(request.support ? { support: request.support } : {}), limit: PLACES_SHOWN, lang: request.lang, at };
    const needs = request.needs ?? [];
    const attempts: Array<{ options: NearOptions; unmet?: { needs?: HelpNeed[]; forMe?: true } }> = [];
    const specific = needs.map((n) => supportsFor(n, request.lang));
    if (request.forMe) attempts.push({ options: { ...base, specific, programmes: ['Aidants Connect'], maxKm: NEEDS_MAX_KM } });
    if (needs.length) attempts.push({ options: { ...base, specific, maxKm: NEEDS_MAX_KM }, ...(request.forMe ? { unmet: { forMe: true as const } } : {}) });
    const relaxed = { ...(needs.length ? { needs } : {}), ...(request.forMe ? { forMe: true as const } : {}) };
    attempts.push({ options: base, ...(needs.length || request.forMe ? { unmet: relaxed } : {}) });
    let found = findHelp(directory, where, attempts[0]!.options);
    let unmet = attempts[0]!.unmet;
    for (const attempt of attempts.slice(1)) {
      if (found.kind !== 'found' || found.results.length > 0) break;
      // The place is known now: search around it, not the text again.
      found = { ...found, results: directory.near(found.where, attempt.options) };
      unmet = attempt.unmet;
    }
    switch (found.kind) {
      case 'found':
        return {
          kind: 'found',
          where: { label: found.where.label, lat: found.where.lat, lon: found.where.lon },
          places: found.results.map(toHelpPlace),
          ...(unmet && found.results.length ? { unmet } : {}),
        };
      case 'ambiguous':
        return { kind: 'ambiguous', choices: found.choices.map((c) => ({ label: c.label, query: c.query, departement: c.commune.departement })) };
      case 'not-found':
        return { kind: 'not-found' };
    }
  };
}

let starterDirectory: PlaceDirectory | undefined;

/**
 * A `findHelp` over the starter directory shipped with the project, in memory, without a store:
 * for `ariane chat` and the scenario files, which play the help dialogue where no service runs.
 */
export function starterFinder(at: Date): FindHelp {
  starterDirectory ??= new PlaceDirectory(starterPlaces(locateByCommune));
  return finderFor(starterDirectory, at);
}

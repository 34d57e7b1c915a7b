/**
 * The one help-places service of a running Ariane, built in `main.ts` and given to the bot and to
 * the mediators' pages alike: the directory kept in memory (reloaded from the store as imports
 * land), the starter set written once into a store that holds no place, and the engine's
 * `findHelp` over the loaded directory.
 */
import type { FindHelp, HelpPlace, HelpSearch } from '../engine';
import { getGeocoder } from '../geo';
import type { KeyValueStore } from '../store';
import { DirectoryCache, findHelp } from './findHelp';
import { loadStarterPlaces, starterPlaces } from './loadStarterPlaces';
import { PlaceDirectory, type NearResult } from './PlaceDirectory';

/** How many places a resident is shown. */
export const PLACES_SHOWN = 3;

export interface HelpPlacesOptions {
  /** Reload the directory from the store at most this often (ms; imports run in another process). */
  maxAgeMs?: number;
  /** Write the starter set into a store that holds no place (default true). */
  starters?: boolean;
  /** Clock for the reloads (epoch ms). */
  now?: () => number;
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
  };
}

/** See the file comment. */
export class HelpPlaces {
  private readonly cache: DirectoryCache;
  private starters: Promise<unknown> | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: HelpPlacesOptions = {},
  ) {
    this.cache = new DirectoryCache(kv, options.maxAgeMs, options.now);
  }

  /**
   * The directory, with the starter set written first into an empty store (once per process; a
   * failure is retried on the next call). Rejects when the store cannot be read.
   */
  async directory(): Promise<PlaceDirectory> {
    if (this.options.starters !== false) {
      this.starters ??= loadStarterPlaces(this.kv, (p) => {
        const m = getGeocoder().locate({ insee: p.code_insee, postcode: p.code_postal, name: p.commune });
        return m ? { lat: m.lat, lon: m.lon } : undefined;
      }).then(
        (n) => (n > 0 ? this.cache.invalidate() : undefined),
        (err: unknown) => {
          this.starters = undefined;
          throw err;
        },
      );
      await this.starters;
    }
    return this.cache.get();
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
}

/** The engine's `findHelp` over a loaded directory, with opening statuses at `at`. */
export function finderFor(directory: PlaceDirectory, at: Date): FindHelp {
  return (where, need): HelpSearch => {
    const found = findHelp(directory, where, { ...(need.support ? { support: need.support } : {}), limit: PLACES_SHOWN, lang: need.lang, at });
    switch (found.kind) {
      case 'found':
        return { kind: 'found', where: { label: found.where.label, lat: found.where.lat, lon: found.where.lon }, places: found.results.map(toHelpPlace) };
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
  starterDirectory ??= new PlaceDirectory(
    starterPlaces((p) => {
      const m = getGeocoder().locate({ insee: p.code_insee, postcode: p.code_postal, name: p.commune });
      return m ? { lat: m.lat, lon: m.lon } : undefined;
    }),
  );
  return finderFor(starterDirectory, at);
}

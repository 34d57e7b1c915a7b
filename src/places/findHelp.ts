/**
 * One call for the bot and the web pages: "where is the person?" (whatever they typed or the
 * widget's coordinates) → the best help places, or the communes to choose from when the name is
 * shared, or "not found" so the caller can ask again. Never throws on user input.
 */
import { getGeocoder, type CommuneMatch } from '../geo';
import type { KeyValueStore } from '../store';
import { loadPlaces } from './importPlaces';
import { mergePlaces, type MergedPlaces } from './mergePlaces';
import type { NearOptions, NearResult } from './PlaceDirectory';
import { PlaceDirectory } from './PlaceDirectory';
import { loadNationalSet, placesRevision, type NationalMeta } from './placeSets';
import type { Place } from './types';

/** The outcome of a search. */
export type PlaceSearch =
  | { kind: 'found'; where: { label: string; lat: number; lon: number; insee?: string }; results: NearResult[] }
  /** Several communes share the name: ask which one; each `query` can be sent back as is. */
  | { kind: 'ambiguous'; choices: Array<{ label: string; query: string; commune: CommuneMatch }> }
  | { kind: 'not-found'; query: string };

/**
 * Finds help near what the person gave: a postcode, a commune name, `lat,lon` text, or a point
 * (the widget's geolocation, with consent).
 */
export function findHelp(directory: PlaceDirectory, where: string | { lat: number; lon: number }, options: NearOptions = {}): PlaceSearch {
  if (typeof where !== 'string') {
    const near = getGeocoder().nearest(where.lat, where.lon);
    return { kind: 'found', where: { label: near?.nom ?? `${where.lat.toFixed(4)}, ${where.lon.toFixed(4)}`, ...where }, results: directory.near(where, options) };
  }
  const geo = getGeocoder().geocode(where);
  if (geo.ambiguous) {
    return {
      kind: 'ambiguous',
      choices: geo.matches.slice(0, 8).map((m) => ({ label: `${m.nom} (${m.departementNom})`, query: `${m.nom} ${m.departement}`, commune: m })),
    };
  }
  if (!geo.point) return { kind: 'not-found', query: where };
  const first = geo.matches[0];
  const label = geo.kind === 'coordinates' || !first ? (first?.nom ?? where) : `${first.nom}${geo.kind === 'postcode' ? ` (${first.postcode ?? ''})` : ''}`;
  return { kind: 'found', where: { label, ...geo.point, ...(first ? { insee: first.insee } : {}) }, results: directory.near(geo.point, options) };
}

/** The directory and what it was merged from. */
export interface LoadedDirectory {
  directory: PlaceDirectory;
  /** Counts of the merge (national, imported, starter places kept and replaced). */
  merged: Omit<MergedPlaces, 'places'>;
  /** The stored national set's metadata, when a sync stored one. */
  national?: NationalMeta;
  /** The stored places' revision it was built from (see `placesRevision`). */
  revision: string;
}

/**
 * Lets waiting requests run between the steps of a load: each step holds the event loop for a
 * tenth of a second or more with many places, and a load right after start must not hold back the
 * service's first answers (its readiness probe, a resident's first message).
 */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Reads the layers from the store and merges them with `starters` into one directory. */
export async function loadDirectory(kv: KeyValueStore, starters: readonly Place[] | Promise<readonly Place[]> = []): Promise<LoadedDirectory> {
  const revision = await placesRevision(kv);
  // One read at a time: the embedded store answers each at once, in one stretch of CPU.
  await yieldToEventLoop();
  const national = await loadNationalSet(kv);
  await yieldToEventLoop();
  const local = await loadPlaces(kv);
  const layers = { ...(national ? { national } : {}), local, starters: await starters };
  await yieldToEventLoop();
  return fromLayers(layers, revision);
}

/** A directory from layers already in memory (after a sync in this process). */
export async function fromLayers(layers: { national?: { meta: NationalMeta; places: readonly Place[] }; local: readonly Place[]; starters: readonly Place[] }, revision: string): Promise<LoadedDirectory> {
  const { places, ...merged } = mergePlaces({ national: layers.national?.places ?? [], local: layers.local, starters: layers.starters });
  await yieldToEventLoop();
  return { directory: new PlaceDirectory(places), merged, ...(layers.national ? { national: layers.national.meta } : {}), revision };
}

/**
 * A directory kept in memory. Imports and syncs may run in another process or instance: at most
 * every `maxAgeMs` the stored revision is read (two small items), and the places are read again
 * only when it changed; at once after `invalidate()`.
 */
export class DirectoryCache {
  private current: { checkedAt: number; loaded: Promise<LoadedDirectory> } | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly maxAgeMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
    private readonly starters: () => readonly Place[] | Promise<readonly Place[]> = () => [],
  ) {}

  /** The directory, with what it was merged from. */
  loaded(): Promise<LoadedDirectory> {
    const current = this.current;
    if (!current) return this.load(loadDirectory(this.kv, this.starters()));
    if (this.now() - current.checkedAt <= this.maxAgeMs) return current.loaded;
    // Stale: keep serving what is loaded while the revision is read; reload only when it changed.
    return this.load(
      current.loaded.then(async (old) => ((await placesRevision(this.kv)) === old.revision ? old : loadDirectory(this.kv, this.starters()))),
      current.loaded,
    );
  }

  /** The directory, loading it when absent or when the stored places changed. */
  async get(): Promise<PlaceDirectory> {
    return (await this.loaded()).directory;
  }

  /** Serves `loaded` from now on (a directory this process just built, after a sync). */
  replace(loaded: LoadedDirectory): void {
    this.current = { checkedAt: this.now(), loaded: Promise.resolve(loaded) };
  }

  /** Forgets the loaded directory (after an import in this process). */
  invalidate(): void {
    this.current = undefined;
  }

  private load(loading: Promise<LoadedDirectory>, fallback?: Promise<LoadedDirectory>): Promise<LoadedDirectory> {
    const entry = { checkedAt: this.now(), loaded: loading };
    this.current = entry;
    // A failed load is not cached: the previous directory (if any) serves, and the next call tries again.
    loading.catch(() => {
      if (this.current === entry) this.current = fallback ? { checkedAt: 0, loaded: fallback } : undefined;
    });
    return loading;
  }
}

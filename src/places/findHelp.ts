/**
 * One call for the bot and the web pages: "where is the person?" (whatever they typed or the
 * widget's coordinates) → the best help places, or the communes to choose from when the name is
 * shared, or "not found" so the caller can ask again. Never throws on user input.
 */
import { getGeocoder, type CommuneMatch } from '../geo';
import type { KeyValueStore } from '../store';
import type { NearOptions, NearResult } from './PlaceDirectory';
import { PlaceDirectory } from './PlaceDirectory';

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

/**
 * A directory kept in memory and reloaded from the store at most every `maxAgeMs` (imports run in
 * another process), or at once after `invalidate()`.
 */
export class DirectoryCache {
  private current: { at: number; directory: Promise<PlaceDirectory> } | undefined;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly maxAgeMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The directory, loading it when absent or older than `maxAgeMs`. */
  get(): Promise<PlaceDirectory> {
    if (!this.current || this.now() - this.current.at > this.maxAgeMs) {
      const directory = PlaceDirectory.load(this.kv);
      this.current = { at: this.now(), directory };
      // A failed load is not cached: the next call tries again.
      directory.catch(() => {
        if (this.current?.directory === directory) this.current = undefined;
      });
    }
    return this.current.directory;
  }

  /** Forgets the loaded directory (after an import in this process). */
  invalidate(): void {
    this.current = undefined;
  }
}

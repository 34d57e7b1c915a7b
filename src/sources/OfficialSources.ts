import type { KeyValueStore } from '../store';
import { Catalogue, type CatalogueDescription } from './Catalogue';
import { loadStoredCatalogue } from './catalogueStore';
import type { FicheHit } from './FicheIndex';
import { loadEmbeddedCatalogue } from './loadEmbeddedCatalogue';
import { syncCatalogue, type SyncOptions, type SyncResult } from './syncCatalogue';

/**
 * The engine's view of the catalogue: up to 3 official pages for a resident's sentence, best first,
 * or none (an empty list) when nothing is relevant enough. Synchronous and in memory.
 */
export type OfficialSearch = (text: string, lang?: string) => FicheHit[];

const DAY_MS = 86_400_000;

/**
 * The catalogue the service uses: loaded at start from the store (the last good sync) or else the
 * embedded snapshot, searched in memory, replaced whole by a successful sync. A failed sync changes
 * nothing: the catalogue in use is only swapped once the new one is stored.
 */
export class OfficialSources {
  private stored: Catalogue | undefined;

  private constructor(
    private readonly kv: KeyValueStore,
    stored: Catalogue | undefined,
    private readonly embedded: () => Catalogue,
  ) {
    this.stored = stored;
  }

  /**
   * The stored catalogue, else the embedded one — read on first use, so that a service that never
   * searches never reads it.
   */
  static async open(kv: KeyValueStore, options: { embedded?: () => Catalogue } = {}): Promise<OfficialSources> {
    const stored = await loadStoredCatalogue(kv);
    const load = options.embedded ?? loadEmbeddedCatalogue;
    let embedded: Catalogue | undefined;
    return new OfficialSources(kv, stored?.catalogue, () => {
      if (!embedded) {
        try {
          embedded = load();
        } catch (err) {
          // A build without its catalogue file still serves: no official page, and the admin sees why.
          embedded = new Catalogue({ meta: { origin: 'embedded', source: err instanceof Error ? err.message : String(err), count: 0, newest: '0000-01-01' }, fiches: [] });
        }
      }
      return embedded;
    });
  }

  /** The catalogue in use now. */
  get catalogue(): Catalogue {
    return this.stored ?? this.embedded();
  }

  /** {@link OfficialSearch}, bound to whatever catalogue is in use at the time of the call. */
  readonly search: OfficialSearch = (text, lang) => this.catalogue.search(text, { limit: 3, ...(lang ? { lang } : {}) });

  describe(): CatalogueDescription {
    return this.catalogue.describe();
  }

  /**
   * Syncs from `url` and, when a new catalogue was stored (by this instance or, meanwhile, another
   * one), builds its search index and swaps it in. Throws the sync's ArchiveError when the archive
   * is refused; the catalogue in use stays.
   */
  async sync(url: string, options: Omit<SyncOptions, 'url' | 'current'> = {}): Promise<SyncResult> {
    const result = await syncCatalogue(this.kv, { ...options, url, current: this.catalogue });
    if (result.catalogue) this.stored = result.catalogue.warm();
    return result;
  }

  /**
   * Syncs from `url` soon after start, then once a day (an unchanged archive costs a 304). Results
   * and refusals go to `report`. Returns a stop function; the timers do not keep the process alive.
   */
  scheduleDailySync(url: string, report: (outcome: { result?: SyncResult; error?: Error }) => void, options: { firstDelayMs?: number } = {}): () => void {
    const run = () =>
      this.sync(url).then(
        (result) => report({ result }),
        (error: unknown) => report({ error: error instanceof Error ? error : new Error(String(error)) }),
      );
    let interval: NodeJS.Timeout | undefined;
    const first = setTimeout(() => {
      void run();
      interval = setInterval(() => void run(), DAY_MS);
      interval.unref();
    }, options.firstDelayMs ?? 30_000);
    first.unref();
    return () => {
      clearTimeout(first);
      if (interval) clearInterval(interval);
    };
  }
}

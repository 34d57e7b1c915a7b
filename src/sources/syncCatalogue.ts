import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConflictError, type KeyValueStore } from '../store';
import { Catalogue, newestOf } from './Catalogue';
import { loadStoredCatalogue, markChecked, readStoredMeta, saveCatalogue } from './catalogueStore';
import { downloadArchive, type DownloadOptions } from './downloadArchive';
import { ArchiveError, readArchive, type ArchiveContent, type ArchiveLimits } from './readArchive';

/**
 * Where the DILA publishes the *particuliers* archive today (schema 3.5). The address is
 * configuration (`ARIANE_SOURCES_URL`, `--url`): the host and the schema version in the path change.
 */
export const DEFAULT_SOURCES_URL = 'https://lecomarquage.service-public.gouv.fr/vdd/3.5/part/zip/vosdroits-latest.zip';

/** Sync options. */
export interface SyncOptions {
  url: string;
  /** An archive with fewer *particuliers* fiches is refused (default 1,000). */
  minFiches?: number;
  /**
   * The catalogue serving now: an archive with less than half its fiches is refused too (a
   * half-published archive must not replace a whole one).
   */
  current?: Catalogue;
  download?: Omit<DownloadOptions, 'etag' | 'lastModified'>;
  limits?: ArchiveLimits;
  /** Where the archive is downloaded to before it is read (default: the system's temporary directory); removed after. */
  tmpDir?: string;
  /** The clock (tests). */
  now?: () => Date;
}

/** What a sync did; every field is for logs and the CLI. */
export type SyncResult =
  | {
      status: 'updated';
      catalogue: Catalogue;
      url: string;
      bytes: number;
      content: Omit<ArchiveContent, 'fiches'>;
      downloadMs: number;
      readMs: number;
    }
  | {
      /** The archive did not change (304): the stored catalogue is kept. */
      status: 'not-modified';
      /** The stored catalogue when it is another generation than `current` (another instance synced). */
      catalogue?: Catalogue;
      url: string;
    }
  | {
      /** Another instance stored a new archive while this one was downloading: theirs is kept. */
      status: 'concurrent';
      catalogue?: Catalogue;
      url: string;
    };

/**
 * Downloads the DILA's archive, checks it whole, and stores it as the new catalogue in one atomic
 * write. Throws {@link ArchiveError} (one-line French message) when the archive is refused — HTTP
 * error, cut short, not a zip, malformed XML, too few fiches — and then nothing is written: the
 * previous catalogue keeps serving. Sends the stored catalogue's validators when it came from the
 * same address, so an unchanged archive costs a 304.
 */
export async function syncCatalogue(kv: KeyValueStore, options: SyncOptions): Promise<SyncResult> {
  const now = options.now ?? (() => new Date());
  const stored = await readStoredMeta(kv);
  const sameSource = stored?.meta.source === options.url;
  const storedIfOther = async (): Promise<Catalogue | undefined> => {
    if (!stored || (options.current?.meta.origin === 'sync' && options.current.meta.fetchedAt === stored.meta.fetchedAt)) return undefined;
    return (await loadStoredCatalogue(kv))?.catalogue;
  };
  const dir = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), 'ariane-sources-'));
  try {
    const file = path.join(dir, 'vosdroits.zip');
    const started = Date.now();
    const got = await downloadArchive(options.url, file, {
      ...options.download,
      ...(sameSource && stored.meta.etag ? { etag: stored.meta.etag } : {}),
      ...(sameSource && stored.meta.lastModified ? { lastModified: stored.meta.lastModified } : {}),
    });
    if (got.status === 'not-modified') {
      if (!stored) return { status: 'not-modified', url: options.url };
      const catalogue = await storedIfOther();
      try {
        await markChecked(kv, stored, now().toISOString());
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      return { status: 'not-modified', url: options.url, ...(catalogue ? { catalogue } : {}) };
    }
    const downloadMs = Date.now() - started;
    const readStarted = Date.now();
    const content = await readArchive(got.file, options.limits);
    const readMs = Date.now() - readStarted;
    const min = options.minFiches ?? 1000;
    if (content.fiches.length < min) {
      throw new ArchiveError(`l'archive ne contient que ${content.fiches.length} fiches pour les particuliers (au moins ${min} attendues) : elle est refusée`);
    }
    const previous = options.current?.size ?? stored?.meta.count ?? 0;
    if (content.fiches.length < previous / 2) {
      throw new ArchiveError(`l'archive ne contient que ${content.fiches.length} fiches, moins de la moitié des ${previous} du catalogue actuel : elle est refusée`);
    }
    const fetchedAt = now().toISOString();
    const catalogue = new Catalogue({
      meta: {
        origin: 'sync',
        source: options.url,
        count: content.fiches.length,
        newest: newestOf(content.fiches),
        fetchedAt,
        ...(got.etag ? { etag: got.etag } : {}),
        ...(got.lastModified ? { lastModified: got.lastModified } : {}),
      },
      fiches: content.fiches,
    });
    try {
      await saveCatalogue(kv, catalogue.toJSON(), fetchedAt, stored?.etag);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      return { status: 'concurrent', url: options.url, ...(await loadStoredCatalogue(kv).then((s) => (s ? { catalogue: s.catalogue } : {}))) };
    }
    const { fiches: _fiches, ...counts } = content;
    return { status: 'updated', catalogue, url: got.url, bytes: got.bytes, content: counts, downloadMs, readMs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The sync from the national dataset ("Lieux de médiation numérique", data.gouv.fr, CSV or JSON of
 * the national standard): a real HTTP download, the import's own validation and per-row report,
 * checks that the file is a whole directory, then the new generation stored and the pointer turned
 * (see `placeSets`). Whatever goes wrong before the pointer turns — the server, a cut download, a
 * file that is not the standard, too few places — refuses the file and keeps the previous set.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { download, DownloadError, type DownloadOptions } from '../http';
import { ConflictError, type KeyValueStore } from '../store';
import { decodeText } from './decodeText';
import { parsePlacesYielding } from './importPlaces';
import { deleteGeneration, markNationalChecked, readNationalPointer, saveNationalSet, type NationalMeta } from './placeSets';
import type { Place, RowIssue } from './types';

/** A file refused by a sync: one French line for logs and the admin's terminal. */
export class PlacesSyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlacesSyncError';
  }
}

/** Options of a sync. */
export interface PlacesSyncOptions {
  url: string;
  /** A file with fewer valid places is refused (default 1,000: the national set has about 18,000). */
  minPlaces?: number;
  /** Download limits and progress (defaults: 200 MB, 10 minutes, 60 s without a byte). */
  download?: Omit<DownloadOptions, 'etag' | 'lastModified'>;
  /** Gives a place without coordinates the centre of its commune (else it is skipped, and reported). */
  locate?: (place: Place) => { lat: number; lon: number } | undefined;
  /** Where the file is downloaded to before it is read (default: the system's temporary directory); removed after. */
  tmpDir?: string;
  /** The clock (tests). */
  now?: () => Date;
}

/** The import's report of the file, without the places. */
export interface PlacesFileReport {
  rows: number;
  imported: number;
  skipped: number;
  withWarnings: number;
  issues: RowIssue[];
}

/** What a sync did. */
export type PlacesSyncResult =
  | { status: 'updated'; meta: NationalMeta; places: Place[]; report: PlacesFileReport; url: string; bytes: number; downloadMs: number; parseMs: number; storeMs: number }
  /** The file did not change (304): the stored set is kept. */
  | { status: 'not-modified'; url: string; meta?: NationalMeta }
  /** Another instance stored a set while this one was working: theirs is kept. */
  | { status: 'concurrent'; url: string };

/** A pending generation older than this was left by a sync that stopped (a crash): its chunks are deleted. */
const STALE_PENDING_MS = 3_600_000;

/**
 * Downloads the national dataset from `options.url`, validates it row by row and stores it as the
 * new national set. Throws {@link PlacesSyncError} (one line) when the file is refused; nothing is
 * then changed. Sends the stored set's validators when it came from the same address, so an
 * unchanged file costs a 304.
 */
export async function syncPlaces(kv: KeyValueStore, options: PlacesSyncOptions): Promise<PlacesSyncResult> {
  const now = options.now ?? (() => new Date());
  let read = await readNationalPointer(kv);
  const pending = read.pointer.pending;
  if (pending && now().getTime() - Date.parse(pending.startedAt) > STALE_PENDING_MS) {
    await deleteGeneration(kv, pending.generation, pending.chunks);
    read = { ...read, pointer: { ...(read.pointer.current ? { current: read.pointer.current } : {}) } };
  }
  const stored = read.pointer.current;
  const sameSource = stored?.url === options.url;
  const dir = await mkdtemp(path.join(options.tmpDir ?? tmpdir(), 'ariane-places-'));
  try {
    const started = Date.now();
    let got;
    try {
      got = await download(options.url, path.join(dir, 'lieux'), {
        maxBytes: 200 * 1024 * 1024,
        userAgent: 'Ariane (synchronisation des lieux de médiation numérique)',
        ...options.download,
        ...(sameSource && stored.etag ? { etag: stored.etag } : {}),
        ...(sameSource && stored.lastModified ? { lastModified: stored.lastModified } : {}),
      });
    } catch (err) {
      throw err instanceof DownloadError ? new PlacesSyncError(err.message) : err;
    }
    if (got.status === 'not-modified') {
      try {
        await markNationalChecked(kv, read, now().toISOString());
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      return { status: 'not-modified', url: options.url, ...(stored ? { meta: stored } : {}) };
    }
    const downloadMs = Date.now() - started;

    const parseStarted = Date.now();
    const text = decodeText(await readFile(got.file)).text;
    let parsed;
    try {
      parsed = await parsePlacesYielding(text, { ...(options.locate ? { locate: options.locate } : {}) });
    } catch (err) {
      throw new PlacesSyncError(`${err instanceof Error ? err.message : String(err)} (${options.url})`);
    }
    const parseMs = Date.now() - parseStarted;
    const errorRows = new Set(parsed.issues.filter((i) => i.severity === 'error').map((i) => i.row));
    const warnedRows = new Set(parsed.issues.filter((i) => i.severity === 'warning' && !errorRows.has(i.row)).map((i) => i.row));
    const report: PlacesFileReport = { rows: parsed.rows, imported: parsed.places.length, skipped: errorRows.size, withWarnings: warnedRows.size, issues: parsed.issues };
    refuseIncomplete(report, options.minPlaces ?? 1000, stored?.count ?? 0);

    const storeStarted = Date.now();
    const syncedAt = now().toISOString();
    let meta: NationalMeta;
    try {
      meta = await saveNationalSet(
        kv,
        {
          generation: syncedAt,
          url: options.url,
          ...(got.etag ? { etag: got.etag } : {}),
          ...(got.lastModified ? { lastModified: got.lastModified } : {}),
          count: parsed.places.length,
          rows: report.rows,
          skipped: report.skipped,
          withWarnings: report.withWarnings,
          bytes: got.bytes,
          syncedAt,
        },
        parsed.places,
        read,
        now,
      );
    } catch (err) {
      if (err instanceof ConflictError) return { status: 'concurrent', url: options.url };
      throw err;
    }
    return { status: 'updated', meta, places: parsed.places, report, url: got.url, bytes: got.bytes, downloadMs, parseMs, storeMs: Date.now() - storeStarted };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The most frequent reasons rows were refused, for the refusal's one line. */
function mainReasons(report: PlacesFileReport): string {
  const counts = new Map<string, number>();
  for (const i of report.issues) if (i.severity === 'error') counts.set(`${i.field} : ${i.reason}`, (counts.get(`${i.field} : ${i.reason}`) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 2)
    .map(([reason, n]) => `${reason} (${n} lignes)`)
    .join(' ; ');
}

/**
 * Refuses a file that is not a whole directory: no row, most rows refused (not the standard's
 * columns: an error page, another dataset), fewer places than `minPlaces`, or less than half of the
 * set serving now (a file cut short, or half published).
 */
function refuseIncomplete(report: PlacesFileReport, minPlaces: number, current: number): void {
  if (report.rows === 0) throw new PlacesSyncError('le fichier ne contient aucun lieu : il est refusé');
  if (report.skipped > report.rows / 2) {
    throw new PlacesSyncError(`${report.skipped} lignes sur ${report.rows} sont refusées (${mainReasons(report)}) : ce n'est pas un fichier du standard des lieux de médiation numérique, il est refusé`);
  }
  if (report.imported < minPlaces) throw new PlacesSyncError(`le fichier ne contient que ${report.imported} lieux valides (au moins ${minPlaces} attendus) : il est refusé`);
  if (report.imported < current / 2) {
    throw new PlacesSyncError(`le fichier ne contient que ${report.imported} lieux valides, moins de la moitié des ${current} de l'annuaire actuel : il est refusé`);
  }
}

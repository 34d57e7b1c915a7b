/**
 * Where help places live in the store. Three layers make the directory (see `mergePlaces`):
 * - the national set, synced from data.gouv.fr: two items written in one atomic `set` (its metadata,
 *   small, read before each sync for its validators, and the places of the same generation), so a
 *   sync replaces the whole set or nothing, and a reader never sees half of one;
 * - places imported by hand (`ariane places import`), one item per place (`place:<id>`), upserted;
 *   every import bumps a revision item so that running services notice it without reading them all;
 * - the starter directory shipped with the project, which is never written to the store.
 */
import { IF_ABSENT, type KeyValueStore } from '../store';
import type { Place } from './types';

/** Key of the national set's metadata. */
export const NATIONAL_META_KEY = 'places/national/meta';
/** Key of the national set's places. */
export const NATIONAL_SET_KEY = 'places/national/set';
/** Key of the counter bumped by every import of places by hand. */
export const LOCAL_REVISION_KEY = 'places/local/revision';

/** What is known about the stored national set. */
export interface NationalMeta {
  /** Ties the metadata to its places (the sync's instant, ISO). */
  generation: string;
  /** The address it was downloaded from. */
  url: string;
  etag?: string;
  lastModified?: string;
  /** Places kept, rows read, rows refused, rows kept with a remark. */
  count: number;
  rows: number;
  skipped: number;
  withWarnings: number;
  /** Bytes downloaded. */
  bytes: number;
  /** When it was stored (ISO). */
  syncedAt: string;
  /** When the address last answered "unchanged" (ISO). */
  checkedAt?: string;
}

interface SetItem {
  generation: string;
  places: Place[];
}

/** The national set's metadata and its item's etag (for a conditional write), if a sync ever stored one. */
export async function readNationalMeta(kv: KeyValueStore): Promise<{ meta: NationalMeta; etag: string } | undefined> {
  const item = (await kv.get<NationalMeta>([NATIONAL_META_KEY]))[NATIONAL_META_KEY];
  return item && item.value && typeof item.value.generation === 'string' ? { meta: item.value, etag: item.etag } : undefined;
}

/**
 * The stored national set, or undefined when none was stored. Items of two generations (never
 * written so, but a hand-edited database could) count as none: the directory is then the other
 * layers, never a mix.
 */
export async function loadNationalSet(kv: KeyValueStore): Promise<{ meta: NationalMeta; places: Place[] } | undefined> {
  const items = await kv.get<unknown>([NATIONAL_META_KEY, NATIONAL_SET_KEY]);
  const meta = items[NATIONAL_META_KEY]?.value as NationalMeta | undefined;
  const set = items[NATIONAL_SET_KEY]?.value as SetItem | undefined;
  if (!meta || !set || typeof meta.generation !== 'string' || set.generation !== meta.generation || !Array.isArray(set.places)) return undefined;
  return { meta, places: set.places };
}

/**
 * Stores a new national set, metadata and places in one atomic write, conditional on the metadata's
 * etag read before the sync (`undefined`: none was stored). Throws the store's ConflictError when
 * another instance stored one meanwhile; nothing is then written.
 */
export async function saveNationalSet(kv: KeyValueStore, meta: NationalMeta, places: Place[], previousEtag: string | undefined): Promise<void> {
  await kv.set([
    { key: NATIONAL_META_KEY, value: meta, etag: previousEtag ?? IF_ABSENT },
    { key: NATIONAL_SET_KEY, value: { generation: meta.generation, places } satisfies SetItem },
  ]);
}

/** Records that the address answered "unchanged", conditional on the etag read before. */
export async function markNationalChecked(kv: KeyValueStore, stored: { meta: NationalMeta; etag: string }, checkedAt: string): Promise<void> {
  await kv.set([{ key: NATIONAL_META_KEY, value: { ...stored.meta, checkedAt }, etag: stored.etag }]);
}

/** Tells running services that places were imported by hand. */
export async function bumpLocalRevision(kv: KeyValueStore): Promise<void> {
  await kv.increment(LOCAL_REVISION_KEY, { imports: 1 });
}

/**
 * A token that changes whenever the stored places change (a sync stored a new generation, an
 * import ran): two small reads, so a service can poll it often and reload only on a change.
 */
export async function placesRevision(kv: KeyValueStore): Promise<string> {
  const items = await kv.get<{ generation?: string; imports?: number }>([NATIONAL_META_KEY, LOCAL_REVISION_KEY]);
  return `${items[NATIONAL_META_KEY]?.value.generation ?? '-'}/${items[LOCAL_REVISION_KEY]?.value.imports ?? 0}`;
}

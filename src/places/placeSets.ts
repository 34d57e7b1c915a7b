/**
 * Where help places live in the store. Three layers make the directory (see `mergePlaces`):
 * - the national set, synced from data.gouv.fr, stored as one generation: its places in chunks
 *   (`places/national/<generation>/<n>`, 1,000 places each, so that no write or read holds the event
 *   loop for long), and a pointer, the metadata item, naming the generation in use. A sync writes
 *   the new chunks first, then turns the pointer in one conditional write, then deletes the old
 *   chunks: readers always follow the pointer to a complete generation, never half of one, and a
 *   sync that fails before the pointer turns leaves the previous set serving;
 * - places imported by hand (`ariane places import`), one item per place (`place:<id>`), upserted;
 *   every import bumps a revision item so that running services notice it without reading them all;
 * - the starter directory shipped with the project, which is never written to the store.
 */
import { IF_ABSENT, type KeyValueStore } from '../store';
import type { Place } from './types';

/** Key of the national set's pointer (its metadata). */
export const NATIONAL_META_KEY = 'places/national/meta';
/** Key prefix of the national set's chunks. */
export const NATIONAL_CHUNK_PREFIX = 'places/national/set/';
/** Key of the counter bumped by every import of places by hand. */
export const LOCAL_REVISION_KEY = 'places/local/revision';
/** Places per stored chunk. */
export const CHUNK_SIZE = 1000;

/** The key of chunk `n` of a generation. */
export const chunkKey = (generation: string, n: number) => `${NATIONAL_CHUNK_PREFIX}${generation}/${String(n).padStart(4, '0')}`;

/** What is known about the stored national set. */
export interface NationalMeta {
  /** The generation in use (the sync's instant, ISO), and how many chunks it has. */
  generation: string;
  chunks: number;
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

/**
 * The pointer item: the generation in use (absent before the first sync) and a generation being
 * written (`pending`), so that the chunks of a sync that never finished can be found and deleted.
 */
export interface NationalPointer {
  current?: NationalMeta;
  pending?: { generation: string; chunks: number; startedAt: string };
}

interface ChunkItem {
  generation: string;
  places: Place[];
}

/** The pointer and its item's etag (for a conditional write); an empty pointer when no sync ever ran. */
export async function readNationalPointer(kv: KeyValueStore): Promise<{ pointer: NationalPointer; etag?: string }> {
  const item = (await kv.get<NationalPointer>([NATIONAL_META_KEY]))[NATIONAL_META_KEY];
  if (!item || !item.value || typeof item.value !== 'object') return { pointer: {} };
  const { current, pending } = item.value;
  const pointer: NationalPointer = {};
  if (current && typeof current.generation === 'string' && Number.isInteger(current.chunks)) pointer.current = current;
  if (pending && typeof pending.generation === 'string' && Number.isInteger(pending.chunks)) pointer.pending = pending;
  return { pointer, etag: item.etag };
}

/** The national set's metadata, if a sync ever stored one. */
export async function readNationalMeta(kv: KeyValueStore): Promise<NationalMeta | undefined> {
  return (await readNationalPointer(kv)).pointer.current;
}

/**
 * The stored national set, or undefined when none was stored. Chunks are read one at a time (each a
 * short parse). When a chunk is gone because a sync elsewhere turned the pointer meanwhile (and
 * deleted the chunks being read), the new generation is read instead; a chunk missing for any other
 * reason (a hand-edited database) makes the whole set count as none: the directory is then the
 * other layers, never half a set.
 */
export async function loadNationalSet(kv: KeyValueStore): Promise<{ meta: NationalMeta; places: Place[] } | undefined> {
  let meta = await readNationalMeta(kv);
  for (let attempt = 0; meta && attempt < 3; attempt++) {
    const places: Place[] = [];
    let complete = true;
    for (let n = 0; n < meta.chunks && complete; n++) {
      const key = chunkKey(meta.generation, n);
      const chunk = (await kv.get<ChunkItem>([key]))[key]?.value;
      if (!chunk || chunk.generation !== meta.generation || !Array.isArray(chunk.places)) complete = false;
      else for (const p of chunk.places) places.push(p);
    }
    if (complete) return { meta, places };
    const now = await readNationalMeta(kv);
    if (!now || now.generation === meta.generation) return undefined;
    meta = now;
  }
  return undefined;
}

/** Deletes the chunks of a generation (absent keys are ignored). */
export async function deleteGeneration(kv: KeyValueStore, generation: string, chunks: number): Promise<void> {
  const keys = Array.from({ length: chunks }, (_, n) => chunkKey(generation, n));
  for (let i = 0; i < keys.length; i += 50) await kv.delete(keys.slice(i, i + 50));
}

/**
 * Stores a new national set: announces it as pending (conditional on the pointer's etag read before
 * the sync), writes its chunks one store call at a time, then turns the pointer to it (conditional
 * again) and deletes the previous generation's chunks. Throws the store's ConflictError when another
 * instance changed the pointer meanwhile; this generation's chunks are then deleted and the pointer
 * is left as the other instance wrote it.
 */
export async function saveNationalSet(kv: KeyValueStore, meta: Omit<NationalMeta, 'chunks'>, places: readonly Place[], read: { pointer: NationalPointer; etag?: string }, now: () => Date = () => new Date()): Promise<NationalMeta> {
  const chunks = Math.ceil(places.length / CHUNK_SIZE);
  const full: NationalMeta = { ...meta, chunks };
  const pending = { generation: meta.generation, chunks, startedAt: now().toISOString() };
  // Only `current` is kept: a pending generation found here was cleaned up by the caller.
  const base: NationalPointer = read.pointer.current ? { current: read.pointer.current } : {};
  const etag = (await kv.set([{ key: NATIONAL_META_KEY, value: { ...base, pending } satisfies NationalPointer, etag: read.etag ?? IF_ABSENT }]))[NATIONAL_META_KEY];
  try {
    for (let n = 0; n < chunks; n++) {
      const slice = places.slice(n * CHUNK_SIZE, (n + 1) * CHUNK_SIZE);
      await kv.set([{ key: chunkKey(meta.generation, n), value: { generation: meta.generation, places: slice } satisfies ChunkItem }]);
    }
    await kv.set([{ key: NATIONAL_META_KEY, value: { current: full } satisfies NationalPointer, etag }]);
  } catch (err) {
    await deleteGeneration(kv, meta.generation, chunks).catch(() => undefined);
    throw err;
  }
  const previous = read.pointer.current;
  if (previous && previous.generation !== meta.generation) await deleteGeneration(kv, previous.generation, previous.chunks);
  return full;
}

/** Records that the address answered "unchanged", conditional on the etag read before. */
export async function markNationalChecked(kv: KeyValueStore, read: { pointer: NationalPointer; etag?: string }, checkedAt: string): Promise<void> {
  if (!read.pointer.current || !read.etag) return;
  await kv.set([{ key: NATIONAL_META_KEY, value: { ...read.pointer, current: { ...read.pointer.current, checkedAt } } satisfies NationalPointer, etag: read.etag }]);
}

/** Tells running services that places were imported by hand. */
export async function bumpLocalRevision(kv: KeyValueStore): Promise<void> {
  await kv.increment(LOCAL_REVISION_KEY, { imports: 1 });
}

/**
 * A token that changes whenever the stored places change (a sync turned the pointer, an import
 * ran): two small reads, so a service can poll it often and reload only on a change.
 */
export async function placesRevision(kv: KeyValueStore): Promise<string> {
  const items = await kv.get<{ current?: { generation?: string }; imports?: number }>([NATIONAL_META_KEY, LOCAL_REVISION_KEY]);
  return `${items[NATIONAL_META_KEY]?.value.current?.generation ?? '-'}/${items[LOCAL_REVISION_KEY]?.value.imports ?? 0}`;
}

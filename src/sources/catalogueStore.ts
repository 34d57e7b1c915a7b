/**
 * The synced catalogue in the service's store (SQLite or PostgreSQL, through the JSON key-value API):
 * two items written in one atomic `set`, the metadata (small: read before each sync for its
 * validators) and the fiches of the same generation. Nothing here for the embedded catalogue: it
 * ships with the build and is never copied into the store.
 */
import { Catalogue, type CatalogueData, type CatalogueMeta } from './Catalogue';
import { IF_ABSENT, type KeyValueStore } from '../store';
import type { Fiche } from './Fiche';

/** Key of the metadata item. */
export const META_KEY = 'sources/catalogue/meta';
/** Key of the fiches item. */
export const FICHES_KEY = 'sources/catalogue/fiches';

/** The stored metadata, with the item's etag for a conditional write. */
export interface StoredMeta {
  meta: CatalogueMeta & { generation: string };
  etag: string;
}

interface FichesItem {
  generation: string;
  fiches: Fiche[];
}

/** The metadata of the stored catalogue, if a sync ever stored one. */
export async function readStoredMeta(kv: KeyValueStore): Promise<StoredMeta | undefined> {
  const item = (await kv.get<StoredMeta['meta']>([META_KEY]))[META_KEY];
  return item ? { meta: item.value, etag: item.etag } : undefined;
}

/**
 * The stored catalogue, or undefined when none was stored (a fresh install: the embedded one
 * serves). Items of two different generations (never written so, but a hand-edited database could)
 * count as none.
 */
export async function loadStoredCatalogue(kv: KeyValueStore): Promise<{ catalogue: Catalogue; generation: string; etag: string } | undefined> {
  const items = await kv.get<unknown>([META_KEY, FICHES_KEY]);
  const meta = items[META_KEY];
  const fiches = items[FICHES_KEY];
  if (!meta || !fiches) return undefined;
  const m = meta.value as StoredMeta['meta'];
  const f = fiches.value as FichesItem;
  if (!m || typeof m.generation !== 'string' || !f || f.generation !== m.generation || !Array.isArray(f.fiches)) return undefined;
  const { generation, ...rest } = m;
  return { catalogue: new Catalogue({ meta: rest, fiches: f.fiches }), generation, etag: meta.etag };
}

/**
 * Stores a new generation, metadata and fiches in one atomic write, conditional on the metadata's
 * etag read before the sync (`undefined`: none was stored). Throws the store's ConflictError when
 * another instance stored one meanwhile; nothing is then written.
 */
export async function saveCatalogue(kv: KeyValueStore, data: CatalogueData, generation: string, previousEtag: string | undefined): Promise<void> {
  await kv.set([
    { key: META_KEY, value: { ...data.meta, generation }, etag: previousEtag ?? IF_ABSENT },
    { key: FICHES_KEY, value: { generation, fiches: data.fiches } satisfies FichesItem },
  ]);
}

/** Records that the archive was found unchanged (a 304), conditional on the etag read before. */
export async function markChecked(kv: KeyValueStore, stored: StoredMeta, checkedAt: string): Promise<void> {
  await kv.set([{ key: META_KEY, value: { ...stored.meta, checkedAt }, etag: stored.etag }]);
}

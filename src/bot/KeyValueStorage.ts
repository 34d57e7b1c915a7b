/**
 * A botbuilder `Storage` over Ariane's `KeyValueStore`, with real eTag semantics: `read` returns each
 * item's current eTag; `write` with an eTag other than `'*'` succeeds only if the stored item still
 * has it, else rejects with the store's `ConflictError` and writes nothing.
 */
import type { Storage, StoreItems } from 'botbuilder';
import { ConflictError, type KeyValueStore, type WriteItem } from '../store';

/** Options: how long written items live (conversations expire after the retention period). */
export interface KeyValueStorageOptions {
  /** Lifetime of written items in ms; absent = forever. */
  ttlMs?: number;
  /** Clock (epoch ms), for expiry. */
  now?: () => number;
}

/** See the file comment. Values must be JSON objects (botbuilder `StoreItem`s). */
export class KeyValueStorage implements Storage {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: KeyValueStorageOptions = {},
  ) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (keys.length === 0) return {};
    const found = await this.kv.get<Record<string, unknown>>(keys);
    const out: StoreItems = {};
    for (const [key, item] of Object.entries(found)) {
      out[key] = { ...(item.value ?? {}), eTag: item.etag };
    }
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    const now = (this.options.now ?? Date.now)();
    const items: WriteItem[] = entries.map(([key, item]) => {
      const { eTag, ...value } = (item ?? {}) as { eTag?: unknown } & Record<string, unknown>;
      return {
        key,
        value,
        etag: typeof eTag === 'string' ? eTag : undefined,
        expiresAt: this.options.ttlMs !== undefined ? now + this.options.ttlMs : undefined,
      };
    });
    await this.kv.set(items);
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.kv.delete(keys);
  }
}

/**
 * Whether an error means "someone else wrote first": our store's ConflictError, or botbuilder's own
 * `MemoryStorage` eTag conflict (used in unit tests).
 */
export function isConflict(err: unknown): boolean {
  if (err instanceof ConflictError) return true;
  return err instanceof Error && (err.name === 'ConflictError' || /eTag conflict/i.test(err.message));
}

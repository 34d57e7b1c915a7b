/** Chooses and opens the store from configuration (called once, by src/main.ts and by tests). */
import { MemoryStore } from './MemoryStore';
import { PostgresStore } from './PostgresStore';
import { SqliteStore } from './SqliteStore';
import type { Store, UnreadableRow } from './types';

/** What the store needs from the configuration. */
export interface StoreConfig {
  /** PostgreSQL connection string (DATABASE_URL): when set, several instances can share the data. */
  databaseUrl?: string;
  /** PostgreSQL: how long opening a connection may take before it fails, in ms (default 5 s). */
  connectTimeoutMs?: number;
  /** Directory for the embedded SQLite database (`<dataDir>/ariane.db`), created if missing. */
  dataDir: string;
  /** Keep everything in memory (unit tests only: nothing survives the process). */
  memory?: boolean;
  /** Told of each stored row that cannot be read back and is skipped (to log it). */
  onUnreadable?: (row: UnreadableRow) => void;
  /** PostgreSQL: told when the connection hearing other instances' appends is lost (it reconnects). */
  onFeedLost?: (err: unknown) => void;
}

/**
 * Opens the store: PostgreSQL when `databaseUrl` is given, else memory when asked, else SQLite in
 * `dataDir`. Durable stores migrate their schema before resolving; a database that cannot be
 * reached rejects (the caller stops the start with that message).
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  const { onUnreadable, onFeedLost } = config;
  if (config.databaseUrl) {
    const pool = config.connectTimeoutMs === undefined ? {} : { pool: { connectionTimeoutMillis: config.connectTimeoutMs } };
    return PostgresStore.open({ connectionString: config.databaseUrl, onUnreadable, onFeedLost, ...pool });
  }
  if (config.memory) return new MemoryStore();
  return SqliteStore.open({ dataDir: config.dataDir, onUnreadable });
}

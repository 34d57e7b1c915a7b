/** Chooses and opens the store from configuration (called once, by src/main.ts and by tests). */
import { MemoryStore } from './MemoryStore';
import type { Store } from './types';

/** What the store needs from the configuration. */
export interface StoreConfig {
  /** PostgreSQL connection string (DATABASE_URL): when set, several instances can share the data. */
  databaseUrl?: string;
  /** Directory for the embedded SQLite database (`<dataDir>/ariane.db`), created if missing. */
  dataDir: string;
  /** Keep everything in memory (unit tests only: nothing survives the process). */
  memory?: boolean;
}

/**
 * Opens the store: PostgreSQL when `databaseUrl` is given, else memory when asked, else SQLite in
 * `dataDir`. Durable stores migrate their schema before resolving.
 */
export async function createStore(config: StoreConfig): Promise<Store> {
  if (config.memory && !config.databaseUrl) return new MemoryStore();
  // SQLite and PostgreSQL stores are being written (same contract); until then this fails loudly.
  throw new Error('Durable stores are not available yet: use { memory: true }.');
}

/** The store folder's public surface: contracts, implementations and the factory. */
export * from './types';
export { MemoryStore, type MemoryStoreOptions } from './MemoryStore';
export { SqliteStore, SQLITE_SCHEMA_VERSION, type SqliteStoreOptions } from './SqliteStore';
export { PostgresStore, POSTGRES_SCHEMA_VERSION, type PostgresStoreOptions } from './PostgresStore';
export { createStore, type StoreConfig } from './createStore';
export { observeStore, type StoreObserver, type StoreOutcome } from './observeStore';

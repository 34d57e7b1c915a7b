/**
 * The store folder's public surface: contracts, the factory the service uses, and the three
 * implementations (tests, the benchmark and the crash test's child process open them directly).
 */
export * from './types';
export { MemoryStore } from './MemoryStore';
export { SqliteStore, SQLITE_SCHEMA_VERSION } from './SqliteStore';
export { PostgresStore, POSTGRES_SCHEMA_VERSION } from './PostgresStore';
export { createStore } from './createStore';
export { observeStore } from './observeStore';

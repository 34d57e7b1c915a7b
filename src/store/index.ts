/** The store folder's public surface: contracts, implementations and the factory. */
export * from './types';
export { MemoryStore, type MemoryStoreOptions } from './MemoryStore';
export { createStore, type StoreConfig } from './createStore';

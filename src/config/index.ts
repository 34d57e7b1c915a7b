/** Configuration from the environment: see `loadConfig` and the README's Configuration section. */
export { loadConfig, resolveTokenSecret, ConfigError, APP_TYPES, CLIENT_REFRESH_SECONDS, DEFAULT_FEATURED_FLOWS, LOG_LEVELS } from './loadConfig';
export type { Config, AppType, LogLevel } from './loadConfig';

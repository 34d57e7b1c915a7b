/** Configuration from the environment: see `loadConfig` and the README's Configuration section. */
export { loadConfig, resolveTokenSecret, ConfigError, type Config } from './loadConfig';

/**
 * What the web pages need from the rest of the service. Everything is optional so that the server can
 * mount the widget alone; a page whose dependency is missing says so instead of failing.
 */
import type { Catalog } from '../engine';
import type { PlaceDirectory } from '../places';
import type { CatalogueDescription } from '../sources';
import type { Store } from '../store';
import type { FlowWatcher } from '../flow';
import type { NodeStats } from '../stats';

export interface WebDeps {
  /** `ARIANE_ADMIN_TOKEN`; without it the admin pages answer 503 (never open by default). */
  adminToken?: string;
  /** The catalog the bot serves now (a function: flows can be reloaded). */
  catalog?: () => Catalog;
  /** The flows folder (YAML + `*.test.yaml` scenarios), for the admin's checks and scenario runs. */
  flowsDir?: string;
  /** Keeps the flows up to date with the files; its last error is shown to admins. */
  watcher?: FlowWatcher;
  /** The durable store: handoff summaries, statistics, help places. */
  store?: Store;
  /** Help places: the service's one help-places directory (`HelpPlaces.directory`); without it the search says it is unavailable. */
  places?: () => PlaceDirectory | Promise<PlaceDirectory>;
  /** The catalogue of official pages in use (embedded snapshot or synced), told to admins. */
  officialSources?: () => CatalogueDescription;
  /** Days a handoff summary stays readable (`ARIANE_RETENTION_DAYS`), told to mediators (default 30). */
  retentionDays?: number;
  /** Per-node counters (reached / stopped / help), shown to admins. */
  stats?: NodeStats;
  /** Handoff code look-ups one address may make per minute (default 20), so codes cannot be guessed. */
  codeLookupsPerMinute?: number;
  /** Admin log-in attempts one address may make per minute (default 10). */
  loginsPerMinute?: number;
  /** Built assets (tests); defaults to `dist/web/public`. */
  assetsDir?: string;
  /** Today as `YYYY-MM-DD` (tests fix it); review dates older than a year are highlighted. */
  today?: () => string;
}

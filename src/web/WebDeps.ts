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
import type { ClientAddresses } from '../http';
import type { Limiters } from '../limits';

/** Where the pages write what must be traced (sign-ins, who opened which summary): pino's shape. */
export interface AuditLogger {
  info(entry: Record<string, unknown>, message: string): void;
  warn(entry: Record<string, unknown>, message: string): void;
}

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
  /**
   * Who the client is, behind our own proxies (`ARIANE_TRUSTED_PROXIES`), for the per-address
   * limits below (default: the connection's address).
   */
  clients?: ClientAddresses;
  /** Where the per-address limits count (default: this process's memory; with PostgreSQL, shared). */
  limiters?: Limiters;
  /** Handoff code look-ups one address may make per minute (default 20). */
  codeLookupsPerMinute?: number;
  /**
   * Failed look-ups of (nine-character) handoff codes the whole service allows per hour, all
   * mediators and instances together (default 200): what bounds guessing (README, Privacy).
   */
  codeFailuresPerHour?: number;
  /** The same for the older six-character codes, far easier to guess (default 2). */
  legacyCodeFailuresPerHour?: number;
  /** Failed look-ups one mediator's account may make per hour (default 20). */
  accountCodeFailuresPerHour?: number;
  /** Sign-in attempts (admin and mediators) one address may make per minute (default 10). */
  loginsPerMinute?: number;
  /** Failed mediator sign-ins allowed per login per 15 minutes (default 10). */
  signInFailuresPerLogin?: number;
  /** Failed mediator sign-ins the whole service allows per 15 minutes (default 100). */
  signInFailuresGlobal?: number;
  /** A session ends after this long without a request (default 1 hour). */
  sessionIdleMs?: number;
  /** A session ends this long after sign-in (default 10 hours). */
  sessionMaxMs?: number;
  /**
   * Single sign-on: a reverse proxy that signs mediators in itself names them in this request header;
   * believed only on requests coming from one of `proxies` (exact addresses).
   */
  mediatorAuthHeader?: { header: string; proxies: string[] };
  /** Sign-ins and summaries opened are traced here (never a password, never a summary's content). */
  logger?: AuditLogger;
  /** Clock in epoch ms for sessions and limits (tests). */
  now?: () => number;
  /** Built assets (tests); defaults to `dist/web/public`. */
  assetsDir?: string;
  /** Today as `YYYY-MM-DD` (tests fix it); review dates older than a year are highlighted. */
  today?: () => string;
}

/**
 * Turns environment variables (and an optional `.env`) into a typed, validated configuration.
 * Only `src/main.ts` calls this: nothing else in Ariane reads `process.env`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { isIP } from 'node:net';

/** Bot Framework app types accepted by `ConfigurationBotFrameworkAuthentication`. */
export const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
export type AppType = (typeof APP_TYPES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything Ariane needs from its environment, with defaults applied. */
export interface Config {
  port: number;
  /** Host to listen on (`0.0.0.0` by default; tests use 127.0.0.1). */
  host: string;
  dataDir: string;
  databaseUrl?: string;
  /** How long a PostgreSQL connection may take to open (DATABASE_CONNECT_TIMEOUT_MS), in ms. */
  databaseConnectTimeoutMs: number;
  flowsDir: string;
  /** Bot Framework credentials for `/api/messages`; all absent = anonymous (a local Emulator, tests). */
  microsoft: { appId?: string; appPassword?: string; appType?: AppType; tenantId?: string };
  /**
   * `ARIANE_EMULATOR=1` (development only): without an app id, `/api/messages` accepts anonymous
   * requests from any address, not only from this machine.
   */
  emulator: boolean;
  directLine: {
    /** When set, creating conversations/tokens requires `Authorization: Bearer <secret>`. */
    secret?: string;
    /** Key that signs Direct Line tokens; absent = generated and persisted by `resolveTokenSecret`. */
    tokenSecret?: string;
    /** Token lifetime in seconds (Direct Line's own is 1800; the official client refreshes every 15 minutes). */
    tokenTtlSeconds: number;
  };
  /** Abuse limits (429 with Retry-After beyond them). */
  limits: {
    /** Activities one conversation may post per minute (Direct Line and `/api/messages`). */
    activitiesPerMinute: number;
    /**
     * Conversations (and tokens) one IP address may start per minute: on Direct Line, and on
     * `/api/messages` when no app id is configured (each counted on its own).
     */
    conversationsPerIpPerMinute: number;
    /**
     * Residents' turns one address may post per minute across all its conversations (Direct Line,
     * and anonymous `/api/messages`): a fresh conversation must not bring a fresh budget.
     */
    turnsPerIpPerMinute: number;
    /** WebSocket streams open at once on one conversation, on each instance. */
    streamsPerConversation: number;
    /** WebSocket streams open at once from one address, on each instance. */
    streamsPerIp: number;
  };
  /**
   * Our own reverse proxies (addresses and networks, `ARIANE_TRUSTED_PROXIES`): from them only,
   * `X-Forwarded-For` says who the client is; empty = the connection's address is the client's.
   */
  trustedProxies: string[];
  /** Origins allowed by CORS; empty = same-origin only. `*` allows any origin. */
  allowedOrigins: string[];
  adminToken?: string;
  /** Mediators' and admins' sign-in: sessions, the limit on guessing handoff codes, single sign-on. */
  access: {
    /** A session ends after this many minutes without a request. */
    sessionIdleMinutes: number;
    /** A session ends this many hours after sign-in. */
    sessionMaxHours: number;
    /** Failed handoff code look-ups the whole service allows per hour (all instances together). */
    codeFailuresPerHour: number;
    /** Sign-in attempts (admin and mediators) one address may make per minute, on each instance. */
    signInsPerIpPerMinute: number;
    /** Single sign-on: the header a trusted proxy names the mediator in, and that proxy's addresses. */
    mediatorAuthHeader?: { header: string; proxies: string[] };
  };
  retentionDays: number;
  /** Flow ids offered as buttons on welcome, most asked first. */
  featuredFlows: string[];
  /** The DILA's "Vos droits et démarches" archive: when set, the service syncs it daily. */
  sourcesUrl?: string;
  /** The national help-places dataset (CSV or JSON of the standard): when set, the service syncs it daily. */
  placesUrl?: string;
  logLevel: LogLevel;
  /** Settings that work but are probably mistakes: logged as warnings at start. */
  warnings: string[];
}

/** The official Direct Line client (inside Web Chat) refreshes its token every 15 minutes, whatever its lifetime. */
export const CLIENT_REFRESH_SECONDS = 900;

/** The procedures people ask about most (welcome buttons) unless ARIANE_FEATURED_FLOWS says otherwise. */
export const DEFAULT_FEATURED_FLOWS = ['caf-attestation', 'prefecture-rendez-vous', 'france-travail-inscription', 'ameli-attestation-droits'];

/** A configuration mistake; its message is the one line printed before exiting. */
export class ConfigError extends Error {
  constructor(
    public readonly variable: string,
    detail: string,
  ) {
    super(`Configuration error: ${variable} ${detail}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const v = str(env, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v)) throw new ConfigError(name, `must be a whole number (got "${v}").`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max} (got ${n}).`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], def?: T): T | undefined {
  const v = str(env, name);
  if (v === undefined) return def;
  const found = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!found) throw new ConfigError(name, `must be one of ${values.join(', ')} (got "${v}").`);
  return found;
}

function origins(env: Env, name: string): string[] {
  const v = str(env, name);
  if (v === undefined) return [];
  const list = v
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const o of list) {
    if (o === '*') continue;
    let u: URL;
    try {
      u = new URL(o);
    } catch {
      throw new ConfigError(name, `must be a comma-separated list of origins like https://example.fr (bad: "${o}").`);
    }
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.origin !== o) {
      throw new ConfigError(name, `must list origins only (scheme://host[:port], no path): bad "${o}".`);
    }
  }
  return list;
}

/** `1`/`true`/`yes` or `0`/`false`/`no` (absent = false). */
function flag(env: Env, name: string): boolean {
  const v = str(env, name);
  if (v === undefined) return false;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(name, `must be 1 or 0 (got "${v}").`);
}

function httpUrl(env: Env, name: string): string | undefined {
  const v = str(env, name);
  if (v === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(name, `must be a web address like https://lecomarquage.service-public.gouv.fr/vdd/3.5/part/zip/vosdroits-latest.zip (got "${v}").`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new ConfigError(name, `must start with https:// (got "${v}").`);
  return v;
}

function ssoHeader(env: Env): { header: string; proxies: string[] } | undefined {
  const header = str(env, 'ARIANE_MEDIATOR_AUTH_HEADER');
  const proxies = str(env, 'ARIANE_MEDIATOR_AUTH_PROXIES');
  if (header === undefined) {
    if (proxies !== undefined) throw new ConfigError('ARIANE_MEDIATOR_AUTH_PROXIES', 'is only used with ARIANE_MEDIATOR_AUTH_HEADER (set both, or neither).');
    return undefined;
  }
  if (!/^[A-Za-z0-9-]{1,64}$/.test(header)) throw new ConfigError('ARIANE_MEDIATOR_AUTH_HEADER', `must be a header name like X-Remote-User (got "${header}").`);
  if (/^(host|cookie|authorization|x-forwarded-for|x-forwarded-proto)$/i.test(header)) throw new ConfigError('ARIANE_MEDIATOR_AUTH_HEADER', `cannot be ${header}: use a header only your proxy sets, like X-Remote-User.`);
  if (proxies === undefined) throw new ConfigError('ARIANE_MEDIATOR_AUTH_PROXIES', 'must list the addresses of the proxy that sets ARIANE_MEDIATOR_AUTH_HEADER (e.g. 127.0.0.1): the header is believed from them only.');
  const list = proxies.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = list.find((p) => isIP(p) === 0);
  if (bad !== undefined || list.length === 0) throw new ConfigError('ARIANE_MEDIATOR_AUTH_PROXIES', `must be a comma-separated list of IP addresses (bad: "${bad ?? proxies}").`);
  return { header, proxies: list };
}

/** A comma-separated list of IP addresses and networks (`10.0.0.0/8`, `fd00::/8`). */
function networks(env: Env, name: string): string[] {
  const v = str(env, name);
  if (v === undefined) return [];
  const list = v.split(',').map((p) => p.trim()).filter(Boolean);
  const bad = list.find((p) => !isNetwork(p));
  if (bad !== undefined || list.length === 0) {
    throw new ConfigError(name, `must be a comma-separated list of IP addresses or networks, like 10.0.0.5, 10.0.0.0/8 or fd00::/8 (bad: "${bad ?? v}").`);
  }
  return list;
}

function isNetwork(text: string): boolean {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text);
  if (!m) return false;
  const family = isIP(m[1]!);
  if (family === 0) return false;
  return m[2] === undefined || Number(m[2]) <= (family === 6 ? 128 : 32);
}

function featured(env: Env, name: string): string[] {
  const v = str(env, name);
  if (v === undefined) return [...DEFAULT_FEATURED_FLOWS];
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ids.find((id) => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id));
  if (bad !== undefined) throw new ConfigError(name, `must be a comma-separated list of flow ids (bad: "${bad}").`);
  return ids;
}

/**
 * Reads the configuration from `env` (default `process.env`), after loading `<cwd>/.env` when present
 * (real environment variables win over `.env`). Throws `ConfigError` naming the first bad variable.
 */
export function loadConfig(env: Env = process.env, options: { cwd?: string; dotenv?: boolean } = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  if (options.dotenv !== false) {
    const file = path.join(cwd, '.env');
    if (fs.existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const dotenv = require('dotenv') as typeof import('dotenv');
      const parsed = dotenv.parse(fs.readFileSync(file));
      env = { ...parsed, ...env };
    }
  }

  const databaseUrl = str(env, 'DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must be a PostgreSQL URL like postgres://user:password@host:5432/ariane.');
  }
  const appId = str(env, 'MicrosoftAppId');
  const appPassword = str(env, 'MicrosoftAppPassword');
  const appType = oneOf(env, 'MicrosoftAppType', APP_TYPES);
  const tenantId = str(env, 'MicrosoftAppTenantId');
  if (appPassword && !appId) throw new ConfigError('MicrosoftAppId', 'must be set when MicrosoftAppPassword is set.');
  if (appType === 'SingleTenant' && !tenantId) throw new ConfigError('MicrosoftAppTenantId', 'must be set when MicrosoftAppType is SingleTenant.');

  const tokenSecret = str(env, 'ARIANE_TOKEN_SECRET');
  if (tokenSecret !== undefined && tokenSecret.length < 32) {
    throw new ConfigError('ARIANE_TOKEN_SECRET', 'must be at least 32 characters (use e.g. `openssl rand -hex 32`).');
  }
  const dlSecret = str(env, 'ARIANE_DIRECTLINE_SECRET');
  if (dlSecret !== undefined && dlSecret.length < 16) {
    throw new ConfigError('ARIANE_DIRECTLINE_SECRET', 'must be at least 16 characters.');
  }
  const adminToken = str(env, 'ARIANE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ARIANE_ADMIN_TOKEN', 'must be at least 16 characters.');
  }

  const tokenTtlSeconds = int(env, 'ARIANE_TOKEN_TTL', 1800, 1, 86400);
  const warnings: string[] = [];
  if (tokenTtlSeconds < CLIENT_REFRESH_SECONDS) {
    warnings.push(
      `ARIANE_TOKEN_TTL is ${tokenTtlSeconds} s: Web Chat and botframework-directlinejs refresh their token every ${CLIENT_REFRESH_SECONDS} s, so their conversations stop when it expires first (our widget refreshes at half-life and is not affected). Use ${CLIENT_REFRESH_SECONDS} or more outside tests.`,
    );
  }
  const emulator = flag(env, 'ARIANE_EMULATOR');
  if (emulator && appId) warnings.push('ARIANE_EMULATOR is ignored: MicrosoftAppId is set, so every /api/messages request needs a Bot Framework token.');
  if (emulator && !appId) warnings.push('ARIANE_EMULATOR=1: /api/messages accepts anonymous requests from any address (development only, never on a public server).');

  return {
    port: int(env, 'PORT', 3978, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    dataDir: path.resolve(cwd, str(env, 'ARIANE_DATA_DIR') ?? './var'),
    databaseUrl,
    databaseConnectTimeoutMs: int(env, 'DATABASE_CONNECT_TIMEOUT_MS', 5000, 100, 600_000),
    flowsDir: path.resolve(cwd, str(env, 'ARIANE_FLOWS_DIR') ?? './flows'),
    microsoft: { appId, appPassword, appType, tenantId },
    emulator,
    directLine: {
      secret: dlSecret,
      tokenSecret,
      tokenTtlSeconds,
    },
    allowedOrigins: origins(env, 'ARIANE_ALLOWED_ORIGINS'),
    limits: {
      activitiesPerMinute: int(env, 'ARIANE_MAX_ACTIVITIES_PER_MINUTE', 60, 1, 1_000_000),
      conversationsPerIpPerMinute: int(env, 'ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE', 30, 1, 1_000_000),
      turnsPerIpPerMinute: int(env, 'ARIANE_MAX_TURNS_PER_IP_PER_MINUTE', 120, 1, 1_000_000),
      streamsPerConversation: int(env, 'ARIANE_MAX_STREAMS_PER_CONVERSATION', 5, 1, 1000),
      streamsPerIp: int(env, 'ARIANE_MAX_STREAMS_PER_IP', 100, 1, 1_000_000),
    },
    trustedProxies: networks(env, 'ARIANE_TRUSTED_PROXIES'),
    adminToken,
    access: {
      sessionIdleMinutes: int(env, 'ARIANE_SESSION_IDLE_MINUTES', 60, 1, 1440),
      sessionMaxHours: int(env, 'ARIANE_SESSION_MAX_HOURS', 10, 1, 168),
      codeFailuresPerHour: int(env, 'ARIANE_MAX_CODE_FAILURES_PER_HOUR', 200, 1, 100_000),
      signInsPerIpPerMinute: int(env, 'ARIANE_MAX_SIGNINS_PER_IP_PER_MINUTE', 10, 1, 10_000),
      mediatorAuthHeader: ssoHeader(env),
    },
    retentionDays: int(env, 'ARIANE_RETENTION_DAYS', 30, 1, 3650),
    featuredFlows: featured(env, 'ARIANE_FEATURED_FLOWS'),
    sourcesUrl: httpUrl(env, 'ARIANE_SOURCES_URL'),
    placesUrl: httpUrl(env, 'ARIANE_PLACES_URL'),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info') as LogLevel,
    warnings,
  };
}

/**
 * The token-signing key: the configured one, else one generated once and kept in
 * `<dataDir>/token-secret` (mode 0600) so that tokens given out survive a restart. A file that does
 * not hold a whole key (truncated by a crash or a copy) throws a ConfigError naming it: a key
 * silently replaced or shortened would turn away every resident's token.
 */
export function resolveTokenSecret(config: Config): string {
  if (config.directLine.tokenSecret) return config.directLine.tokenSecret;
  const file = path.join(config.dataDir, 'token-secret');
  const existing = readTokenSecret(file);
  if (existing !== undefined) return existing;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = crypto.randomBytes(32).toString('hex');
  // Written whole under a temporary name and fsynced, then linked into place: the file appears with
  // its whole content or not at all (a power cut cannot leave it empty), and if another process
  // created it meanwhile, linking fails and their key is kept.
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = fs.openSync(temporary, 'wx', 0o600);
    try {
      fs.writeSync(fd, secret + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(temporary, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readTokenSecret(file)!;
      // A file system without hard links: an exclusive copy, still never over another's key.
      fs.copyFileSync(temporary, file, fs.constants.COPYFILE_EXCL);
    }
  } finally {
    fs.rmSync(temporary, { force: true });
  }
  return secret;
}

/** The key kept in `file`, undefined when there is none; throws ConfigError when it is not whole. */
function readTokenSecret(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(file, `cannot be read (${(err as Error).message}): check the permissions of ARIANE_DATA_DIR.`);
  }
  const key = text.trim();
  if (/^[0-9a-f]{64}$/.test(key)) return key;
  throw new ConfigError(
    file,
    `does not hold a whole token key (64 hexadecimal digits, found ${key.length ? `${key.length} characters` : 'nothing'}): restore it from a backup, ` +
      'or delete it to make a new key (tokens already given out then stop working and those conversations start again).',
  );
}

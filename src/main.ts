#!/usr/bin/env node
/**
 * Ariane's service entry point: the only place that reads the configuration (environment) and builds
 * the objects: flows → catalog, store, bot, Direct Line channel, HTTP server. `npm start` runs it;
 * tests start it as a child process (`node dist/main.js`) or in-process with `startService`.
 */
import pino, { type Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ArianeBot, DirectLineChannel, TokenService, createApiMessagesEndpoint } from './bot';
import { ConfigError, loadConfig, resolveTokenSecret, type Config } from './config';
import { buildCatalog, converse, warmCatalog, type Catalog } from './engine';
import { learnInBackground } from './learning';
import { FlowCache, FlowWatcher, formatDiagnostic, loadFlowDirectory } from './flow';
import { buildHandoffSummary, handoffWrite, newHandoffCode } from './handoff';
import { isPlaceName } from './geo';
import { HelpPlaces } from './places';
import { loadLexicons, translate } from './i18n';
import { Metrics, createServer } from './server';
import { OfficialSources, officialPages, officialWords } from './sources';
import { NodeStats, recordTurn } from './stats';
import { registerWebRoutes } from './web';
import { ClientAddresses } from './http';
import { memoryLimiters, sharedLimiters } from './limits';
import { ConflictError, IF_ABSENT, createStore, observeStore, type Store } from './store';

/** A running service. */
export interface RunningService {
  /** `http://host:port` it listens on. */
  url: string;
  store: Store;
  logger: Logger;
  /** Stops accepting requests, waits for those in flight, closes the store. */
  close(): Promise<void>;
}

/** Thrown when flows have errors: the service refuses to start and prints each diagnostic. */
export class FlowLoadError extends Error {
  constructor(public readonly lines: string[]) {
    super(`The flows have errors:\n${lines.join('\n')}`);
    this.name = 'FlowLoadError';
  }
}

const TOKEN_SECRET_KEY = 'config/directline-token-secret';

/**
 * The token-signing key. Several instances on one PostgreSQL must share it, so with DATABASE_URL and
 * no ARIANE_TOKEN_SECRET the key is created once in the store (create-only write: the first instance
 * wins, the others read it); otherwise it is kept in the data directory.
 */
async function tokenSecret(config: Config, store: Store): Promise<string> {
  if (config.directLine.tokenSecret || !config.databaseUrl) return resolveTokenSecret(config);
  const read = async () => (await store.kv.get<{ secret: string }>([TOKEN_SECRET_KEY]))[TOKEN_SECRET_KEY]?.value.secret;
  const existing = await read();
  if (existing) return existing;
  const { randomBytes } = await import('node:crypto');
  const secret = randomBytes(32).toString('hex');
  try {
    await store.kv.set([{ key: TOKEN_SECRET_KEY, value: { secret }, etag: IF_ABSENT }]);
    return secret;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    const winner = await read();
    if (!winner) throw err;
    return winner;
  }
}

/** Builds everything from `config` and starts listening. */
export async function startService(
  config: Config,
  options: {
    logger?: Logger;
    watchFlows?: boolean;
    /**
     * How often a WebSocket stream reads the store unwoken (the channel's default: 15 s when the
     * store wakes streams on append). Tests set it far out, to prove the wake-up alone delivers.
     */
    streamPollMs?: number;
  } = {},
): Promise<RunningService> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'ariane' } });
  for (const warning of config.warnings) logger.warn({ config: warning }, 'configuration warning');

  const store = await createStore({
    databaseUrl: config.databaseUrl,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    dataDir: config.dataDir,
    // A damaged row is skipped, not made to fail its conversation; it must still be seen.
    onUnreadable: (row) => logger.error({ row }, 'a stored row cannot be read (damaged?): skipped'),
    onFeedLost: (err) => logger.warn({ err }, 'PostgreSQL: the connection hearing other instances\' messages was lost, reconnecting (streams poll meanwhile)'),
  });
  try {
    // Official pages: the last good sync in the store, else the embedded snapshot; daily sync when configured.
    const sources = await OfficialSources.open(store.kv);
    // The flows' citations are checked against it, as warnings: a page removed from service-public
    // must not stop the service; admins see it on /admin and with `ariane check`.
    // Unchanged flow files are not parsed again at the next start or reload (see FlowCache).
    const flowCache = new FlowCache(path.join(config.dataDir, 'flow-cache.json'), (err) => logger.warn({ err: err.message }, 'flow cache not written: flows will be parsed again at the next start'));
    const loadFlows = (dir: string) => loadFlowDirectory(dir, { fiches: { ...sources.catalogue.lookup(), complete: false }, cache: flowCache });
    const flowSet = loadFlows(config.flowsDir);
    if (!flowSet.ok) throw new FlowLoadError(flowSet.diagnostics.map(formatDiagnostic));
    for (const d of flowSet.diagnostics) logger.warn({ diagnostic: formatDiagnostic(d) }, 'flow warning');
    const lexicons = loadLexicons();
    // The request index is built right after listen (see `warm`), not on the path to ready. The
    // classifier learnt from the example requests (flows/*.examples.yaml) learns in a worker thread,
    // from listen on (started sooner, it slows the start: two cores); turns wait for it (see `bot`),
    // nothing else does.
    let markListening!: () => void;
    const listening = new Promise<void>((resolve) => (markListening = resolve));
    const learning = new WeakMap<Catalog, Promise<void>>();
    const learn = (c: Catalog, after: Promise<void>) => {
      learning.set(
        c,
        after.then(() => {
          const started = Date.now();
          return learnInBackground(c, { onWorkerError: (err) => logger.warn({ err: err.message }, 'classifier worker failed: learning in the main thread') }).then(() =>
            logger.info({ ms: Date.now() - started, examples: c.examples?.length ?? 0 }, 'classifier learnt'),
          );
        }),
      );
      return c;
    };
    let catalog: Catalog = learn(buildCatalog(flowSet.flows, lexicons, config.featuredFlows, { deferIndex: true, examples: flowSet.examples }), listening);
    // Flows edited on disk are reloaded; a broken edit is refused and the last good set kept.
    const watcher = new FlowWatcher(
      {
        dir: config.flowsDir,
        load: (dir) => loadFlows(dir),
        onReload: (set) => {
          // The index a moment later (a turn meanwhile builds it itself); the classifier in its worker (turns wait for it).
          const reloaded = learn(buildCatalog(set.flows, lexicons, config.featuredFlows, { deferIndex: true, examples: set.examples }), Promise.resolve());
          catalog = reloaded;
          setTimeout(() => warmCatalog(reloaded, 'index'), 0).unref();
          logger.info({ flows: catalog.flows.size }, 'flows reloaded');
        },
        onRejected: (set) => logger.warn({ diagnostics: set.diagnostics.map(formatDiagnostic) }, 'flow edit refused: previous flows kept'),
      },
      flowSet,
    );
    const languages = Object.keys(lexicons);

    const retentionMs = config.retentionDays * 86_400_000;
    const metrics = new Metrics({ defaultMetrics: true });
    // Every store call timed for the `ariane_store_operation_seconds` histogram.
    const io = observeStore(store, (op, ms, outcome) => metrics.storeOperation(op, ms, outcome));
    const stats = new NodeStats(io.kv);
    const tokens = new TokenService(await tokenSecret(config, store), config.directLine.tokenTtlSeconds);
    // Who the client is: the connection, or what our own proxies say (X-Forwarded-For from them only).
    const clients = new ClientAddresses(config.trustedProxies);
    // Limits count in PostgreSQL when it is the store, so that N instances allow the limit once, not
    // N times; if it cannot be reached, each instance counts alone meanwhile (a limit never makes a 500).
    const limitWindows = io.limits;
    const limiters = limitWindows
      ? sharedLimiters(limitWindows, {
          keySecret: tokens.deriveKey('limit keys'),
          onError: (err, name) => logger.warn({ err, limit: name }, 'shared limit counts unreachable: this instance counts alone meanwhile'),
        })
      : memoryLimiters;
    // The official pages the engine weighs against its procedures (whatever catalogue is in use).
    const searchOfficial = officialPages(() => sources.catalogue);
    const knownWord = officialWords(() => sources.catalogue);
    // Help places, for the bot and the mediators' pages alike; reloaded from the store as imports land.
    const helpPlaces = new HelpPlaces(io.kv);
    const stopSourcesSync = config.sourcesUrl
      ? sources.scheduleDailySync(config.sourcesUrl, ({ result, error }) =>
          error ? logger.warn({ err: error.message }, 'sources sync refused: previous catalogue kept') : logger.info({ status: result?.status, fiches: sources.catalogue.size }, 'sources sync'),
        )
      : undefined;
    // The national help-places dataset, daily when configured; a refused file keeps the directory in use.
    const stopPlacesSync = config.placesUrl
      ? helpPlaces.scheduleDailySync(config.placesUrl, ({ result, error }) =>
          error ? logger.warn({ err: error.message }, 'places sync refused: previous directory kept') : logger.info({ status: result?.status, ...(result?.status === 'updated' ? { places: result.meta.count, skipped: result.report.skipped } : {}) }, 'places sync'),
        )
      : undefined;
    const bot = new ArianeBot({
      engine: { converse },
      catalog: async () => {
        const current = catalog;
        await learning.get(current);
        return current;
      },
      kv: io.kv,
      stateTtlMs: retentionMs,
      engineEnv: async () => ({ findHelp: await helpPlaces.finder(new Date()), searchOfficial, knownWord, isPlace: isPlaceName }),
      observer: {
        turn: (channel, seconds, outputs) => {
          metrics.turn(channel, seconds);
          for (const o of outputs) if (o.kind === 'handoff') metrics.escalation(o.reason);
        },
        error: (kind) => metrics.error(kind),
      },
      translate,
      logger,
      languages,
      afterTurn: (before, result) => recordTurn(stats, before, result),
      summarize: ({ state, output, catalog: current }) => {
        const summary = buildHandoffSummary(
          {
            flow: output.flowId ? current.flows.get(output.flowId) : undefined,
            state,
            reason: output.reason,
            now: new Date(),
            ttlDays: config.retentionDays,
            detail: output.detail && 'text' in output.detail ? output.detail.text : undefined,
          },
          newHandoffCode(),
        );
        return { code: summary.code, summary, write: handoffWrite(summary) };
      },
    });
    const channel = new DirectLineChannel({
      log: io.log,
      bot,
      tokens,
      logger,
      secret: config.directLine.secret,
      activitiesPerMinute: config.limits.activitiesPerMinute,
      turnsPerIpPerMinute: config.limits.turnsPerIpPerMinute,
      limiters,
      appends: store.appends,
      ...(options.streamPollMs !== undefined ? { streamPollMs: options.streamPollMs } : {}),
      commitTurn: (turn) => io.commitTurn(turn),
    });
    const apiMessages = createApiMessagesEndpoint({
      bot,
      logger,
      appId: config.microsoft.appId,
      appPassword: config.microsoft.appPassword,
      appType: config.microsoft.appType,
      tenantId: config.microsoft.tenantId,
      emulator: config.emulator,
      activitiesPerMinute: config.limits.activitiesPerMinute,
      conversationsPerIpPerMinute: config.limits.conversationsPerIpPerMinute,
      turnsPerIpPerMinute: config.limits.turnsPerIpPerMinute,
      clients,
      limiters,
    });
    const server = createServer({
      directLine: channel,
      apiMessages,
      logger,
      allowedOrigins: config.allowedOrigins,
      conversationsPerIpPerMinute: config.limits.conversationsPerIpPerMinute,
      streamsPerConversation: config.limits.streamsPerConversation,
      streamsPerIp: config.limits.streamsPerIp,
      clients,
      limiters,
      metrics,
      extend: (s) =>
        registerWebRoutes(s, {
          catalog: () => catalog,
          store,
          adminToken: config.adminToken,
          flowsDir: config.flowsDir,
          watcher,
          stats,
          places: () => helpPlaces.directory(),
          retentionDays: config.retentionDays,
          officialSources: () => sources.catalogue.describe(),
          sessionIdleMs: config.access.sessionIdleMinutes * 60_000,
          sessionMaxMs: config.access.sessionMaxHours * 3_600_000,
          codeFailuresPerHour: config.access.codeFailuresPerHour,
          loginsPerMinute: config.access.signInsPerIpPerMinute,
          clients,
          limiters,
          ...(config.access.mediatorAuthHeader ? { mediatorAuthHeader: config.access.mediatorAuthHeader } : {}),
          logger,
        }),
      ready: async () => {
        const checks: Record<string, string> = { flows: catalog.flows.size > 0 ? `${catalog.flows.size} loaded` : 'none loaded' };
        let ok = catalog.flows.size > 0;
        try {
          await store.ping();
          checks.store = `${store.kind} ok`;
        } catch (err) {
          ok = false;
          checks.store = `${store.kind} unreachable: ${err instanceof Error ? err.message : String(err)}`;
        }
        return { ok, checks };
      },
    });

    // Retention: expired state and old conversations are purged by the service itself, hourly.
    const purge = async () => {
      const now = Date.now();
      try {
        const n = await store.purge(now, now - retentionMs);
        if (n > 0) logger.info({ purged: n }, 'retention purge');
      } catch (err) {
        logger.error({ err }, 'retention purge failed');
      }
    };
    const purgeTimer = setInterval(() => void purge(), 3_600_000);
    purgeTimer.unref();
    void purge();

    if (options.watchFlows !== false) watcher.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const url = `http://${host}:${address.port}`;
    logger.info({ url, store: store.kind, flows: catalog.flows.size }, 'Ariane is listening');
    // The first resident's request should not wait for the flows' request index, the help places'
    // directory (every turn reads it) nor the official pages' search index: all built now, off the
    // path to ready, one after the other and in steps, so that requests arriving meanwhile are
    // answered between the steps.
    const warm = setTimeout(() => {
      void (async () => {
        markListening();
        warmCatalog(catalog, 'index');
        // The directory's load yields to waiting requests before each of its steps.
        await helpPlaces.directory().catch((err: unknown) => logger.warn({ err }, 'help places not loaded yet'));
        await sources.catalogue.warmInSteps().catch((err: unknown) => logger.warn({ err }, 'official pages index not built'));
      })();
    }, 0);
    warm.unref();

    let closing: Promise<void> | undefined;
    return {
      url,
      store,
      logger,
      close: () =>
        (closing ??= (async () => {
          clearInterval(purgeTimer);
          stopSourcesSync?.();
          stopPlacesSync?.();
          watcher.stop();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await store.close();
        })()),
    };
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}

/** `node dist/main.js`: start, and stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let service: RunningService;
  try {
    service = await startService(config);
  } catch (err) {
    console.error(err instanceof FlowLoadError ? err.message : `Ariane could not start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    service.logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        service.logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) void main();

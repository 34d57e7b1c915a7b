/**
 * The HTTP server (restify 11): routes, CORS, limits and error shapes. It knows nothing of Bot
 * Framework: the Direct Line logic and `/api/messages` are handed in as plain functions (src/bot).
 */
import * as restify from 'restify';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { Logger } from 'pino';
import { ClientAddresses, errorBody, isHttps } from '../http';
import { memoryLimiters, type Limiters } from '../limits';
import type { Metrics } from './Metrics';
import { readJsonBody } from './readJsonBody';

/** What a Direct Line route answers (the shape of src/bot's `ChannelResponse`). */
export interface RouteResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The Direct Line 3.0 operations, each given the `Authorization` header. */
export interface DirectLineRoutes {
  generateToken(authorization: string | undefined, body: unknown): Promise<RouteResponse>;
  startConversation(authorization: string | undefined, body: unknown): Promise<RouteResponse>;
  reconnect(authorization: string | undefined, conversationId: string, watermark: unknown): Promise<RouteResponse>;
  /** `client`: the caller's address key (`ClientAddresses.key`), for the per-address turn budget. */
  postActivity(authorization: string | undefined, conversationId: string, body: unknown, client: string): Promise<RouteResponse>;
  getActivities(authorization: string | undefined, conversationId: string, watermark: unknown): Promise<RouteResponse>;
  refreshToken(authorization: string | undefined): Promise<RouteResponse>;
  /** `POST …/conversations/{id}/upload` (optional; absent = 404): the body is not read. */
  upload?(authorization: string | undefined, conversationId: string): Promise<RouteResponse>;
  /** WebSocket streaming (optional): checks the `t` token of a stream request; a response = refused. */
  authorizeStream?(token: string | undefined, conversationId: string): Promise<RouteResponse | undefined>;
  /** Pushes activity sets (JSON texts) after `watermark` until the returned function is called. */
  openStream?(conversationId: string, watermark: number | undefined, send: (json: string) => void): () => void;
}

/** Readiness: flows loaded and store answering. */
export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, string>;
}

export interface ServerDeps {
  directLine: DirectLineRoutes;
  /** `POST /api/messages`; receives the parsed body in `req.body`. */
  apiMessages: (req: restify.Request, res: restify.Response) => Promise<void>;
  ready: () => Promise<ReadinessReport>;
  logger: Logger;
  /** Origins allowed by CORS (`*` = any). */
  allowedOrigins: readonly string[];
  /** Largest request body in bytes (default 64 KB). */
  maxBodyBytes?: number;
  /** Conversations (and tokens) one IP may start per minute (default 30). */
  conversationsPerIpPerMinute?: number;
  /** WebSocket streams open at once on one conversation, in this process (default 5; then 429). */
  streamsPerConversation?: number;
  /** WebSocket streams open at once from one address, in this process (default 100; then 429). */
  streamsPerIp?: number;
  /** How often open streams are pinged; one that missed the previous ping is closed (default 30 s). */
  streamHeartbeatMs?: number;
  /** Who the client is, behind our own proxies (default: the connection's address). */
  clients?: ClientAddresses;
  /** Where the limits count (default: this process's memory). */
  limiters?: Limiters;
  /** Prometheus metrics, served at `GET /metrics`. */
  metrics?: Metrics;
  /** More routes (web widget, admin…), added after ours. */
  extend?: (server: restify.Server) => void;
  now?: () => number;
}

/**
 * What our pages may use of the device: the microphone (the widget's voice input) and the position
 * (the help places near me, after the browser's own consent), on our own origin; never the camera
 * (files and photos are refused), payments or USB.
 */
export const PERMISSIONS_POLICY = 'camera=(), microphone=(self), geolocation=(self), payment=(), usb=()';

const ALLOWED_HEADERS = 'Authorization, Content-Type, x-ms-bot-agent, X-Requested-With, x-ms-conversation-id';

function sendJson(res: restify.Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.header(k, v);
  res.header('Cache-Control', 'no-store');
  res.status(status);
  if (status === 204) {
    res.end();
    return;
  }
  res.header('Content-Type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

function sendError(res: restify.Response, status: number, code: string, message: string, headers?: Record<string, string>): void {
  sendJson(res, status, errorBody(code, message), headers);
}

const STREAM_PATH = /^\/v3\/directline\/conversations\/([A-Za-z0-9_-]{1,64})\/stream$/;

/** What a client refused a stream for too many open ones is told to wait (it polls meanwhile). */
const STREAM_RETRY_AFTER_SECONDS = 30;

/** What the stream upgrade needs beyond the Direct Line routes. */
interface StreamLimits {
  clients: ClientAddresses;
  perConversation: number;
  perIp: number;
  heartbeatMs: number;
}

/** Open streams by key, counted as they open and as their connection closes. */
class OpenCounts {
  private readonly counts = new Map<string, number>();
  atLeast(key: string, n: number): boolean {
    return (this.counts.get(key) ?? 0) >= n;
  }
  add(key: string): () => void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.counts.get(key) ?? 1) - 1;
      if (n > 0) this.counts.set(key, n);
      else this.counts.delete(key);
    };
  }
}

/**
 * Direct Line WebSocket streams: upgrade requests on `…/conversations/{id}/stream?t=<token>`.
 *
 * Each open stream holds a socket and reads the store when woken, so their number is capped per
 * address (checked first: it costs nothing) and per conversation (once the token is checked), in
 * this process: beyond either, 429 before upgrading (our widget then polls and tries again later). A stream counts
 * from the upgrade request until its connection closes; a connection that stops answering pings
 * is closed, so a vanished phone does not keep its place.
 */
function attachStreams(server: restify.Server, dl: Required<DirectLineRoutes>, logger: Logger, limits: StreamLimits): void {
  const wss = new WebSocket.Server({ noServer: true, maxPayload: 4096 });
  const byConversation = new OpenCounts();
  const byAddress = new OpenCounts();
  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  const tooMany = (socket: Duplex, message: string) => {
    const body = JSON.stringify(errorBody('TooManyRequests', message));
    socket.end(
      `HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${STREAM_RETRY_AFTER_SECONDS}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  const alive = new WeakSet<WebSocket>();
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const m = STREAM_PATH.exec(url.pathname);
      if (!m) return refuse(socket, 404, 'Not Found');
      const conversationId = m[1]!;
      const wmText = url.searchParams.get('watermark');
      if (wmText !== null && wmText !== '' && !/^\d{1,15}$/.test(wmText)) return refuse(socket, 400, 'Bad Request');
      const address = limits.clients.key(req);
      if (byAddress.atLeast(address, limits.perIp)) return tooMany(socket, 'Too many open streams from this address: poll the activities instead, or close a stream.');
      // Held from now until the connection closes, whatever happens in between.
      const releaseAddress = byAddress.add(address);
      socket.once('close', releaseAddress);
      const denied = await dl.authorizeStream(url.searchParams.get('t') ?? undefined, conversationId);
      if (denied) return refuse(socket, denied.status, denied.status === 404 ? 'Not Found' : 'Forbidden');
      if (socket.destroyed) return;
      if (byConversation.atLeast(conversationId, limits.perConversation)) return tooMany(socket, 'Too many open streams on this conversation: poll the activities instead, or close a stream.');
      socket.once('close', byConversation.add(conversationId));
      wss.handleUpgrade(req, socket as Socket, head, (ws) => {
        alive.add(ws);
        ws.on('pong', () => alive.add(ws));
        const stop = dl.openStream(conversationId, wmText ? Number(wmText) : undefined, (json) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(json);
        });
        ws.on('close', stop);
        ws.on('error', stop);
        // Clients send empty keep-alive messages; nothing else is expected from them.
        ws.on('message', () => undefined);
      });
    })().catch((err: unknown) => {
      logger.error({ err }, 'stream upgrade failed');
      socket.destroy();
    });
  });
  // Open streams would keep `close()` waiting forever: end them first.
  const close = server.close.bind(server);
  server.close = ((callback?: () => void) => {
    clearInterval(heartbeat);
    for (const client of wss.clients) client.terminate();
    return close(callback);
  }) as typeof server.close;
}

/** How long an idle kept-alive connection stays open (the usual value behind load balancers). */
const KEEP_ALIVE_MS = 65_000;

/** Creates the server (not listening yet). */
export function createServer(deps: ServerDeps): restify.Server {
  const maxBody = deps.maxBodyBytes ?? 64 * 1024;
  const now = deps.now ?? Date.now;
  const clients = deps.clients ?? new ClientAddresses();
  const starts = (deps.limiters ?? memoryLimiters)('starts-per-ip', deps.conversationsPerIpPerMinute ?? 30, 60_000);
  const origins = new Set(deps.allowedOrigins);
  const server = restify.createServer({ name: 'ariane', handleUncaughtExceptions: false });
  // Node closes a kept-alive connection after 5 s idle. The process sometimes holds its event loop
  // for a while (indexes built after start and after a flow edit, a busy machine); when the
  // loop frees, the overdue close runs before the request that arrived meanwhile is read, and the
  // client gets a reset. Clients close their own idle connections sooner (browsers, undici: 4 s).
  server.server.keepAliveTimeout = KEEP_ALIVE_MS;
  // Must exceed keepAliveTimeout, or a slow request on a reused connection is cut short.
  server.server.headersTimeout = KEEP_ALIVE_MS + 1_000;

  // CORS and security headers, before routing so that preflights of every route are answered.
  server.pre((req, res, next) => {
    res.header('X-Content-Type-Options', 'nosniff');
    res.header('Referrer-Policy', 'no-referrer');
    res.header('Permissions-Policy', PERMISSIONS_POLICY);
    // Over HTTPS only (browsers ignore it over HTTP, and a plain-HTTP test setup must stay usable).
    if (isHttps(req)) res.header('Strict-Transport-Security', 'max-age=31536000');
    const origin = req.headers.origin;
    if (typeof origin === 'string' && (origins.has('*') || origins.has(origin))) {
      res.header('Access-Control-Allow-Origin', origin);
      res.header('Vary', 'Origin');
      res.header('Access-Control-Expose-Headers', 'Retry-After');
      if (req.method === 'OPTIONS') {
        res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.header('Access-Control-Max-Age', '600');
        res.status(204);
        res.end();
        return next(false);
      }
    } else if (req.method === 'OPTIONS') {
      res.status(204);
      res.end();
      return next(false);
    }
    return next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));

  /** Wraps a handler: body read and parsed, any unexpected error logged and answered 500 in JSON. */
  const route =
    (handler: (req: restify.Request, res: restify.Response, body: unknown) => Promise<void>, readBody = true) =>
    async (req: restify.Request, res: restify.Response): Promise<void> => {
      try {
        let body: unknown;
        if (readBody) {
          const read = await readJsonBody(req, maxBody);
          if (!read.ok) {
            res.header('Connection', 'close');
            return sendError(res, read.status, read.code, read.message);
          }
          body = read.value;
        }
        await handler(req, res, body);
      } catch (err) {
        deps.logger.error({ err, route: req.getRoute?.()?.path }, 'request failed');
        deps.metrics?.error('request');
        if (!res.headersSent) sendError(res, 500, 'InternalError', 'Something went wrong on our side. Please try again.');
      }
    };
  const reply = (res: restify.Response, r: RouteResponse) => sendJson(res, r.status, r.body, r.headers);
  const auth = (req: restify.Request) => {
    const h = req.headers.authorization;
    return typeof h === 'string' ? h : undefined;
  };
  const limitStart = async (req: restify.Request, res: restify.Response): Promise<boolean> => {
    const decision = await starts.hit(clients.key(req), now());
    if (decision.allowed) return true;
    sendError(res, 429, 'TooManyRequests', 'Too many new conversations from this address: please wait.', { 'Retry-After': String(decision.retryAfterSeconds) });
    return false;
  };
  const dl = deps.directLine;
  /**
   * Adds `streamUrl` to a started or reconnected conversation when streaming is available. The URL
   * carries the token (`t`) because browsers cannot set headers on a WebSocket; the scheme follows
   * the request's (`X-Forwarded-Proto` behind a TLS-terminating proxy).
   */
  const withStream = (req: restify.Request, r: RouteResponse, watermark?: unknown): RouteResponse => {
    const body = r.body as { conversationId?: unknown; token?: unknown } | undefined;
    if (!dl.openStream || r.status >= 300 || typeof body?.conversationId !== 'string' || typeof body.token !== 'string') return r;
    const host = req.headers.host;
    if (typeof host !== 'string' || !/^[A-Za-z0-9.[\]:-]+$/.test(host)) return r;
    const secure = isHttps(req);
    const wm = typeof watermark === 'string' && /^\d{1,15}$/.test(watermark) ? `&watermark=${watermark}` : '';
    const streamUrl = `${secure ? 'wss' : 'ws'}://${host}/v3/directline/conversations/${encodeURIComponent(body.conversationId)}/stream?t=${encodeURIComponent(body.token)}${wm}`;
    return { ...r, body: { ...body, streamUrl } };
  };
  const param = (req: restify.Request, name: string) => String((req.params as Record<string, unknown>)[name] ?? '');
  const query = (req: restify.Request, name: string): unknown => (req.query as Record<string, unknown> | undefined)?.[name];

  server.post(
    '/v3/directline/tokens/generate',
    route(async (req, res, body) => {
      if (await limitStart(req, res)) reply(res, await dl.generateToken(auth(req), body));
    }),
  );
  server.post(
    '/v3/directline/tokens/refresh',
    route(async (req, res) => reply(res, await dl.refreshToken(auth(req)))),
  );
  server.post(
    '/v3/directline/conversations',
    route(async (req, res, body) => {
      if (await limitStart(req, res)) reply(res, withStream(req, await dl.startConversation(auth(req), body)));
    }),
  );
  server.get(
    '/v3/directline/conversations/:id',
    route(async (req, res) => reply(res, withStream(req, await dl.reconnect(auth(req), param(req, 'id'), query(req, 'watermark')), query(req, 'watermark'))), false),
  );
  server.post(
    '/v3/directline/conversations/:id/activities',
    route(async (req, res, body) => reply(res, await dl.postActivity(auth(req), param(req, 'id'), body, clients.key(req)))),
  );
  if (dl.upload) {
    const upload = dl.upload.bind(dl);
    server.post(
      '/v3/directline/conversations/:id/upload',
      route(async (req, res) => {
        // The file is never read: the connection closes rather than carry its unread bytes.
        res.header('Connection', 'close');
        reply(res, await upload(auth(req), param(req, 'id')));
      }, false),
    );
  }
  server.get(
    '/v3/directline/conversations/:id/activities',
    route(async (req, res) => reply(res, await dl.getActivities(auth(req), param(req, 'id'), query(req, 'watermark'))), false),
  );
  server.post(
    '/api/messages',
    route(async (req, res, body) => {
      (req as { body?: unknown }).body = body;
      await deps.apiMessages(req, res);
    }),
  );
  server.get(
    '/healthz',
    route(async (_req, res) => sendJson(res, 200, { status: 'alive' }), false),
  );
  server.get(
    '/readyz',
    route(async (_req, res) => {
      let report: ReadinessReport;
      try {
        report = await deps.ready();
      } catch (err) {
        report = { ok: false, checks: { error: err instanceof Error ? err.message : String(err) } };
      }
      sendJson(res, report.ok ? 200 : 503, { status: report.ok ? 'ready' : 'not ready', checks: report.checks });
    }, false),
  );
  if (deps.metrics) {
    const metrics = deps.metrics;
    server.get(
      '/metrics',
      route(async (_req, res) => {
        const { contentType, body } = await metrics.render();
        res.header('Content-Type', contentType);
        res.header('Cache-Control', 'no-store');
        res.status(200);
        res.end(body);
      }, false),
    );
    // Counted after each response, by route pattern (never the path itself: it holds ids).
    server.on('after', (req: restify.Request, res: restify.Response) => {
      const r = req.getRoute?.();
      metrics.response(r?.path ? String(r.path) : 'unmatched', res.statusCode);
    });
  }
  deps.extend?.(server);
  if (dl.openStream && dl.authorizeStream) {
    attachStreams(server, dl as Required<DirectLineRoutes>, deps.logger, { clients, perConversation: deps.streamsPerConversation ?? 5, perIp: deps.streamsPerIp ?? 100, heartbeatMs: deps.streamHeartbeatMs ?? 30_000 });
  }

  // Restify's own errors (404, 405…) in our JSON error shape.
  server.on('restifyError', (_req: restify.Request, _res: restify.Response, err: Error & { body?: { code?: string }; statusCode?: number }, callback: () => void) => {
    const code = err.body?.code ?? err.name;
    (err as unknown as { toJSON: () => unknown }).toJSON = () => errorBody(code, err.message);
    return callback();
  });
  return server;
}

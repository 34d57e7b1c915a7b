/**
 * `POST /api/messages`, the standard Bot Framework endpoint, through botbuilder's `CloudAdapter` so
 * the Emulator and Azure Bot Service channels work unchanged: tokens validated when an app id is
 * configured; without one, anonymous, but only for a local Emulator (a request from this machine)
 * or when `emulator` says so (development). `deliveryMode: "expectReplies"` returns the replies in
 * the body.
 *
 * Every answer is ours, in the JSON error shape, whatever botbuilder throws: a refused token 401,
 * the identity service unreachable 503, replies the caller's `serviceUrl` would not take 502 (the
 * channel sends the activity again; the bot recognises it and replays its turn, see
 * `StoredState.last`), anything else 500 with no internal text. Each is one JSON log line: the
 * console output botbuilder writes while it checks a token (stack traces, signing keys) goes to
 * the logger at debug level instead of stderr.
 *
 * The body is checked before `CloudAdapter` sees it: the adapter answers 500 to some malformed
 * activities (it throws on wrong types), and a malformed request must get a 4xx.
 *
 * Conversation states are kept apart from our Direct Line's: under `state/botframework/…` when
 * the Bot Framework channel service vouched for the turn (a checked token), `state/anonymous/…`
 * otherwise, whatever `channelId` the activity names (see `apiStateKey`).
 *
 * Abuse limits, as on Direct Line (429 with `Retry-After`, same JSON error shape): activities per
 * conversation per minute, and — only without an app id — new conversations and turns per client
 * address per minute (the address behind our trusted proxies, `ClientAddresses`). They are checked
 * before the adapter, so before authentication: a request with a bad token still counts against its
 * conversation's budget (conversation ids are the channel's, not guessable from outside), and a 429
 * costs no token validation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import { ClientAddresses, errorBody } from '../http';
import { memoryLimiters, type Limiters } from '../limits';
import { DeliveryError, STATE_KEY, type StateKey } from './turnCommit';

/** The request and response shapes restify (and Node's http) provide; no restify import here. */
export interface HttpRequestLike {
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  /** The connection; its `remoteAddress` tells a local Emulator, and keys the per-address limits (see `clients`). */
  socket?: { remoteAddress?: string };
}
export interface HttpResponseLike {
  socket: unknown;
  status(code: number): unknown;
  header(name: string, value: unknown): unknown;
  send(...args: unknown[]): unknown;
  end(...args: unknown[]): unknown;
}

export interface ApiMessagesOptions {
  bot: { run(context: TurnContext): Promise<void> };
  logger: Logger;
  appId?: string;
  appPassword?: string;
  appType?: string;
  tenantId?: string;
  maxTextLength?: number;
  /** Activities one conversation may send per minute (default 60; typing indicators are free). */
  activitiesPerMinute?: number;
  /**
   * New conversations one IP address may open per minute (default 30), applied only without an app
   * id. Anonymous callers reach the service directly, and a fresh conversation id per request would
   * otherwise escape the per-conversation limit. With an app id, every request comes from the Bot
   * Framework channel service, whose few addresses carry all its users: an IP limit would throttle
   * everyone at once, so there only the per-conversation limit applies.
   */
  conversationsPerIpPerMinute?: number;
  /**
   * Turns one address may send per minute across all its conversations (default 120; typing
   * indicators are free), applied only without an app id, for the same reason as above.
   */
  turnsPerIpPerMinute?: number;
  /** Who the client is, behind our own proxies (default: the connection's address). */
  clients?: ClientAddresses;
  /** Where the limits count (default: this process's memory). */
  limiters?: Limiters;
  /**
   * Accept anonymous requests from anywhere when no app id is set (`ARIANE_EMULATOR=1`: development
   * only, e.g. an Emulator on another machine). Otherwise anonymous requests must come from this
   * machine: loopback, and not relayed by a proxy.
   */
  emulator?: boolean;
  /** How long the identity service may take to check a token before the answer is 503 (ms, default 10 000). */
  authTimeoutMs?: number;
  /**
   * botbuilder's own settings beyond the app's (e.g. `ToBotFromChannelOpenIdMetadataUrl`): lets tests
   * point token checks at a local identity service.
   */
  authSettings?: Partial<ConfigurationBotFrameworkAuthenticationOptions>;
  /** The clock for the limits (epoch ms). */
  now?: () => number;
}

/** Conversations remembered as already open, for the per-IP limit; the oldest are forgotten first. */
const KNOWN_CONVERSATIONS = 100_000;

const LOOPBACK_URL = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i;

/**
 * Why a body is not an activity we accept, or undefined when it is. With `anonymous` (no app id
 * configured, nobody's token is checked) replies may only go to a loopback `serviceUrl` (the Bot
 * Framework Emulator) or back in the response (`expectReplies`): otherwise anyone could make the
 * service POST to any address (server-side request forgery).
 */
export function checkActivityBody(body: unknown, maxTextLength = 2000, anonymous = false): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'The body must be an activity (a JSON object).';
  const a = body as Record<string, unknown>;
  if (typeof a.type !== 'string' || a.type === '' || a.type.length > 64) return 'Activity "type" must be a string.';
  const conversation = a.conversation as Record<string, unknown> | undefined;
  if (typeof conversation !== 'object' || conversation === null || typeof conversation.id !== 'string' || conversation.id === '' || conversation.id.length > 256) {
    return 'Activity "conversation.id" must be a string.';
  }
  for (const field of ['from', 'recipient'] as const) {
    const v = a[field] as Record<string, unknown> | undefined;
    if (v !== undefined && (typeof v !== 'object' || v === null || (v.id !== undefined && typeof v.id !== 'string'))) return `Activity "${field}" must be an object with a string "id".`;
  }
  if (typeof a.from !== 'object') return 'Activity "from" is required.';
  for (const field of ['id', 'channelId', 'serviceUrl', 'locale', 'deliveryMode', 'name', 'replyToId'] as const) {
    if (a[field] !== undefined && typeof a[field] !== 'string') return `Activity "${field}" must be a string.`;
  }
  if (typeof a.serviceUrl === 'string' && a.serviceUrl !== '' && !/^https?:\/\/[^\s]+$/.test(a.serviceUrl)) return 'Activity "serviceUrl" must be an http(s) URL.';
  if (a.deliveryMode !== 'expectReplies') {
    if (typeof a.serviceUrl !== 'string') return 'Activity "serviceUrl" is required (or deliveryMode "expectReplies").';
    if (anonymous && !LOOPBACK_URL.test(a.serviceUrl)) {
      return 'Without MicrosoftAppId, replies go only to a local Emulator (loopback serviceUrl) or in the response (deliveryMode "expectReplies").';
    }
  }
  if (a.text !== undefined && typeof a.text !== 'string') return 'Activity "text" must be a string.';
  if (typeof a.text === 'string' && a.text.length > maxTextLength) return `Activity "text" is longer than ${maxTextLength} characters.`;
  if (a.membersAdded !== undefined && (!Array.isArray(a.membersAdded) || a.membersAdded.some((m) => typeof m !== 'object' || m === null || typeof (m as { id?: unknown }).id !== 'string'))) {
    return 'Activity "membersAdded" must be a list of accounts.';
  }
  if (a.attachments !== undefined && !Array.isArray(a.attachments)) return 'Activity "attachments" must be a list.';
  if (a.entities !== undefined && !Array.isArray(a.entities)) return 'Activity "entities" must be a list.';
  return undefined;
}

/**
 * Where an `/api/messages` turn's conversation state lives: apart from our Direct Line's
 * (`state/directline/…`, reachable with Direct Line tokens only) even when the activity says
 * `channelId: "directline"`, and apart between turns a Bot Framework token vouched for and anonymous
 * ones. The channel id is encoded, so no pair (channel, conversation) reads as another. A checked
 * turn from a channel other than Direct Line also finds its state where releases before this one
 * kept it (`state/<channelId>/<conversation>`).
 */
export function apiStateKey(channelId: string | undefined, conversationId: string, authenticated: boolean): StateKey {
  const channel = channelId ?? '';
  const key = `state/${authenticated ? 'botframework' : 'anonymous'}/${encodeURIComponent(channel)}/${conversationId}`;
  const legacy = `state/${channel || 'unknown'}/${conversationId}`;
  return authenticated && !legacy.startsWith('state/directline/') ? { key, legacy } : { key };
}

/** Network failures reaching the identity service (Node's and node-fetch's codes). */
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT']);

class IdentityTimeout extends Error {}

type AuthenticateRequestResult = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>>;

/** `CloudAdapter` with its turn entry point open: the token is checked first, apart (see `authenticate`). */
class CheckedCloudAdapter extends CloudAdapter {
  runTurn(auth: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(auth, activity, logic);
  }
}


/** 503 when the token could not be checked (identity service unreachable or failing), else 401. */
function authFailureStatus(err: unknown): 401 | 503 {
  if (err instanceof IdentityTimeout) return 503;
  const e = err as { name?: unknown; code?: unknown; type?: unknown; statusCode?: unknown; errno?: unknown } | null;
  if (!e || typeof e !== 'object') return 401;
  if (e.name === 'FetchError' || e.name === 'AbortError' || e.type === 'system') return 503;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 503;
  // botframework-connector's "Failed to load openID config / Keys" carry the identity service's failure.
  if (typeof e.statusCode === 'number' && e.statusCode >= 500) return 503;
  return 401;
}

/** A short, non-secret description of why a token was refused, for the log line. */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return typeof err;
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}`;
}

/** True when the request reached us from this machine directly (not relayed by a local proxy). */
function fromThisMachine(req: HttpRequestLike): boolean {
  const address = req.socket?.remoteAddress ?? '';
  const loopback = address === '::1' || /^(::ffff:)?127\./.test(address);
  return loopback && req.headers['x-forwarded-for'] === undefined && req.headers.forwarded === undefined;
}

/**
 * While a token is checked, botbuilder writes to `console.error` (stack traces, the signing keys
 * it knows): those lines go to the logger at debug level instead. Only calls made inside a token
 * check (this async context) are taken; anything else on the console is left alone.
 */
const checkingToken = new AsyncLocalStorage<Logger>();
let consoleWrapped = false;
function quietConsoleDuringTokenChecks(): void {
  if (consoleWrapped) return;
  consoleWrapped = true;
  for (const level of ['error', 'warn', 'log'] as const) {
    const original = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      const logger = checkingToken.getStore();
      if (!logger) return original(...args);
      logger.debug({ botbuilder: format(...args).split('\n')[0]!.slice(0, 300) }, 'botbuilder console output during a token check');
    };
  }
}

/** Builds the handler; one `CloudAdapter` for the process. */
export function createApiMessagesEndpoint(options: ApiMessagesOptions): (req: HttpRequestLike, res: HttpResponseLike) => Promise<void> {
  const authOptions: ConfigurationBotFrameworkAuthenticationOptions = {
    ...options.authSettings,
    MicrosoftAppId: options.appId ?? '',
    MicrosoftAppPassword: options.appPassword ?? '',
    MicrosoftAppType: options.appType ?? '',
    MicrosoftAppTenantId: options.tenantId ?? '',
  };
  const identity = new ConfigurationBotFrameworkAuthentication(authOptions);
  const adapter = new CheckedCloudAdapter(identity);
  // No `onTurnError`: a failed turn must reach the HTTP answer (see the file comment).
  quietConsoleDuringTokenChecks();
  const authTimeoutMs = options.authTimeoutMs ?? 10_000;
  const fail = (res: HttpResponseLike, status: number, code: string, message: string) => {
    res.status(status);
    res.send(errorBody(code, message));
    res.end();
  };
  /** The token check, bounded in time (an unreachable identity service must not hold requests). */
  const authenticate = (activity: Activity, header: string): Promise<AuthenticateRequestResult> =>
    checkingToken.run(options.logger, () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new IdentityTimeout('identity service timeout')), authTimeoutMs);
        timer.unref();
      });
      return Promise.race([identity.authenticateRequest(activity, header), timeout]).finally(() => clearTimeout(timer));
    });
  const now = options.now ?? Date.now;
  const limiters = options.limiters ?? memoryLimiters;
  const clients = options.clients ?? new ClientAddresses();
  const perConversation = limiters('api-activities-per-conversation', options.activitiesPerMinute ?? 60, 60_000);
  const perIp = options.appId ? undefined : limiters('api-conversations-per-ip', options.conversationsPerIpPerMinute ?? 30, 60_000);
  const turnsPerIp = options.appId ? undefined : limiters('api-turns-per-ip', options.turnsPerIpPerMinute ?? 120, 60_000);
  const known = new Set<string>();
  const tooMany = (res: HttpResponseLike, retryAfterSeconds: number, message: string) => {
    res.status(429);
    res.header('Retry-After', String(retryAfterSeconds));
    res.send(errorBody('TooManyRequests', message));
    res.end();
  };
  return async (req, res) => {
    if (!options.appId && !options.emulator && !fromThisMachine(req)) {
      options.logger.warn({ status: 401, reason: 'anonymous request from another machine' }, '/api/messages refused');
      return fail(res, 401, 'Unauthorized', 'This service has no MicrosoftAppId: /api/messages takes only a local Emulator (ARIANE_EMULATOR=1 allows others, for development).');
    }
    const problem = checkActivityBody(req.body, options.maxTextLength, !options.appId);
    if (problem) return fail(res, 400, 'BadArgument', problem);
    const activity = req.body as { type: string; channelId?: string; conversation: { id: string } };
    // The channel id is part of the key: two channels may use the same conversation id.
    const conversation = `${activity.channelId ?? ''}|${activity.conversation.id}`;
    const at = now();
    const client = perIp || turnsPerIp ? clients.key(req) : '';
    if (perIp && !known.has(conversation)) {
      const decision = await perIp.hit(client, at);
      if (!decision.allowed) return tooMany(res, decision.retryAfterSeconds, 'Too many new conversations from this address: please wait.');
      if (known.size >= KNOWN_CONVERSATIONS) known.delete(known.values().next().value!);
      known.add(conversation);
    }
    if (activity.type !== 'typing') {
      const decision = await perConversation.hit(conversation, at);
      if (!decision.allowed) return tooMany(res, decision.retryAfterSeconds, 'Too many messages: please wait a little.');
      if (turnsPerIp) {
        const fromAddress = await turnsPerIp.hit(client, at);
        if (!fromAddress.allowed) return tooMany(res, fromAddress.retryAfterSeconds, 'Too many messages from this address: please wait a little.');
      }
    }
    const header = req.headers.authorization;
    const incoming = fixTimestamps(req.body as Activity);
    let auth: AuthenticateRequestResult;
    try {
      auth = await authenticate(incoming, typeof header === 'string' ? header : '');
    } catch (err) {
      const status = authFailureStatus(err);
      options.logger.warn({ status, reason: reasonOf(err), conversationId: activity.conversation.id }, '/api/messages refused');
      return status === 503
        ? fail(res, 503, 'ServiceUnavailable', 'The Bot Framework identity service cannot be reached to check the token: try again later.')
        : fail(res, 401, 'Unauthorized', 'The request is not authorised (missing, invalid or expired Bot Framework token).');
    }
    try {
      const result = await adapter.runTurn(auth, incoming, async (ctx) => {
        ctx.turnState.set(STATE_KEY, apiStateKey(activity.channelId, activity.conversation.id, Boolean(options.appId)));
        ctx.onSendActivities(async (_c, _activities, next) => {
          try {
            return await next();
          } catch (err) {
            throw new DeliveryError(err);
          }
        });
        await options.bot.run(ctx);
      });
      res.status(result?.status ?? 200);
      if (result?.body !== undefined) res.send(result.body);
      res.end();
    } catch (err) {
      if (err instanceof DeliveryError) {
        options.logger.warn({ status: 502, reason: reasonOf(err.reason), conversationId: activity.conversation.id }, '/api/messages: the serviceUrl did not take the replies');
        return fail(res, 502, 'ServiceError', 'The replies could not be delivered to the serviceUrl: send the activity again (it will be answered once).');
      }
      options.logger.error({ err, conversationId: activity.conversation.id }, '/api/messages turn failed');
      return fail(res, 500, 'InternalError', 'Something went wrong on our side. Please try again.');
    }
  };
}

/** A copy of the activity with its time fields as dates, as `CloudAdapter` hands it to bots. */
function fixTimestamps(body: Activity): Activity {
  const a = { ...body } as Activity & Record<string, unknown>;
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    const v = a[field];
    if (typeof v === 'string') {
      a[raw] = v;
      a[field] = new Date(v);
    }
  }
  return a;
}

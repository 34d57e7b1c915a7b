/**
 * `POST /api/messages`, the standard Bot Framework endpoint, through botbuilder's `CloudAdapter` so
 * the Emulator and Azure Bot Service channels work unchanged: anonymous when no app id is configured,
 * tokens validated when one is. `deliveryMode: "expectReplies"` returns the replies in the body.
 *
 * The body is checked before `CloudAdapter` sees it: the adapter answers 500 to some malformed
 * activities (it throws on wrong types), and a malformed request must get a 4xx.
 *
 * Abuse limits, as on Direct Line (429 with `Retry-After`, same JSON error shape): activities per
 * conversation per minute, and — only without an app id — new conversations per IP address per
 * minute. They are checked before the adapter, so before authentication: a request with a bad token
 * still counts against its conversation's budget (conversation ids are the channel's, not guessable
 * from outside), and a 429 costs no token validation.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type Request as BotRequest,
  type Response as BotResponse,
  type TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import { errorBody } from '../http';
import { RateLimiter } from '../limits';

/** The request and response shapes restify (and Node's http) provide; no restify import here. */
export interface HttpRequestLike {
  body?: unknown;
  headers: Record<string, string | string[] | undefined>;
  method?: string;
  /** The connection; its `remoteAddress` keys the per-IP limit. */
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

/** Builds the handler; one `CloudAdapter` for the process. */
export function createApiMessagesEndpoint(options: ApiMessagesOptions): (req: HttpRequestLike, res: HttpResponseLike) => Promise<void> {
  const authOptions: ConfigurationBotFrameworkAuthenticationOptions = {
    MicrosoftAppId: options.appId ?? '',
    MicrosoftAppPassword: options.appPassword ?? '',
    MicrosoftAppType: options.appType ?? '',
    MicrosoftAppTenantId: options.tenantId ?? '',
  };
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(authOptions));
  adapter.onTurnError = async (context, err) => {
    options.logger.error({ err, conversationId: context.activity.conversation?.id }, '/api/messages turn failed');
  };
  const now = options.now ?? Date.now;
  const perConversation = new RateLimiter(options.activitiesPerMinute ?? 60, 60_000);
  const perIp = options.appId ? undefined : new RateLimiter(options.conversationsPerIpPerMinute ?? 30, 60_000);
  const known = new Set<string>();
  const tooMany = (res: HttpResponseLike, retryAfterSeconds: number, message: string) => {
    res.status(429);
    res.header('Retry-After', String(retryAfterSeconds));
    res.send(errorBody('TooManyRequests', message));
    res.end();
  };
  return async (req, res) => {
    const problem = checkActivityBody(req.body, options.maxTextLength, !options.appId);
    if (problem) {
      res.status(400);
      res.send(errorBody('BadArgument', problem));
      res.end();
      return;
    }
    const activity = req.body as { type: string; channelId?: string; conversation: { id: string } };
    // The channel id is part of the key: two channels may use the same conversation id.
    const conversation = `${activity.channelId ?? ''}|${activity.conversation.id}`;
    const at = now();
    if (perIp && !known.has(conversation)) {
      const decision = perIp.hit(req.socket?.remoteAddress ?? 'unknown', at);
      if (!decision.allowed) return tooMany(res, decision.retryAfterSeconds, 'Too many new conversations from this address: please wait.');
      if (known.size >= KNOWN_CONVERSATIONS) known.delete(known.values().next().value!);
      known.add(conversation);
    }
    if (activity.type !== 'typing') {
      const decision = perConversation.hit(conversation, at);
      if (!decision.allowed) return tooMany(res, decision.retryAfterSeconds, 'Too many messages: please wait a little.');
    }
    await adapter.process(req as BotRequest, res as BotResponse, (ctx) => options.bot.run(ctx));
  };
}

/**
 * A self-hosted Direct Line 3.0 channel: the logic behind `/v3/directline/*`, shaped on what
 * `botframework-directlinejs` (the client inside Web Chat) sends and expects:
 *
 * - every request carries `Authorization: Bearer <token or secret>` (`Bearer undefined` when the page
 *   has neither: public mode) and `x-ms-bot-agent`;
 * - `POST /conversations` starts (201), `GET /conversations/{id}?watermark=` reconnects; both answer
 *   `{ conversationId, token, expires_in }`; the client keeps `token` and refreshes it every 15 min;
 * - it polls `GET /conversations/{id}/activities?watermark=<string>` (every second by default) and
 *   keeps the returned `watermark` string;
 * - a 403 means "expired token": the client stops and waits for the page to give it a new token
 *   (our `POST /tokens/refresh` accepts a recently expired token for that); a 404 ends it.
 *
 * Methods never throw for a client's mistake: they return the HTTP status and JSON body to send
 * (`{ error: { code, message } }` for errors, as Direct Line does). The HTTP wiring lives in
 * src/server, which knows nothing of Bot Framework.
 */
import { randomBytes } from 'node:crypto';
import { ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { LRUCache } from 'lru-cache';
import { maskPersonalData, maskPersonalDataDeep } from '../../privacy';
import { memoryLimiters, type Limiter, type Limiters } from '../../limits';
import { ConflictError, UnknownConversationError, type AppendFeed, type CommittedTurn, type ConversationLog, type ConversationRecord, type LoggedActivity, type Turn } from '../../store';
import { DirectLineAdapter, type BotIdentity } from './DirectLineAdapter';
import { errorBody, safeEqual } from '../../http';
import { TokenService, type TokenClaims } from './TokenService';
import { ClientIdSeal } from './ClientIdSeal';

/** What a route answers. */
export interface ChannelResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** The bot the channel runs (an `ActivityHandler`). */
export interface TurnHandler {
  run(context: TurnContext): Promise<void>;
}

export interface DirectLineChannelOptions {
  log: ConversationLog;
  /** Stores one turn atomically: the person's message, the bot's writes and its replies (`Store.commitTurn`). */
  commitTurn: (turn: Turn) => Promise<CommittedTurn>;
  bot: TurnHandler;
  tokens: TokenService;
  logger: Logger;
  /** When set, starting conversations and generating tokens need it (`Bearer <secret>`). */
  secret?: string;
  botIdentity?: BotIdentity;
  /** Longest user text accepted, in characters (default 2000). */
  maxTextLength?: number;
  /** How long after expiry a token may still be refreshed, in seconds (default 3600). */
  refreshGraceSeconds?: int;
  /** Activities a conversation may post per minute (default 60). */
  activitiesPerMinute?: int;
  /**
   * Activities one client address may post per minute across all its conversations (default 120):
   * without it, each new conversation would bring a fresh budget. Counted under the address key
   * the HTTP layer passes to `postActivity`.
   */
  turnsPerIpPerMinute?: int;
  /** Where the limits count (default: this process's memory; with PostgreSQL, every instance's together). */
  limiters?: Limiters;
  /**
   * Wake-ups on append (the store's `appends`): streams then read the store when told, and poll only
   * every `streamPollMs` as a safety net; without it they poll every second.
   */
  appends?: AppendFeed;
  /** How often a stream reads the store unwoken (default 15 s with `appends`, 1 s without). */
  streamPollMs?: int;
  /** Most activities returned by one GET (default 100; the client asks again at once). */
  pageSize?: int;
  now?: () => number;
}
type int = number;

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const USER_ID_RE = /^[A-Za-z0-9_:.@-]{1,64}$/;
const POSTABLE_TYPES = new Set<string>([ActivityTypes.Message, ActivityTypes.Event, ActivityTypes.Typing, ActivityTypes.EndOfConversation]);
/** Largest `value` or `channelData` accepted, as JSON text. */
const MAX_JSON_FIELD = 4096;
/** While a turn runs, a typing indicator goes to the conversation's streams this often. */
const TYPING_EVERY_MS = 3000;

/**
 * Why files and photos are refused (upload, or an activity with attachments), in French and English:
 * residents photographing their documents (ID cards, tax notices) is a privacy risk the service
 * does not need — it guides with words, and a mediator sees the documents in person.
 */
const ATTACHMENTS_REFUSED =
  'Les fichiers et les photos ne sont pas acceptés : n’envoyez pas vos documents, écrivez votre question avec des mots. ' +
  '/ Files and photos are not accepted: do not send your documents, write your question in words.';

function error(status: number, code: string, message: string, headers?: Record<string, string>): ChannelResponse {
  return { status, body: errorBody(code, message), headers };
}

/**
 * The person's location, when the client sends one (Bot Framework's `GeoCoordinates` entity, e.g.
 * after the browser's geolocation consent): kept as two numbers only; every other entity is dropped.
 */
function geoEntities(v: unknown): Array<{ type: 'GeoCoordinates'; latitude: number; longitude: number }> | undefined {
  if (!Array.isArray(v)) return undefined;
  for (const e of v.slice(0, 8)) {
    if (!isObject(e) || e.type !== 'GeoCoordinates') continue;
    const latitude = e.latitude;
    const longitude = e.longitude;
    if (typeof latitude === 'number' && typeof longitude === 'number' && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180) {
      return [{ type: 'GeoCoordinates', latitude, longitude }];
    }
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function shortString(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

/** The JSON text of a client's value, or undefined when it cannot be written as JSON. */
function jsonText(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function newId(prefix = ''): string {
  return prefix + randomBytes(16).toString('base64url');
}

type Auth = { kind: 'none' } | { kind: 'secret' } | { kind: 'token'; claims: TokenClaims } | { kind: 'bad'; response: ChannelResponse };

/** See the file comment. */
export class DirectLineChannel {
  readonly adapter: DirectLineAdapter;
  private readonly log: ConversationLog;
  private readonly bot: BotIdentity;
  private readonly now: () => number;
  private readonly maxTextLength: number;
  private readonly refreshGrace: number;
  private readonly pageSize: number;
  private readonly perConversation: Limiter;
  private readonly perAddress: Limiter;
  /**
   * Conversation records recently used. A record never changes once created, and every request
   * (each POST, each poll) needs it, so it is read from the store once a minute, not every time.
   * Misses are not remembered: another instance may create the conversation a moment later.
   */
  private readonly records = new LRUCache<string, ConversationRecord>({ max: 20_000, ttl: 60_000 });
  /** Turns of one conversation run one after the other in this process (order, fewer conflicts). */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Open streams of this process, by conversation, told of every append this process makes. */
  private readonly streams = new Map<string, Set<StreamListener>>();
  private readonly seal: ClientIdSeal;

  constructor(private readonly options: DirectLineChannelOptions) {
    this.bot = options.botIdentity ?? { id: 'ariane', name: 'Ariane' };
    this.now = options.now ?? Date.now;
    this.maxTextLength = options.maxTextLength ?? 2000;
    this.refreshGrace = options.refreshGraceSeconds ?? 3600;
    this.pageSize = options.pageSize ?? 100;
    const limiters = options.limiters ?? memoryLimiters;
    this.perConversation = limiters('activities-per-conversation', options.activitiesPerMinute ?? 60, 60_000);
    this.perAddress = limiters('turns-per-ip', options.turnsPerIpPerMinute ?? 120, 60_000);
    this.log = options.log;
    this.seal = new ClientIdSeal(options.tokens.deriveKey('client activity ids'));
    this.adapter = new DirectLineAdapter(options.commitTurn, this.bot, this.now, (id, appended) => this.notify(id, appended));
    this.adapter.onTurnError = async (context, err) => {
      options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'direct line turn failed');
    };
  }

  /** `POST /v3/directline/tokens/generate`: a token for a new conversation (not started yet). */
  async generateToken(authorization: string | undefined, body: unknown): Promise<ChannelResponse> {
    const auth = this.authenticate(authorization);
    if (auth.kind === 'bad') return auth.response;
    if (this.options.secret && auth.kind !== 'secret') return error(401, 'Unauthorized', 'This service needs its Direct Line secret to generate tokens.');
    if (auth.kind === 'token') return error(403, 'Forbidden', 'Use /tokens/refresh to renew a token.');
    const user = this.chooseUser(auth, body);
    if (typeof user !== 'string') return user;
    const conversationId = newId();
    const { token, expiresIn } = this.options.tokens.issue(conversationId, user);
    return { status: 200, body: { conversationId, token, expires_in: expiresIn } };
  }

  /** `POST /v3/directline/conversations`: starts (or, for a token's conversation already started, returns) a conversation. */
  async startConversation(authorization: string | undefined, body: unknown): Promise<ChannelResponse> {
    const auth = this.authenticate(authorization);
    if (auth.kind === 'bad') return auth.response;
    if (this.options.secret && auth.kind === 'none') return error(401, 'Unauthorized', 'A token or the Direct Line secret is required.');
    if (body !== undefined && body !== null && !isObject(body)) return error(400, 'BadArgument', 'The body must be a JSON object.');
    const locale = isObject(body) ? shortString(body.locale, 35) : undefined;
    let conversationId: string;
    let userId: string;
    if (auth.kind === 'token') {
      conversationId = auth.claims.conv;
      userId = auth.claims.user;
    } else {
      const user = this.chooseUser(auth, body);
      if (typeof user !== 'string') return user;
      conversationId = newId();
      userId = user;
    }
    const record: ConversationRecord = { id: conversationId, userId, createdAt: this.now(), data: locale ? { locale } : {} };
    let created = true;
    try {
      await this.options.log.createConversation(record);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      created = false;
    }
    if (created) {
      // The welcome must be in the stream before the person types: deliver conversationUpdate now.
      await this.serialize(conversationId, () =>
        this.adapter.processActivity(
          {
            type: ActivityTypes.ConversationUpdate,
            channelId: 'directline',
            conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
            from: { id: userId, name: '', role: 'user' },
            recipient: { id: this.bot.id, name: this.bot.name, role: 'bot' },
            membersAdded: [
              { id: this.bot.id, name: this.bot.name },
              { id: userId, name: '' },
            ],
            locale,
            timestamp: new Date(this.now()),
            serviceUrl: '',
          },
          (ctx) => this.options.bot.run(ctx),
        ),
      );
    }
    const { token, expiresIn } = this.options.tokens.issue(conversationId, userId);
    return { status: created ? 201 : 200, body: { conversationId, token, expires_in: expiresIn } };
  }

  /** `GET /v3/directline/conversations/{id}?watermark=`: reconnect; answers a fresh token. */
  async reconnect(authorization: string | undefined, conversationId: string): Promise<ChannelResponse> {
    const access = await this.access(authorization, conversationId);
    if ('response' in access) return access.response;
    const { token, expiresIn } = this.options.tokens.issue(conversationId, access.record.userId);
    return { status: 200, body: { conversationId, token, expires_in: expiresIn } };
  }

  /** `POST /v3/directline/tokens/refresh`: a new token for the same conversation and user. */
  async refreshToken(authorization: string | undefined): Promise<ChannelResponse> {
    const raw = bearer(authorization);
    if (!raw) return error(401, 'Unauthorized', 'A token is required.');
    if (this.options.secret && safeEqual(raw, this.options.secret)) return error(400, 'BadArgument', 'A secret cannot be refreshed.');
    const check = this.options.tokens.verify(raw, this.refreshGrace);
    if (!check.ok) {
      // Only a token that was once valid has expired; anything else is simply not a token of ours.
      return check.reason === 'expired' ? error(403, 'TokenExpired', 'The token expired too long ago: start a new conversation.') : error(403, 'Forbidden', 'Invalid token.');
    }
    const record = await this.options.log.getConversation(check.claims.conv);
    if (!record) return error(404, 'NotFound', 'Unknown conversation.');
    const { token, expiresIn } = this.options.tokens.issue(check.claims.conv, check.claims.user);
    return { status: 200, body: { conversationId: check.claims.conv, token, expires_in: expiresIn } };
  }

  /**
   * `POST /v3/directline/conversations/{id}/activities`: stores the person's activity, runs the turn,
   * answers `{ id }`. `client` is the caller's address key (see src/http's `ClientAddresses`), for
   * the per-address budget; absent (in-process callers), only the conversation's applies.
   */
  async postActivity(authorization: string | undefined, conversationId: string, body: unknown, client?: string): Promise<ChannelResponse> {
    const access = await this.access(authorization, conversationId);
    if ('response' in access) return access.response;
    if (!isObject(body)) return error(400, 'BadArgument', 'The body must be an activity (a JSON object).');
    const type = body.type;
    if (typeof type !== 'string' || !POSTABLE_TYPES.has(type)) return error(400, 'BadArgument', 'Activity "type" must be "message", "event", "typing" or "endOfConversation".');
    if (body.text !== undefined && typeof body.text !== 'string') return error(400, 'BadArgument', 'Activity "text" must be a string.');
    if (typeof body.text === 'string' && body.text.length > this.maxTextLength) {
      return error(413, 'MessageTooLarge', `Activity "text" is longer than ${this.maxTextLength} characters.`);
    }
    if (body.attachments !== undefined && body.attachments !== null && !Array.isArray(body.attachments)) return error(400, 'BadArgument', 'Activity "attachments" must be a list.');
    if (Array.isArray(body.attachments) && body.attachments.length > 0) return error(415, 'NotSupported', ATTACHMENTS_REFUSED);
    if (type === ActivityTypes.Event && shortString(body.name, 100) === undefined) return error(400, 'BadArgument', 'An event needs a "name".');
    const entities = geoEntities(body.entities);
    if (type === ActivityTypes.Message && typeof body.text !== 'string' && body.value === undefined && !entities) {
      return error(400, 'BadArgument', 'A message needs "text", "value" or a location.');
    }
    // channelData is the client's own (Direct Line keeps it): kept, within a size, masked like any free text.
    const channelData = isObject(body.channelData) ? body.channelData : {};
    const channelDataJson = jsonText(channelData);
    if (channelDataJson === undefined || channelDataJson.length > MAX_JSON_FIELD) return error(400, 'BadArgument', 'Activity "channelData" is too large.');
    const { clientActivityID, ...clientData } = JSON.parse(channelDataJson) as Record<string, unknown>;
    if (clientActivityID !== undefined && shortString(clientActivityID, 100) === undefined) {
      return error(400, 'BadArgument', '"channelData.clientActivityID" must be a short string.');
    }
    let value: unknown = body.value;
    if (value !== undefined) {
      const json = jsonText(value);
      if (json === undefined || json.length > MAX_JSON_FIELD) return error(400, 'BadArgument', 'Activity "value" is too large.');
      // A button's value may hold what the person typed (and `value.choice` lands in the state): masked.
      value = maskPersonalDataDeep(JSON.parse(json) as unknown).value;
    }
    // A typing indicator is not kept; it only needs an id.
    if (type === ActivityTypes.Typing) return { status: 200, body: { id: newId('typing-') } };

    const at = this.now();
    const limit = await this.perConversation.hit(conversationId, at);
    if (!limit.allowed) {
      return error(429, 'TooManyRequests', 'Too many messages: please wait a little.', { 'Retry-After': String(limit.retryAfterSeconds) });
    }
    if (client !== undefined) {
      const fromAddress = await this.perAddress.hit(client, at);
      if (!fromAddress.allowed) {
        return error(429, 'TooManyRequests', 'Too many messages from this address: please wait a little.', { 'Retry-After': String(fromAddress.retryAfterSeconds) });
      }
    }

    const from = isObject(body.from) ? body.from : {};
    const userId = access.record.userId;
    const sealed = typeof clientActivityID === 'string' ? this.seal.seal(conversationId, clientActivityID) : undefined;
    const activity: Record<string, unknown> = {
      type,
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { id: userId, name: maskName(shortString(from.name, 100)), role: 'user' },
      recipient: { id: this.bot.id, name: this.bot.name, role: 'bot' },
      timestamp: new Date(this.now()).toISOString(),
      locale: shortString(body.locale, 35) ?? (access.record.data?.locale as string | undefined),
      text: typeof body.text === 'string' ? maskPersonalData(body.text).text : undefined,
      textFormat: typeof body.text === 'string' ? 'plain' : undefined,
      name: type === ActivityTypes.Event ? body.name : undefined,
      value,
      entities,
      channelData: {
        ...maskPersonalDataDeep(clientData).value,
        clientActivityID: sealed,
      },
    };
    const clean = JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;

    return this.serialize(conversationId, async () => {
      // The message is stored with its turn, in one transaction: a retry of a message already
      // stored finds it with its replies (the same id), and a message the server died on is not
      // stored at all, so the retry runs its turn once.
      const stopTyping = this.typing(conversationId);
      try {
        const outcome = await this.adapter.processActivity({ ...clean, serviceUrl: '' } as Partial<Activity>, (ctx) => this.options.bot.run(ctx), {
          activity: clean,
          ...(sealed !== undefined ? { clientActivityId: sealed } : {}),
        });
        if (!outcome.messageId) throw new Error('Direct Line: the message was not stored');
        return { status: 200, body: { id: outcome.messageId } };
      } catch (err) {
        if (err instanceof UnknownConversationError) {
          this.records.delete(conversationId);
          return error(404, 'NotFound', 'Unknown conversation.');
        }
        throw err;
      } finally {
        stopTyping();
      }
    });
  }

  /**
   * `POST /v3/directline/conversations/{id}/upload` (Web Chat's paperclip): refused, with the reason,
   * once the caller is known to have access (see `ATTACHMENTS_REFUSED`).
   */
  async upload(authorization: string | undefined, conversationId: string): Promise<ChannelResponse> {
    const access = await this.access(authorization, conversationId);
    if ('response' in access) return access.response;
    return error(415, 'NotSupported', ATTACHMENTS_REFUSED);
  }

  /** `GET /v3/directline/conversations/{id}/activities?watermark=`: the stream after the watermark. */
  async getActivities(authorization: string | undefined, conversationId: string, watermark: unknown): Promise<ChannelResponse> {
    let after: number | undefined;
    if (watermark !== undefined && watermark !== '') {
      if (typeof watermark !== 'string' || !/^\d{1,15}$/.test(watermark)) return error(400, 'BadArgument', '"watermark" must be a number.');
      after = Number(watermark);
    }
    const access = await this.access(authorization, conversationId);
    if ('response' in access) return access.response;
    const page = await this.options.log.list(conversationId, after, this.pageSize);
    return {
      status: 200,
      body: {
        activities: page.activities.map((a) => this.outgoing(conversationId, a)),
        watermark: String(page.watermark),
      },
    };
  }

  /**
   * Checks a stream request (`GET …/conversations/{id}/stream?t=<token>`, upgraded to a WebSocket):
   * the token must be valid for this conversation, as for polling.
   */
  async authorizeStream(token: string | undefined, conversationId: string): Promise<ChannelResponse | undefined> {
    const access = await this.access(token ? `Bearer ${token}` : undefined, conversationId);
    return 'response' in access ? access.response : undefined;
  }

  /**
   * Streams the conversation's activities after `watermark` as Direct Line activity sets
   * (`{ activities, watermark }`, one JSON text message each), as `streamUrl` clients expect.
   *
   * An activity this process appends right after the last one sent (watermarks have no gaps) is
   * pushed as is, without reading the store again: that is every activity of a conversation served
   * by one instance, and it saves a query per activity. Anything else (a gap: another instance
   * appended; the first page) is read from the store: at once when this process appends past a gap,
   * when the store's feed says another instance appended past what was sent, and every `pollMs` as a
   * safety net (a wake-up lost, a feed reconnecting, a store without feed). Activities appended in
   * one event-loop turn (a turn's replies) go out in one message. `after` only grows, so nothing is
   * sent twice whichever path finds it first. Returns the function that stops it.
   */
  openStream(conversationId: string, watermark: number | undefined, send: (json: string) => void, pollMs = this.options.streamPollMs ?? (this.options.appends ? 15_000 : 1000)): () => void {
    let after = watermark;
    let running = false;
    let again = false;
    let closed = false;
    let batch: LoggedActivity[] = [];
    let scheduled = false;
    const emit = (activities: readonly LoggedActivity[]) => {
      const last = activities[activities.length - 1]!;
      send(JSON.stringify({ activities: activities.map((a) => this.outgoing(conversationId, a)), watermark: String(last.watermark) }));
    };
    const flushBatch = () => {
      scheduled = false;
      const out = batch;
      batch = [];
      if (!closed && out.length > 0) emit(out);
    };
    const pump = async () => {
      if (closed) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          const page = await this.options.log.list(conversationId, after, this.pageSize);
          if (closed) return;
          // Pushed meanwhile (`after` moved on): only what is still new.
          const fresh = page.activities.filter((a) => after === undefined || a.watermark > after);
          if (fresh.length > 0) {
            // Pushes waiting for the end of this event-loop turn are older than what the page adds.
            flushBatch();
            after = fresh[fresh.length - 1]!.watermark;
            emit(fresh);
          } else if (after === undefined) {
            after = page.watermark;
          }
          if (page.activities.length >= this.pageSize) again = true;
        } while (again && !closed);
      } catch (err) {
        this.options.logger.warn({ err, conversationId }, 'stream read failed');
      } finally {
        running = false;
      }
    };
    const offer = (appended: LoggedActivity) => {
      if (closed) return;
      if (after !== undefined && appended.watermark === after + 1) {
        after = appended.watermark;
        batch.push(appended);
        if (!scheduled) {
          scheduled = true;
          setImmediate(flushBatch);
        }
      } else if (after === undefined || appended.watermark > after) {
        void pump();
      }
    };
    const listener: StreamListener = {
      offer,
      transient: (activity) => {
        if (!closed) send(JSON.stringify({ activities: [activity] }));
      },
    };
    let set = this.streams.get(conversationId);
    if (!set) this.streams.set(conversationId, (set = new Set()));
    set.add(listener);
    /** Whether the store's news is past what was sent (a wake-up without a watermark always is). */
    const isNews = (appended: number | undefined) => appended === undefined || after === undefined || appended > after;
    const unsubscribe = this.options.appends?.subscribe(conversationId, (appended) => {
      if (closed || !isNews(appended)) return;
      // This process's own append is offered right after its commit: let it land first, so that a
      // wake-up about it costs no read.
      setImmediate(() => {
        if (!closed && isNews(appended)) void pump();
      });
    });
    const timer = setInterval(() => void pump(), pollMs);
    timer.unref();
    void pump();
    return () => {
      closed = true;
      unsubscribe?.();
      clearInterval(timer);
      const s = this.streams.get(conversationId);
      s?.delete(listener);
      if (s && s.size === 0) this.streams.delete(conversationId);
    };
  }

  private notify(conversationId: string, appended: LoggedActivity): void {
    for (const listener of this.streams.get(conversationId) ?? []) listener.offer(appended);
  }

  /**
   * Tells this process's open streams of the conversation that the bot is typing, now and every
   * few seconds until the returned function is called (the turn is over). Not stored: a typing
   * indicator only means something while it is true, and polling clients need none (their turn
   * answers before their next poll).
   */
  private typing(conversationId: string): () => void {
    if (!this.streams.has(conversationId)) return () => undefined;
    const tell = () => {
      const activity = {
        type: ActivityTypes.Typing,
        id: newId('typing-'),
        channelId: 'directline',
        conversation: { id: conversationId },
        from: { id: this.bot.id, name: this.bot.name, role: 'bot' },
        timestamp: new Date(this.now()).toISOString(),
      };
      for (const listener of this.streams.get(conversationId) ?? []) listener.transient(activity);
    };
    tell();
    const timer = setInterval(tell, TYPING_EVERY_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** A stored activity as clients get it: its id, and the client's own `clientActivityID` back. */
  private outgoing(conversationId: string, a: LoggedActivity): Record<string, unknown> {
    const out: Record<string, unknown> = { ...a.activity, id: a.id };
    const cd = out.channelData;
    if (isObject(cd) && typeof cd.clientActivityID === 'string') {
      // Rows stored before ids were sealed give their id back as it is.
      const opened = this.seal.open(conversationId, cd.clientActivityID);
      if (opened !== undefined) out.channelData = { ...cd, clientActivityID: opened };
    }
    return out;
  }

  /** Runs `fn` after the previous turns of this conversation in this process. */
  private serialize<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(conversationId, settled);
    void settled.then(() => {
      if (this.queues.get(conversationId) === settled) this.queues.delete(conversationId);
    });
    return next;
  }

  /** The user id for a new conversation: chosen by the caller only when it holds the secret. */
  private chooseUser(auth: Auth, body: unknown): string | ChannelResponse {
    const asked = isObject(body) && isObject(body.user) ? body.user.id : undefined;
    if (asked !== undefined && asked !== null && asked !== '') {
      if (typeof asked !== 'string' || !USER_ID_RE.test(asked)) return error(400, 'BadArgument', '"user.id" must be 1 to 64 letters, digits or _:.@-');
      if (auth.kind === 'secret') return asked;
      // As on Azure, `dl_` ids are reserved to ids embedded in tokens; others are accepted in public mode.
      if (!asked.startsWith('dl_')) return asked;
    }
    return newId('dl_');
  }

  private authenticate(authorization: string | undefined): Auth {
    const raw = bearer(authorization);
    if (!raw) return { kind: 'none' };
    if (this.options.secret && safeEqual(raw, this.options.secret)) return { kind: 'secret' };
    const check = this.options.tokens.verify(raw);
    if (check.ok) return { kind: 'token', claims: check.claims };
    return {
      kind: 'bad',
      response: error(403, check.reason === 'expired' ? 'TokenExpired' : 'Forbidden', check.reason === 'expired' ? 'The token has expired: refresh it.' : 'Invalid token.'),
    };
  }

  /** Checks that the caller may use this conversation and that it exists. */
  private async access(authorization: string | undefined, conversationId: string): Promise<{ record: ConversationRecord } | { response: ChannelResponse }> {
    if (!ID_RE.test(conversationId)) return { response: error(404, 'NotFound', 'Unknown conversation.') };
    const auth = this.authenticate(authorization);
    if (auth.kind === 'bad') return { response: auth.response };
    if (auth.kind === 'none') return { response: error(401, 'Unauthorized', 'A token is required.') };
    if (auth.kind === 'token' && auth.claims.conv !== conversationId) {
      return { response: error(403, 'Forbidden', 'This token is for another conversation.') };
    }
    let record = this.records.get(conversationId);
    if (!record) {
      record = await this.options.log.getConversation(conversationId);
      if (!record) return { response: error(404, 'NotFound', 'Unknown conversation.') };
      this.records.set(conversationId, record);
    }
    if (auth.kind === 'token' && auth.claims.user !== record.userId) {
      return { response: error(403, 'Forbidden', 'This token is for another user.') };
    }
    return { record };
  }
}

/** What a stream of this process is told: stored activities in order, and typing indicators. */
interface StreamListener {
  offer(appended: LoggedActivity): void;
  transient(activity: Record<string, unknown>): void;
}

/** A display name as stored: masked like the text (people type their phone number there too). */
function maskName(name: string | undefined): string | undefined {
  return name === undefined ? undefined : maskPersonalData(name).text;
}

/** The credential in `Authorization: Bearer …`, or undefined (directlinejs sends `Bearer undefined` when it has none). */
function bearer(authorization: string | undefined): string | undefined {
  if (typeof authorization !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  const v = m?.[1]?.trim();
  if (!v || v === 'undefined' || v === 'null') return undefined;
  return v;
}

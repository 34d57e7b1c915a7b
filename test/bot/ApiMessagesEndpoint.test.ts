/**
 * `createApiMessagesEndpoint` limits with a controlled clock and the request/response shapes restify
 * gives it: the window passes and messages are accepted again; the conversation key includes the
 * channel; with an app id the per-IP limit is off (the Bot Framework service's few addresses carry
 * everyone) while the per-conversation limit stays.
 */
import pino from 'pino';
import type { TurnContext } from 'botbuilder';
import { createApiMessagesEndpoint } from '../../src/bot';
import { type HttpRequestLike, type HttpResponseLike } from '../../src/bot/ApiMessagesEndpoint';

interface Sent {
  status?: number;
  headers: Record<string, unknown>;
  body?: unknown;
}

function call(handler: (req: HttpRequestLike, res: HttpResponseLike) => Promise<void>, body: unknown, ip = '10.0.0.1'): Promise<Sent> {
  const sent: Sent = { headers: {} };
  const res: HttpResponseLike = {
    socket: {},
    status: (code: number) => (sent.status = code),
    header: (name: string, value: unknown) => (sent.headers[name.toLowerCase()] = value),
    send: (b?: unknown) => (sent.body = b),
    end: () => undefined,
  };
  const req: HttpRequestLike = { body, headers: {}, method: 'POST', socket: { remoteAddress: ip } };
  return handler(req, res).then(() => sent);
}

const activity = (conversationId: string, extra: Record<string, unknown> = {}) => ({
  type: 'message',
  channelId: 'emulator',
  from: { id: 'user-1' },
  recipient: { id: 'bot' },
  conversation: { id: conversationId },
  text: 'bonjour',
  deliveryMode: 'expectReplies',
  ...extra,
});

function setup(options: { appId?: string; appPassword?: string } = {}) {
  // Anonymous requests from other addresses than this machine's need the emulator switch.
  let now = Date.parse('2026-01-05T10:00:00Z');
  const runs: string[] = [];
  const bot = {
    run: async (ctx: TurnContext) => {
      runs.push(`${ctx.activity.channelId}|${ctx.activity.conversation.id}`);
      await ctx.sendActivity(`echo ${ctx.activity.text}`);
    },
  };
  const handler = createApiMessagesEndpoint({
    bot,
    logger: pino({ level: 'silent' }),
    activitiesPerMinute: 2,
    conversationsPerIpPerMinute: 2,
    now: () => now,
    emulator: true,
    ...options,
  });
  return { handler, runs, advance: (ms: number) => (now += ms) };
}

describe('/api/messages limits', () => {
  test('over the limit: 429 with Retry-After, the bot not run; accepted again once the window has passed', async () => {
    const { handler, runs, advance } = setup();
    expect((await call(handler, activity('a'))).status).toBe(200);
    expect((await call(handler, activity('a'))).status).toBe(200);
    const limited = await call(handler, activity('a'));
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: { code: 'TooManyRequests', message: expect.any(String) } });
    const wait = Number(limited.headers['retry-after']);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(runs).toEqual(['emulator|a', 'emulator|a']);
    // Retry-After is an honest answer: just before it still 429, at it accepted.
    advance(wait * 1000 - 1500);
    expect((await call(handler, activity('a'))).status).toBe(429);
    advance(1500);
    const later = await call(handler, activity('a'));
    expect(later.status).toBe(200);
    expect(runs).toHaveLength(3);
  });

  test('the same conversation id on two channels has two budgets', async () => {
    const { handler } = setup();
    for (let i = 0; i < 2; i++) expect((await call(handler, activity('same'))).status).toBe(200);
    expect((await call(handler, activity('same'))).status).toBe(429);
    expect((await call(handler, activity('same', { channelId: 'webchat' }))).status).toBe(200);
  });

  test('new conversations per address: a third is refused, other addresses and open conversations are not', async () => {
    const { handler, runs, advance } = setup();
    expect((await call(handler, activity('c1'))).status).toBe(200);
    expect((await call(handler, activity('c2'))).status).toBe(200);
    const third = await call(handler, activity('c3'));
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await call(handler, activity('c1'))).status).toBe(200);
    expect((await call(handler, activity('c4'), '10.0.0.2')).status).toBe(200);
    expect(runs).not.toContain('emulator|c3');
    // A refused start is not remembered as open: after the window it counts as new, and is accepted.
    advance(120_000);
    expect((await call(handler, activity('c3'))).status).toBe(200);
  });

  test('with an app id: no per-address limit (requests come from the channel service), the per-conversation one stays', async () => {
    const { handler, runs } = setup({ appId: '00000000-0000-0000-0000-000000000001', appPassword: 'not-used-here' });
    // No valid Bot Framework token: the adapter refuses (401), but never for the address.
    const statuses: number[] = [];
    for (const id of ['x1', 'x2', 'x3', 'x4']) statuses.push((await call(handler, activity(id, { serviceUrl: 'https://smba.trafficmanager.net/emea/' }))).status!);
    expect(statuses).toEqual([401, 401, 401, 401]);
    const same: number[] = [];
    for (let i = 0; i < 3; i++) same.push((await call(handler, activity('y', { serviceUrl: 'https://smba.trafficmanager.net/emea/' }))).status!);
    expect(same).toEqual([401, 401, 429]);
    expect(runs).toEqual([]);
  });
});

/**
 * `/api/messages` authentication, as a stranger meets it: every refusal is 401 (503 when the
 * identity service cannot be reached) in our JSON error shape with no internal text, one JSON log
 * line each and nothing on the console; a genuine token (signed by a local stand-in for the Bot
 * Framework identity service) goes through; anonymous requests only from this machine, or with the
 * emulator switch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, createSign, type KeyObject } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { TurnContext } from 'botbuilder';
import { createApiMessagesEndpoint } from '../../src/bot';
import { type ApiMessagesOptions, type HttpRequestLike, type HttpResponseLike } from '../../src/bot/ApiMessagesEndpoint';
import { STATE_KEY } from '../../src/bot/turnCommit';
import { makeHarness } from './botHarness';

// Installed before any endpoint exists: the endpoint wraps the console it finds.
const consoleCalls: string[] = [];
for (const level of ['error', 'warn', 'log'] as const) jest.spyOn(console, level).mockImplementation((...args: unknown[]) => void consoleCalls.push(args.map(String).join(' ')));

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

interface Sent {
  status?: number;
  body?: unknown;
}

function call(handler: (req: HttpRequestLike, res: HttpResponseLike) => Promise<void>, body: unknown, headers: Record<string, string> = {}, ip = '203.0.113.7'): Promise<Sent> {
  const sent: Sent = {};
  const res: HttpResponseLike = {
    socket: {},
    status: (code: number) => (sent.status = code),
    header: () => undefined,
    send: (b?: unknown) => (sent.body = b),
    end: () => undefined,
  };
  return handler({ body, headers, method: 'POST', socket: { remoteAddress: ip } }, res).then(() => sent);
}

const activity = (extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: 'a1',
  channelId: 'msteams',
  serviceUrl: SERVICE_URL,
  from: { id: 'user-1' },
  recipient: { id: APP_ID },
  conversation: { id: 'conv-1' },
  text: 'bonjour',
  ...extra,
});

function endpoint(options: Partial<ApiMessagesOptions> = {}) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(l);
      done();
    },
  });
  const runs: string[] = [];
  const bot = {
    run: async (ctx: TurnContext) => {
      runs.push(ctx.activity.text ?? '');
      await ctx.sendActivity(`echo ${ctx.activity.text}`);
    },
  };
  const handler = createApiMessagesEndpoint({ bot, logger: pino({ level: 'info' }, sink), appId: APP_ID, appPassword: 'not-used', authTimeoutMs: 1500, ...options });
  return { handler, lines, runs };
}

/** A compact RS256 JWT, signed with node:crypto. */
function jwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(claims)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(key).toString('base64url')}`;
}

const channelClaims = (extra: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'https://api.botframework.com', aud: APP_ID, serviceurl: SERVICE_URL, nbf: now - 60, exp: now + 600, ...extra };
};

/** A local identity service: OpenID configuration and its keys, or a chosen failure. */
async function identityService(mode: { keys: Array<{ kid: string; key: KeyObject }> } | { status: number } | 'hang'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (mode === 'hang') return;
    if ('status' in mode) {
      res.writeHead(mode.status);
      res.end('down');
      return;
    }
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    if (req.url === '/keys') res.end(JSON.stringify({ keys: mode.keys.map(({ kid, key }) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' })) }));
    else res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openidconfiguration`;
  return {
    url,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * botbuilder's public-cloud settings with the token checks sent to `metadataUrl` (overriding one
 * setting means giving them all: botbuilder then takes the set as a whole).
 */
const identityAt = (metadataUrl: string) => ({
  authSettings: {
    ValidateAuthority: true,
    ToChannelFromBotLoginUrl: 'https://login.microsoftonline.com/botframework.com',
    ToChannelFromBotOAuthScope: 'https://api.botframework.com',
    ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    OAuthUrl: 'https://api.botframework.com',
    ToBotFromChannelOpenIdMetadataUrl: metadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: metadataUrl,
    CallerId: 'urn:botframework:azure',
  },
});

const ours = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** A refusal as a client must see it: our shape, our words, nothing of botbuilder's. */
function expectRefusal(sent: Sent, status: 401 | 503): void {
  expect(sent.status).toBe(status);
  expect(sent.body).toEqual({ error: { code: status === 401 ? 'Unauthorized' : 'ServiceUnavailable', message: expect.any(String) } });
  const message = (sent.body as { error: { message: string } }).error.message;
  expect(message).not.toMatch(/openID|Keys|jwt|signature|stack|at |Error:|ECONN|fetch/i);
}

/** One JSON line per refused request, at warn level, and nothing on the console. */
function expectOneLogLine(lines: string[], status: number): void {
  expect(lines).toHaveLength(1);
  const line = JSON.parse(lines[0]!) as { level: number; status: number; msg: string };
  expect(line).toMatchObject({ level: 40, status, msg: '/api/messages refused' });
  expect(consoleCalls).toEqual([]);
}

beforeEach(() => {
  consoleCalls.length = 0;
});

describe('/api/messages with MicrosoftAppId: refusals', () => {
  let identity: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    identity = await identityService({ keys: [{ kid: 'k1', key: ours.publicKey }] });
  });
  afterAll(async () => identity.close());
  const settings = () => identityAt(identity.url);

  test.each([
    ['no Authorization header', {}],
    ['not a bearer token', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['not a JWT', { authorization: 'Bearer abc.def' }],
    ['alg none', { authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(channelClaims())).toString('base64url')}.` }],
  ])('%s → 401', async (_what, headers) => {
    const { handler, lines, runs } = endpoint(settings());
    expectRefusal(await call(handler, activity(), headers as Record<string, string>), 401);
    expectOneLogLine(lines, 401);
    expect(runs).toEqual([]);
  });

  test('a forged JWT (an unknown key) → 401', async () => {
    const { handler, lines } = endpoint(settings());
    expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(attacker.privateKey, 'k9', channelClaims())}` }), 401);
    expectOneLogLine(lines, 401);
  });

  test('a forged JWT naming our key id, signed with another key → 401, and the keys botbuilder prints stay off the console', async () => {
    const { handler, lines } = endpoint(settings());
    expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(attacker.privateKey, 'k1', channelClaims())}` }), 401);
    expectOneLogLine(lines, 401);
  });

  test('a genuine token for another bot, or expired → 401', async () => {
    const { handler, lines } = endpoint(settings());
    expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(ours.privateKey, 'k1', channelClaims({ aud: 'someone-else' }))}` }), 401);
    const past = Math.floor(Date.now() / 1000) - 7200;
    expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(ours.privateKey, 'k1', channelClaims({ nbf: past - 600, exp: past }))}` }), 401);
    expect(lines).toHaveLength(2);
    expect(consoleCalls).toEqual([]);
  });

  test('a genuine token from the channel service goes through: the bot runs and its replies come back (expectReplies)', async () => {
    const { handler, runs } = endpoint(settings());
    const sent = await call(handler, activity({ deliveryMode: 'expectReplies' }), { authorization: `Bearer ${jwt(ours.privateKey, 'k1', channelClaims())}` });
    expect(sent.status).toBe(200);
    expect(runs).toEqual(['bonjour']);
    expect(JSON.stringify(sent.body)).toContain('echo bonjour');
  });
});

describe('/api/messages: where a turn\'s conversation state lives (issue 17 item 3)', () => {
  let identity: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    identity = await identityService({ keys: [{ kid: 'k1', key: ours.publicKey }] });
  });
  afterAll(async () => identity.close());
  const bearer = () => ({ authorization: `Bearer ${jwt(ours.privateKey, 'k1', channelClaims())}` });

  test('named by how the turn was let in, never under our Direct Line\'s keys, whatever channelId it says', async () => {
    const keys: unknown[] = [];
    const bot = { run: async (ctx: TurnContext) => void keys.push(ctx.turnState.get(STATE_KEY)) };
    const checked = endpoint({ ...identityAt(identity.url), bot });
    const anonymous = endpoint({ appId: undefined, appPassword: undefined, bot });
    const turn = (channelId: string) => activity({ channelId, deliveryMode: 'expectReplies' });
    for (const channelId of ['msteams', 'directline', 'directline/x']) expect((await call(checked.handler, turn(channelId), bearer())).status).toBe(200);
    for (const channelId of ['emulator', 'directline']) expect((await call(anonymous.handler, turn(channelId), {}, '127.0.0.1')).status).toBe(200);
    expect(keys).toEqual([
      { key: 'state/botframework/msteams/conv-1', legacy: 'state/msteams/conv-1' },
      { key: 'state/botframework/directline/conv-1' },
      { key: 'state/botframework/directline%2Fx/conv-1' },
      { key: 'state/anonymous/emulator/conv-1' },
      { key: 'state/anonymous/directline/conv-1' },
    ]);
  });

  test('a channel\'s conversation kept by an older release (state/<channel>/<id>) goes on where it was, moved to its new key', async () => {
    const h = makeHarness();
    const { handler } = endpoint({ ...identityAt(identity.url), bot: h.bot });
    const say = (id: string, text: string) => call(handler, activity({ id, text, deliveryMode: 'expectReplies', conversation: { id: 'conv-old' } }), bearer());
    expect((await say('m1', 'attestation caf')).status).toBe(200);
    // As the previous release kept it.
    const current = (await h.kv.get(['state/botframework/msteams/conv-old']))['state/botframework/msteams/conv-old']!;
    await h.kv.delete(['state/botframework/msteams/conv-old']);
    await h.kv.set([{ key: 'state/msteams/conv-old', value: current.value }]);
    const question = (current.value as { state: { nodeId: string } }).state.nodeId;

    expect((await say('m2', 'oui')).status).toBe(200);
    const items = await h.kv.scan<{ state: { flowId?: string; nodeId?: string } }>('state/');
    expect(items.map((i) => i.key)).toEqual(['state/botframework/msteams/conv-old']);
    expect(items[0]!.value.state.flowId).toBe('caf-attestation');
    expect(items[0]!.value.state.nodeId).not.toBe(question);
  });

  test('no older key for a turn saying channelId "directline": our Direct Line\'s state is not read', async () => {
    const h = makeHarness();
    await h.kv.set([{ key: 'state/directline/conv-dl', value: { state: { lang: 'fr', status: 'active', flowId: 'caf-attestation', nodeId: 'x', answers: {}, turn: 3 } } }]);
    const before = await h.kv.scan('state/directline/');
    const { handler } = endpoint({ ...identityAt(identity.url), bot: h.bot });
    const sent = await call(handler, activity({ channelId: 'directline', text: 'oui', deliveryMode: 'expectReplies', conversation: { id: 'conv-dl' } }), bearer());
    expect(sent.status).toBe(200);
    expect(await h.kv.scan('state/directline/')).toEqual(before);
    expect((await h.kv.scan('state/botframework/')).map((i) => i.key)).toEqual(['state/botframework/directline/conv-dl']);
  });
});

describe('/api/messages with MicrosoftAppId: the identity service out of reach → 503', () => {
  test('nothing listens at its address', async () => {
    const closed = await identityService({ status: 200 });
    const url = closed.url;
    await closed.close();
    const { handler, lines } = endpoint(identityAt(url));
    expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(attacker.privateKey, 'k1', channelClaims())}` }), 503);
    expectOneLogLine(lines, 503);
  });

  test('it answers 500', async () => {
    const failing = await identityService({ status: 500 });
    try {
      const { handler, lines } = endpoint(identityAt(failing.url));
      expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(attacker.privateKey, 'k1', channelClaims())}` }), 503);
      expectOneLogLine(lines, 503);
    } finally {
      await failing.close();
    }
  });

  test('it never answers: 503 after the time limit, not a request held for ever', async () => {
    const hanging = await identityService('hang');
    try {
      const { handler, lines } = endpoint({ ...identityAt(hanging.url), authTimeoutMs: 300 });
      expectRefusal(await call(handler, activity(), { authorization: `Bearer ${jwt(attacker.privateKey, 'k1', channelClaims())}` }), 503);
      expectOneLogLine(lines, 503);
    } finally {
      await hanging.close();
    }
  });

  test('the real Bot Framework addresses, with no network here (or with it: the forged token is refused)', async () => {
    const { handler, lines } = endpoint({ authTimeoutMs: 5000 });
    const sent = await call(handler, activity(), { authorization: `Bearer ${jwt(attacker.privateKey, 'k1', channelClaims())}` });
    expect([401, 503]).toContain(sent.status);
    expectRefusal(sent, sent.status as 401 | 503);
    expectOneLogLine(lines, sent.status!);
  });
});

describe('/api/messages without MicrosoftAppId (anonymous)', () => {
  const emulatorActivity = activity({ channelId: 'emulator', serviceUrl: 'http://127.0.0.1:9', deliveryMode: 'expectReplies' });

  test('from another machine: 401, the bot not run', async () => {
    const { handler, lines, runs } = endpoint({ appId: undefined, appPassword: undefined });
    expectRefusal(await call(handler, emulatorActivity, {}, '203.0.113.7'), 401);
    expectOneLogLine(lines, 401);
    expect(runs).toEqual([]);
  });

  test('from this machine through a local proxy (X-Forwarded-For, Forwarded): 401', async () => {
    const { handler } = endpoint({ appId: undefined, appPassword: undefined });
    expectRefusal(await call(handler, emulatorActivity, { 'x-forwarded-for': '203.0.113.7' }, '127.0.0.1'), 401);
    expectRefusal(await call(handler, emulatorActivity, { forwarded: 'for=203.0.113.7' }, '::1'), 401);
  });

  test('from this machine (a local Emulator): accepted', async () => {
    const { handler, runs } = endpoint({ appId: undefined, appPassword: undefined });
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) expect((await call(handler, emulatorActivity, {}, ip)).status).toBe(200);
    expect(runs).toHaveLength(3);
  });

  test('with the emulator switch (development): accepted from another machine too', async () => {
    const { handler, runs } = endpoint({ appId: undefined, appPassword: undefined, emulator: true });
    expect((await call(handler, emulatorActivity, {}, '203.0.113.7')).status).toBe(200);
    expect(runs).toEqual(['bonjour']);
  });
});

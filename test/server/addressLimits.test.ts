/**
 * Limits per client address on the real service (issue 17 items 4 and 5): a budget of turns across
 * all of an address's conversations (Direct Line and anonymous `/api/messages`), the client's
 * address read from `X-Forwarded-For` only behind a trusted proxy, and caps on open WebSocket
 * streams per conversation and per address (429 before upgrading).
 */
import WebSocket from 'ws';
import { http, waitFor } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(60_000);

type Service = Awaited<ReturnType<typeof startInProcess>>;

async function start(service: Service, headers: Record<string, string> = {}): Promise<{ conversationId: string; token: string; streamUrl: string }> {
  const r = await http('POST', `${service.url}/v3/directline/conversations`, { body: {}, headers });
  expect(r.status).toBe(201);
  return r.body;
}

function say(service: Service, c: { conversationId: string; token: string }, text: string, headers: Record<string, string> = {}) {
  return http('POST', `${service.url}/v3/directline/conversations/${c.conversationId}/activities`, { token: c.token, body: { type: 'message', text }, headers });
}

function apiMessage(service: Service, conversationId: string, type = 'message') {
  return http('POST', `${service.url}/api/messages`, {
    body: { type, channelId: 'emulator', from: { id: 'u' }, recipient: { id: 'bot' }, conversation: { id: conversationId }, text: 'bonjour', deliveryMode: 'expectReplies' },
  });
}

describe('turns per address across conversations (no trusted proxy)', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startInProcess({ ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '4', ARIANE_MAX_ACTIVITIES_PER_MINUTE: '100', ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '100' });
  });
  afterAll(async () => service.cleanup());

  test('Direct Line: new conversations bring no new budget; beyond it 429 with Retry-After, whatever X-Forwarded-For says', async () => {
    const conversations = [await start(service), await start(service), await start(service)];
    const statuses: number[] = [];
    for (const c of conversations) for (let i = 0; i < 2; i++) statuses.push((await say(service, c, 'bonjour')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await say(service, conversations[0]!, 'bonjour');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error: { code: 'TooManyRequests', message: expect.stringMatching(/address/) } });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(120);
    // The header is not believed from a connection that is not a trusted proxy.
    expect((await say(service, await start(service), 'bonjour', { 'X-Forwarded-For': '198.51.100.9' })).status).toBe(429);
    // Typing indicators run no turn and stay free.
    const typing = await http('POST', `${service.url}/v3/directline/conversations/${conversations[1]!.conversationId}/activities`, { token: conversations[1]!.token, body: { type: 'typing' } });
    expect(typing.status).toBe(200);
  });

  test('anonymous /api/messages: the same budget per address across its conversations (its own, apart from Direct Line’s)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await apiMessage(service, `api-${i % 3}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await apiMessage(service, 'api-new');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('TooManyRequests');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await apiMessage(service, 'api-0', 'typing')).status).not.toBe(429);
  });
});

describe('behind a trusted proxy: limits count the address it names', () => {
  let service: Service;
  beforeAll(async () => {
    service = await startInProcess({
      ARIANE_TRUSTED_PROXIES: '127.0.0.1, ::1',
      ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '3',
      ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '3',
      ARIANE_MAX_ACTIVITIES_PER_MINUTE: '100',
      ARIANE_MAX_STREAMS_PER_CONVERSATION: '2',
      ARIANE_MAX_STREAMS_PER_IP: '3',
      ARIANE_MAX_SIGNINS_PER_IP_PER_MINUTE: '2',
      ARIANE_ADMIN_TOKEN: 'address-limits-admin-token',
    });
  });
  afterAll(async () => service.cleanup());

  const from = (address: string) => ({ 'X-Forwarded-For': `203.0.113.250, ${address}` });

  test('each resident behind the proxy has a budget of their own; the left-most, forgeable entries change nothing', async () => {
    const a = await start(service, from('198.51.100.1'));
    const b = await start(service, from('198.51.100.1'));
    const statuses = [];
    for (const c of [a, b, a, b]) statuses.push((await say(service, c, 'bonjour', from('198.51.100.1'))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    // Another resident through the same proxy is not held back…
    const other = await start(service, from('198.51.100.2'));
    expect((await say(service, other, 'bonjour', from('198.51.100.2'))).status).toBe(200);
    // …and a resident cannot escape by writing addresses of their own left of the proxy's entry.
    expect((await say(service, a, 'bonjour', { 'X-Forwarded-For': '10.9.9.9, 198.51.100.1' })).status).toBe(429);
  });

  test('IPv6 residents share their /64; a malformed header counts as the proxy itself', async () => {
    const c = await start(service, from('2001:db8:1:2::1'));
    const statuses = [];
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3', '2001:db8:1:2::4']) statuses.push((await say(service, c, 'bonjour', from(address))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await say(service, c, 'bonjour', from('2001:db8:1:3::1'))).status).toBe(200);
    const junk = { 'X-Forwarded-For': '198.51.100.1, not-an-address' };
    const proxyItself = [];
    for (let i = 0; i < 4; i++) proxyItself.push((await say(service, c, 'bonjour', junk)).status);
    expect(proxyItself).toEqual([200, 200, 200, 429]);
  });

  test('conversation starts are counted per resident too', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await http('POST', `${service.url}/v3/directline/conversations`, { body: {}, headers: from('198.51.100.77') })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect((await http('POST', `${service.url}/v3/directline/conversations`, { body: {}, headers: from('198.51.100.78') })).status).toBe(201);
  });

  test('the pages’ limits too: code look-ups, mediator and admin sign-ins count the resident, not the proxy', async () => {
    const look = (address: string) => fetch(`${service.url}/mediateur/relais?code=ZZZ-ZZZ-ZZ9`, { headers: from(address) });
    const lookups = [];
    for (let i = 0; i < 21; i++) lookups.push((await look('198.51.100.90')).status);
    expect(lookups.slice(0, 20)).not.toContain(429);
    expect(lookups[20]).toBe(429);
    expect((await look('198.51.100.91')).status).not.toBe(429);
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    for (const [path, body] of [['/mediateur/connexion', 'login=marie&password=wrong-password'], ['/admin/login', 'token=wrong-wrong-wrong-wrong']] as const) {
      const tries = [];
      for (let i = 0; i < 3; i++) tries.push((await fetch(`${service.url}${path}`, { method: 'POST', headers: { ...form, ...from('198.51.100.92') }, body })).status);
      expect(tries.slice(0, 2)).not.toContain(429);
      expect(tries[2]).toBe(429);
      expect((await fetch(`${service.url}${path}`, { method: 'POST', headers: { ...form, ...from('198.51.100.93') }, body })).status).not.toBe(429);
    }
  });

  /** Opens a stream; resolves to its socket, or to the refusal's status, headers and body. */
  function openStream(url: string, headers: Record<string, string>): Promise<{ ws?: WebSocket; status: number; retryAfter?: string; body?: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.on('open', () => resolve({ ws, status: 101 }));
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') }));
      });
      ws.on('error', (err) => reject(err));
    });
  }

  test('streams: at most 2 per conversation and 3 per address, refused with 429 before upgrading; a closed one frees its place', async () => {
    const who = from('198.51.100.50');
    const x = await start(service, from('198.51.100.40'));
    const y = await start(service, from('198.51.100.40'));
    const z = await start(service, from('198.51.100.41'));
    const open: WebSocket[] = [];
    try {
      const first = await openStream(x.streamUrl, who);
      const second = await openStream(x.streamUrl, who);
      expect([first.status, second.status]).toEqual([101, 101]);
      open.push(first.ws!, second.ws!);
      const third = await openStream(x.streamUrl, who);
      expect(third.status).toBe(429);
      expect(Number(third.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(third.body!)).toEqual({ error: { code: 'TooManyRequests', message: expect.stringMatching(/conversation/) } });
      // The conversation's cap holds whoever asks.
      expect((await openStream(x.streamUrl, from('198.51.100.51'))).status).toBe(429);

      // The address's cap: 2 on x and 1 on y is 3.
      const onY = await openStream(y.streamUrl, who);
      expect(onY.status).toBe(101);
      open.push(onY.ws!);
      const onZ = await openStream(z.streamUrl, who);
      expect(onZ.status).toBe(429);
      expect(JSON.parse(onZ.body!).error.message).toMatch(/address/);
      // Another resident opens z.
      const elsewhere = await openStream(z.streamUrl, from('198.51.100.52'));
      expect(elsewhere.status).toBe(101);
      open.push(elsewhere.ws!);

      // Closing a stream of x gives its place back, on x and for the address.
      open.shift()!.close();
      const again = await waitFor(async () => {
        const r = await openStream(x.streamUrl, who);
        if (r.status === 101) return r;
        return undefined;
      }, 10_000, 'a place freed on x');
      open.push(again.ws!);
      // Refused streams held nothing: the same three are open, and the fourth is still refused.
      expect((await openStream(z.streamUrl, who)).status).toBe(429);
    } finally {
      for (const ws of open) ws.terminate();
    }
  });
});

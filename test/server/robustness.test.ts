/**
 * `/api/messages` (CloudAdapter, anonymous) with expectReplies, and malformed requests on every route:
 * each gets a 4xx with a JSON error, and the service keeps serving afterwards.
 */
import { http } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(30_000);

describe('/api/messages and malformed requests', () => {
  let service: Awaited<ReturnType<typeof startInProcess>>;
  beforeAll(async () => {
    service = await startInProcess();
  });
  afterAll(async () => service.cleanup());

  const activity = (extra: Record<string, unknown> = {}) => ({
    type: 'message',
    id: 'a1',
    channelId: 'emulator',
    serviceUrl: 'http://127.0.0.1:9',
    from: { id: 'user-1', name: 'User' },
    recipient: { id: 'bot', name: 'Ariane' },
    conversation: { id: 'conv-api-1' },
    text: 'attestation caf',
    locale: 'fr-FR',
    deliveryMode: 'expectReplies',
    ...extra,
  });

  test('expectReplies: the replies come back in the response body, and the conversation state is kept', async () => {
    const r = await http('POST', `${service.url}/api/messages`, { body: activity() });
    expect(r.status).toBe(200);
    const texts = (r.body.activities as Array<{ text?: string }>).map((a) => a.text).join('\n');
    expect(texts).toContain('Attestation CAF');
    const next = await http('POST', `${service.url}/api/messages`, { body: activity({ id: 'a2', text: 'oui' }) });
    expect(next.status).toBe(200);
    expect((next.body.activities as Array<{ text?: string }>).map((a) => a.text).join('\n')).toMatch(/Quelle attestation/);
  });

  test('conversationUpdate with expectReplies returns the welcome', async () => {
    const r = await http('POST', `${service.url}/api/messages`, {
      body: activity({ type: 'conversationUpdate', text: undefined, conversation: { id: 'conv-api-2' }, membersAdded: [{ id: 'user-1' }] }),
    });
    expect(r.status).toBe(200);
    expect(r.body.activities[0].text).toMatch(/^Bonjour/);
  });

  test('malformed bodies get 4xx with a JSON error and never 5xx; the service keeps serving', async () => {
    const start = await http('POST', `${service.url}/v3/directline/conversations`, {});
    const { conversationId, token } = start.body as { conversationId: string; token: string };
    const dlPost = `${service.url}/v3/directline/conversations/${conversationId}/activities`;
    const big = 'x'.repeat(1024 * 1024);
    const cases: Array<{ url: string; raw?: string; body?: unknown; token?: string; headers?: Record<string, string> }> = [
      { url: dlPost, raw: '{not json', token, headers: { 'Content-Type': 'application/json' } },
      { url: dlPost, body: [], token },
      { url: dlPost, body: 'hello', token },
      { url: dlPost, body: { type: 42, text: 'x' }, token },
      { url: dlPost, body: { type: 'message', text: { nested: true } }, token },
      { url: dlPost, body: { type: 'message' }, token },
      { url: dlPost, body: { type: 'unknownType', text: 'x' }, token },
      { url: dlPost, body: { type: 'message', text: big }, token },
      { url: dlPost, body: { type: 'message', text: 'x'.repeat(5000) }, token },
      { url: dlPost, body: { type: 'message', text: 'ok', channelData: { clientActivityID: { a: 1 } } }, token },
      { url: dlPost, raw: `{"type":"message","value":${'['.repeat(20000)}${']'.repeat(20000)}}`, token, headers: { 'Content-Type': 'application/json' } },
      { url: dlPost, raw: 'type=message', token, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
      { url: `${service.url}/v3/directline/conversations/${conversationId}/activities?watermark=abc`, token },
      { url: `${service.url}/v3/directline/conversations/${'x'.repeat(500)}/activities`, body: { type: 'message', text: 'x' }, token },
      { url: `${service.url}/v3/directline/conversations`, body: { user: { id: 12 } } },
      { url: `${service.url}/v3/directline/conversations`, body: 'text' },
      { url: `${service.url}/api/messages`, raw: '{oops', headers: { 'Content-Type': 'application/json' } },
      { url: `${service.url}/api/messages`, body: [] },
      { url: `${service.url}/api/messages`, body: {} },
      { url: `${service.url}/api/messages`, body: { type: 'message' } },
      { url: `${service.url}/api/messages`, body: activity({ conversation: 'c' }) },
      { url: `${service.url}/api/messages`, body: activity({ from: 5 }) },
      { url: `${service.url}/api/messages`, body: activity({ text: 7 }) },
      { url: `${service.url}/api/messages`, body: activity({ text: big }) },
      { url: `${service.url}/api/messages`, body: activity({ serviceUrl: 'javascript:alert(1)', deliveryMode: undefined }) },
      { url: `${service.url}/api/messages`, body: activity({ membersAdded: 'all' , type: 'conversationUpdate' }) },
    ];
    for (const c of cases) {
      const isGet = c.url.includes('watermark=abc');
      const r = await http(isGet ? 'GET' : 'POST', c.url, { raw: c.raw, body: c.body, token: c.token, headers: c.headers });
      expect({ case: c.raw?.slice(0, 40) ?? JSON.stringify(c.body)?.slice(0, 80), url: c.url.slice(-40), status: r.status >= 400 && r.status < 500 }).toEqual({
        case: c.raw?.slice(0, 40) ?? JSON.stringify(c.body)?.slice(0, 80),
        url: c.url.slice(-40),
        status: true,
      });
      expect(r.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    // Unknown routes and methods: 404/405 in the same JSON shape.
    const nf = await http('GET', `${service.url}/v3/directline/nothing`);
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toEqual(expect.any(String));

    // Still serving.
    expect((await http('GET', `${service.url}/healthz`)).status).toBe(200);
    const ok = await http('POST', dlPost, { token, body: { type: 'message', text: 'attestation caf', from: { id: 'x' } } });
    expect(ok.status).toBe(200);
    const list = await http('GET', `${service.url}/v3/directline/conversations/${conversationId}/activities`, { token });
    expect(list.body.activities.map((a: { text?: string }) => a.text).join('\n')).toContain('Attestation CAF');
  });

  test('readyz: 200 with flows loaded and the store answering', async () => {
    const ready = await http('GET', `${service.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.store).toMatch(/ok/);
  });
});

describe('readyz when the store does not answer', () => {
  test('503', async () => {
    const service = await startInProcess();
    try {
      await service.store.close();
      const r = await http('GET', `${service.url}/readyz`);
      expect(r.status).toBe(503);
      expect(r.body.status).toBe('not ready');
      expect((await http('GET', `${service.url}/healthz`)).status).toBe(200);
    } finally {
      await service.cleanup().catch(() => undefined);
    }
  });
});

describe('/api/messages without an app id', () => {
  test('replies only to a loopback serviceUrl (Emulator) or in the response: no request forgery', async () => {
    const service = await startInProcess();
    try {
      const r = await http('POST', `${service.url}/api/messages`, {
        body: { type: 'message', channelId: 'x', serviceUrl: 'http://169.254.169.254/latest', from: { id: 'u' }, recipient: { id: 'b' }, conversation: { id: 'c' }, text: 'hi' },
      });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/Emulator/);
    } finally {
      await service.cleanup();
    }
  });
});

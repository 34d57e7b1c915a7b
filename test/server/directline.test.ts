/**
 * Direct Line rules checked over HTTP against the in-process service: tokens bound to conversation
 * and user, expiry then refresh with the official client, secret mode, CORS, reconnect.
 */
import { ConnectionStatus, TestClient } from '../e2e/directLineClient';
import { http, waitFor } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(30_000);

describe('Direct Line API (public mode)', () => {
  let service: Awaited<ReturnType<typeof startInProcess>>;
  const dl = (path: string) => `${service.url}/v3/directline${path}`;
  beforeAll(async () => {
    service = await startInProcess({ ARIANE_TOKEN_TTL: '3', ARIANE_ALLOWED_ORIGINS: 'https://widget.example.fr' });
    // A first conversation waits for the classifier to finish learning (seconds on a busy machine):
    // had the tests' 3-second tokens aged meanwhile, they would expire before their own checks.
    const warm = await http('POST', dl('/tokens/generate'), { token: 'undefined' });
    await http('POST', dl('/conversations'), { token: warm.body.token, body: { user: {} } });
  });
  afterAll(async () => service.cleanup());

  test('tokens/generate then conversations with that token: 201, same conversation, welcome in the stream', async () => {
    const gen = await http('POST', dl('/tokens/generate'), { token: 'undefined' });
    expect(gen.status).toBe(200);
    expect(gen.body).toEqual({ conversationId: expect.any(String), token: expect.any(String), expires_in: 3 });
    const start = await http('POST', dl('/conversations'), { token: gen.body.token, body: { user: {} } });
    expect(start.status).toBe(201);
    expect(start.body.conversationId).toBe(gen.body.conversationId);
    const list = await http('GET', dl(`/conversations/${start.body.conversationId}/activities?watermark=`), { token: start.body.token });
    expect(list.status).toBe(200);
    expect(list.body.activities[0].text).toMatch(/^Bonjour/);
    expect(typeof list.body.watermark).toBe('string');
    // Starting again with the same token returns the same conversation without a second welcome.
    const again = await http('POST', dl('/conversations'), { token: gen.body.token });
    expect(again.status).toBe(200);
    const list2 = await http('GET', dl(`/conversations/${start.body.conversationId}/activities`), { token: again.body.token });
    expect(list2.body.activities).toHaveLength(list.body.activities.length);
  });

  test('a token for conversation A is refused on conversation B (403), and a forged one too', async () => {
    const a = await http('POST', dl('/conversations'), {});
    const b = await http('POST', dl('/conversations'), {});
    expect(a.status).toBe(201);
    const onB = await http('GET', dl(`/conversations/${b.body.conversationId}/activities`), { token: a.body.token });
    expect(onB.status).toBe(403);
    const postB = await http('POST', dl(`/conversations/${b.body.conversationId}/activities`), { token: a.body.token, body: { type: 'message', text: 'x' } });
    expect(postB.status).toBe(403);
    const reconnectB = await http('GET', dl(`/conversations/${b.body.conversationId}?watermark=`), { token: a.body.token });
    expect(reconnectB.status).toBe(403);
    const [h, p, s] = (a.body.token as string).split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, conv: b.body.conversationId })).toString('base64url')}.${s}`;
    expect((await http('GET', dl(`/conversations/${b.body.conversationId}/activities`), { token: forged })).status).toBe(403);
    expect((await http('GET', dl(`/conversations/${b.body.conversationId}/activities`), {})).status).toBe(401);
    expect((await http('GET', dl(`/conversations/nope/activities`), { token: a.body.token })).status).toBe(403);
  });

  test('reconnect (GET conversation) answers a fresh token for the same conversation', async () => {
    const a = await http('POST', dl('/conversations'), {});
    const r = await http('GET', dl(`/conversations/${a.body.conversationId}?watermark=1`), { token: a.body.token });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ conversationId: a.body.conversationId, token: expect.any(String), expires_in: 3 });
  });

  test('expired token: the official client gets 403 (ExpiredToken), the page refreshes, the conversation goes on', async () => {
    const client = new TestClient(service.url);
    try {
      await client.welcome();
      await waitFor(() => (client.statuses.includes(ConnectionStatus.ExpiredToken) ? true : undefined), 10_000, 'expired token status');
      const old = client.token;
      expect((await http('GET', dl(`/conversations/${client.conversationId}/activities`), { token: old })).status).toBe(403);
      const refreshed = await http('POST', dl('/tokens/refresh'), { token: old });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ conversationId: client.conversationId, token: expect.any(String), expires_in: 3 });
      client.dl.reconnect({ conversationId: client.conversationId, token: refreshed.body.token });
      const replies = await client.say('attestation caf');
      expect(replies.map((r) => r.text).join('\n')).toContain('Attestation CAF');
    } finally {
      client.end();
    }
  });

  test('refresh refuses garbage and tokens of unknown conversations', async () => {
    const garbage = await http('POST', dl('/tokens/refresh'), { token: 'abc.def.ghi' });
    expect(garbage.status).toBe(403);
    expect(garbage.body.error.code).toBe('Forbidden');
    expect((await http('POST', dl('/tokens/refresh'), {})).status).toBe(401);
    const gen = await http('POST', dl('/tokens/generate'), {});
    expect((await http('POST', dl('/tokens/refresh'), { token: gen.body.token })).status).toBe(404);
  });

  test('upload (Web Chat\'s paperclip, multipart): 415 NotSupported in our JSON shape, the file never read; 401 without a token', async () => {
    const a = await http('POST', dl('/conversations'), {});
    const boundary = 'ArianeTestBoundary';
    const raw = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="carte.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(20_000)}\r\n--${boundary}--\r\n`;
    const headers = { 'Content-Type': `multipart/form-data; boundary=${boundary}` };
    const r = await http('POST', dl(`/conversations/${a.body.conversationId}/upload?userId=u`), { token: a.body.token, raw, headers });
    expect(r.status).toBe(415);
    expect(r.body).toEqual({ error: { code: 'NotSupported', message: expect.stringMatching(/ne sont pas acceptés.*not accepted/) } });
    expect((await http('POST', dl(`/conversations/${a.body.conversationId}/upload`), { raw, headers })).status).toBe(401);
    // The conversation goes on.
    const posted = await http('POST', dl(`/conversations/${a.body.conversationId}/activities`), { token: a.body.token, body: { type: 'message', text: 'bonjour' } });
    expect(posted.status).toBe(200);
  });

  test('CORS: preflight for an allowed origin allows Authorization and x-ms-bot-agent; others get no CORS headers', async () => {
    const ok = await http('OPTIONS', dl('/conversations'), {
      headers: { Origin: 'https://widget.example.fr', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,x-ms-bot-agent,content-type' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://widget.example.fr');
    const allowed = ok.headers.get('access-control-allow-headers')!.toLowerCase();
    for (const h of ['authorization', 'x-ms-bot-agent', 'content-type', 'x-requested-with']) expect(allowed).toContain(h);
    const other = await http('OPTIONS', dl('/conversations'), { headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const get = await http('POST', dl('/conversations'), { headers: { Origin: 'https://widget.example.fr' } });
    expect(get.headers.get('access-control-allow-origin')).toBe('https://widget.example.fr');
  });

  test('user ids: dl_ ids are reserved to tokens; a page-chosen id is kept in public mode', async () => {
    const chosen = await http('POST', dl('/conversations'), { body: { user: { id: 'visitor-42' } } });
    const payload = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString());
    expect(payload(chosen.body.token).user).toBe('visitor-42');
    const reserved = await http('POST', dl('/conversations'), { body: { user: { id: 'dl_someone' } } });
    expect(payload(reserved.body.token).user).not.toBe('dl_someone');
    const bad = await http('POST', dl('/conversations'), { body: { user: { id: '<script>' } } });
    expect(bad.status).toBe(400);
  });
});

describe('Direct Line API with ARIANE_DIRECTLINE_SECRET', () => {
  let service: Awaited<ReturnType<typeof startInProcess>>;
  const secret = 'a-very-secret-directline-key';
  const dl = (path: string) => `${service.url}/v3/directline${path}`;
  beforeAll(async () => {
    service = await startInProcess({ ARIANE_DIRECTLINE_SECRET: secret });
  });
  afterAll(async () => service.cleanup());

  test('tokens and conversations need the secret; the secret reaches any conversation', async () => {
    expect((await http('POST', dl('/tokens/generate'), {})).status).toBe(401);
    expect((await http('POST', dl('/conversations'), { token: 'undefined' })).status).toBe(401);
    expect((await http('POST', dl('/tokens/generate'), { token: 'wrong-secret-of-some-length' })).status).toBe(403);
    const gen = await http('POST', dl('/tokens/generate'), { token: secret, body: { user: { id: 'dl_known-user' } } });
    expect(gen.status).toBe(200);
    const start = await http('POST', dl('/conversations'), { token: gen.body.token });
    expect(start.status).toBe(201);
    const bySecret = await http('GET', dl(`/conversations/${start.body.conversationId}/activities`), { token: secret });
    expect(bySecret.status).toBe(200);
    expect(bySecret.body.activities[0].recipient.id).toBe('dl_known-user');
  });
});

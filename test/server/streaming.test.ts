/**
 * WebSocket streaming (`streamUrl`), which Web Chat uses by default: the official client in
 * WebSocket mode (no polling at all) receives the welcome and the replies.
 */
import WebSocket from 'ws';
import { TestClient, textOf } from '../e2e/directLineClient';
import { http, waitFor } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(30_000);

describe('Direct Line streaming', () => {
  let service: Awaited<ReturnType<typeof startInProcess>>;
  const g = globalThis as { WebSocket?: unknown };
  const hadWebSocket = 'WebSocket' in g;
  const previous = g.WebSocket;
  beforeAll(async () => {
    service = await startInProcess();
    // directlinejs only streams when a global WebSocket exists (as in browsers).
    g.WebSocket = WebSocket;
  });
  afterAll(async () => {
    if (hadWebSocket) g.WebSocket = previous;
    else delete g.WebSocket;
    await service.cleanup();
  });

  test('start and reconnect answer a streamUrl carrying the token', async () => {
    const start = await http('POST', `${service.url}/v3/directline/conversations`, {});
    expect(start.body.streamUrl).toBe(
      `ws://${new URL(service.url).host}/v3/directline/conversations/${start.body.conversationId}/stream?t=${encodeURIComponent(start.body.token)}`,
    );
    const again = await http('GET', `${service.url}/v3/directline/conversations/${start.body.conversationId}?watermark=2`, { token: start.body.token });
    expect(again.body.streamUrl).toMatch(/&watermark=2$/);
  });

  test('the official client in WebSocket mode gets the welcome, the typing indicator and the replies', async () => {
    const client = new TestClient(service.url, { webSocket: true, WebSocket } as never);
    try {
      const welcome = await client.welcome();
      expect(welcome.text).toMatch(/^Bonjour/);
      expect((client.dl as unknown as { webSocket: boolean }).webSocket).toBe(true);
      const replies = await client.say('attestation caf');
      expect(textOf(replies)).toContain('Attestation CAF');
      // While the turn ran, the bot was typing (Web Chat shows its indicator), before its replies.
      const typing = client.activities.findIndex((a) => a.type === 'typing' && a.from.role === 'bot');
      const reply = client.activities.findIndex((a) => a.id === replies[0]!.id);
      expect(typing).toBeGreaterThan(0);
      expect(typing).toBeLessThan(reply);
      // A typing frame has no watermark: the client's stays the stored stream's.
      expect(Number(client.watermark)).toBe(client.activities.filter((a) => a.type !== 'typing').length);
    } finally {
      client.end();
    }
  });

  test('a stream with a token of another conversation, or none, is refused', async () => {
    const a = await http('POST', `${service.url}/v3/directline/conversations`, {});
    const b = await http('POST', `${service.url}/v3/directline/conversations`, {});
    const base = `ws://${new URL(service.url).host}/v3/directline/conversations/${b.body.conversationId}/stream`;
    for (const url of [`${base}?t=${encodeURIComponent(a.body.token)}`, base, `${base}?t=${encodeURIComponent(b.body.token)}&watermark=x`]) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => undefined);
      });
      expect(status).toBeGreaterThanOrEqual(400);
    }
    // The right token opens it and the history arrives as an activity set.
    const ok = new WebSocket(`${base}?t=${encodeURIComponent(b.body.token)}`);
    const messages: string[] = [];
    ok.on('message', (m) => messages.push(String(m)));
    try {
      const first = await waitFor(() => messages[0], 5000, 'first activity set');
      const set = JSON.parse(first) as { activities: Array<{ text: string }>; watermark: string };
      expect(set.activities[0]!.text).toMatch(/^Bonjour/);
      expect(set.watermark).toBe(String(set.activities.length));
    } finally {
      ok.close();
    }
  });
});

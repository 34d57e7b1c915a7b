/**
 * `/api/messages` as the Bot Framework Emulator uses it (normal delivery): the bot's replies are
 * POSTed back to the caller's `serviceUrl` (here a local stand-in for the Emulator's connector).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, waitFor } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(30_000);

test('replies reach the Emulator-style serviceUrl through CloudAdapter', async () => {
  const received: Array<{ url: string; body: { type: string; text?: string; replyToId?: string } }> = [];
  const connector: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(data || '{}') });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: `r${received.length}` }));
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', () => r()));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
  const service = await startInProcess();
  try {
    const r = await http('POST', `${service.url}/api/messages`, {
      body: {
        type: 'message',
        id: 'm1',
        channelId: 'emulator',
        serviceUrl,
        from: { id: 'user-1', name: 'User' },
        recipient: { id: 'bot', name: 'Ariane' },
        conversation: { id: 'emu-conv-1' },
        text: "je veux m'inscrire à France Travail",
        locale: 'fr-FR',
      },
    });
    expect(r.status).toBe(200);
    const texts = await waitFor(() => (received.length >= 2 ? received.map((x) => x.body.text ?? '').join('\n') : undefined), 10_000, 'replies at the connector');
    expect(texts).toContain('France Travail');
    expect(received[0]!.url).toMatch(/^\/v3\/conversations\/emu-conv-1\/activities\/m1$/);
    expect(received.every((x) => x.body.replyToId === 'm1')).toBe(true);
  } finally {
    await service.cleanup();
    await new Promise<void>((r) => connector.close(() => r()));
  }
});

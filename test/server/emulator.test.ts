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

test('the Emulator\'s serviceUrl answering 500: /api/messages answers 502, and the same activity sent again is answered once, its answer applied once', async () => {
  let down = false;
  let refusedCalls = 0;
  const received: Array<{ text?: string; replyToId?: string }> = [];
  const connector: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      if (down) {
        refusedCalls++;
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end('{"error":{"code":"ServiceError","message":"down"}}');
        return;
      }
      received.push(JSON.parse(data || '{}'));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ id: `r${received.length}` }));
    });
  });
  await new Promise<void>((r) => connector.listen(0, '127.0.0.1', () => r()));
  const serviceUrl = `http://127.0.0.1:${(connector.address() as AddressInfo).port}`;
  const service = await startInProcess();
  const post = (id: string, text: string) =>
    http('POST', `${service.url}/api/messages`, {
      body: { type: 'message', id, channelId: 'emulator', serviceUrl, from: { id: 'user-1' }, recipient: { id: 'bot' }, conversation: { id: 'emu-500' }, text, locale: 'fr-FR' },
    });
  const repliesTo = (id: string) => received.filter((a) => a.replyToId === id).map((a) => a.text ?? '').join('\n');
  try {
    expect((await post('m1', 'attestation caf')).status).toBe(200);
    await waitFor(() => (repliesTo('m1').includes('Recevez-vous') ? true : undefined), 10_000, 'the first question');
    // « oui » answers the first question; its replies are refused by the Emulator's connector
    // (botbuilder's own retries included).
    down = true;
    const refused = await post('m2', 'oui');
    down = false;
    expect(refusedCalls).toBeGreaterThan(0);
    expect(refused.status).toBe(502);
    expect(refused.body).toEqual({ error: { code: 'ServiceError', message: expect.stringMatching(/send the activity again/) } });
    expect(repliesTo('m2')).toBe('');
    // The channel sends m2 again: the same answer to the same question, not « oui » applied twice.
    expect((await post('m2', 'oui')).status).toBe(200);
    await waitFor(() => (repliesTo('m2') ? true : undefined), 10_000, 'the replies to m2');
    expect(repliesTo('m2')).toMatch(/Quelle attestation/);
    expect((await post('m3', 'paiement')).status).toBe(200);
    await waitFor(() => (repliesTo('m3') ? true : undefined), 10_000, 'the replies to m3');
    expect(repliesTo('m3')).toMatch(/internet/);
  } finally {
    await service.cleanup();
    await new Promise<void>((r) => connector.close(() => r()));
  }
});

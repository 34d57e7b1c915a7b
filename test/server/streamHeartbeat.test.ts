/**
 * A stream counts against the caps until its connection closes, so a connection that vanished
 * without closing (a phone out of coverage) must not hold its place for good: the server pings open
 * streams and closes those that missed a ping; streams that answer (every WebSocket client does, by
 * itself) stay open.
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { waitFor } from '../e2e/support';
import { startBareServer } from './bareServer';

describe('stream heartbeat', () => {
  let bare: Awaited<ReturnType<typeof startBareServer>>;
  let base: string;
  beforeAll(async () => {
    bare = await startBareServer({ streamsPerConversation: 1, streamHeartbeatMs: 50 });
    base = `127.0.0.1:${bare.port}`;
  });
  afterAll(async () => {
    await bare.close();
  });

  /** Upgrades by hand and then reads nothing: pings go unanswered. */
  function silentStream(path: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const [host, port] = base.split(':');
      const req = http.request({ host, port: Number(port), path, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
      req.on('upgrade', (_res, socket) => resolve(socket));
      req.on('response', (res) => reject(new Error(`not upgraded: ${res.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  function status(url: string): Promise<{ status: number; ws?: WebSocket }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('open', () => resolve({ status: 101, ws }));
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.on('error', reject);
    });
  }

  test('a stream that stops answering pings is closed and frees its place; one that answers stays', async () => {
    const path = '/v3/directline/conversations/conv-a/stream?t=x';
    const silent = await silentStream(path);
    let silentClosed = false;
    silent.on('close', () => (silentClosed = true));
    silent.on('error', () => undefined);
    // Reads (and drops) what comes, pings included, so that the server's close is seen.
    silent.resume();
    // Its place is taken: the cap per conversation is 1.
    expect((await status(`ws://${base}${path}`)).status).toBe(429);
    await waitFor(() => (silentClosed ? true : undefined), 10_000, 'the silent stream to be closed');
    const live = await waitFor(async () => {
      const r = await status(`ws://${base}${path}`);
      return r.status === 101 ? r.ws : undefined;
    }, 10_000, 'the place to be free');
    let liveClosed = false;
    live!.on('close', () => (liveClosed = true));
    // Many heartbeats later, the stream that answers its pings is still open.
    await new Promise((r) => setTimeout(r, 500));
    expect(liveClosed).toBe(false);
    expect(live!.readyState).toBe(WebSocket.OPEN);
    live!.terminate();
  });
});

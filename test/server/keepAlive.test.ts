/**
 * The service sometimes holds its event loop for seconds (the classifier learns the example requests
 * after start and after each flow edit). A client reusing a kept-alive connection right then must
 * get its answer, not a reset: the server must not close idle connections that soon.
 */
import * as net from 'node:net';
import { startBareServer } from './bareServer';

/** Blocks this thread, as a long synchronous computation in the server would. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('kept-alive connections', () => {
  let bare: Awaited<ReturnType<typeof startBareServer>>;
  beforeAll(async () => {
    bare = await startBareServer();
  });
  afterAll(async () => {
    await bare.close();
  });

  it('answers a request sent on a connection left idle while the event loop was busy for six seconds', async () => {
    const socket = net.connect(bare.port, '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (d) => (received += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => (closed = true));
    const request = 'GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n';
    const responses = () => received.split('HTTP/1.1 ').length - 1;
    const until = async (ok: () => boolean) => {
      for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    };
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(request);
    await until(() => responses() === 1);
    expect(responses()).toBe(1);
    // Node's default would close the idle connection after 5 s, right when the next request arrives.
    blockFor(6000);
    socket.write(request);
    await until(() => responses() === 2 || closed);
    expect(closed).toBe(false);
    expect(responses()).toBe(2);
    socket.destroy();
  }, 20_000);
});

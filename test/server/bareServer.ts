/**
 * `createServer` alone, listening on a free loopback port, with Direct Line routes that answer 404
 * and streams that are always allowed: for tests of what the HTTP layer does by itself.
 */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createServer, type ServerDeps } from '../../src/server/createServer';

const unused = async () => ({ status: 404, body: {} });

/** Starts the bare server; `deps` override the defaults. */
export async function startBareServer(deps: Partial<ServerDeps> = {}): Promise<{ server: ReturnType<typeof createServer>; port: number; close(): Promise<void> }> {
  const server = createServer({
    directLine: {
      generateToken: unused,
      startConversation: unused,
      reconnect: unused,
      postActivity: unused,
      getActivities: unused,
      refreshToken: unused,
      authorizeStream: async () => undefined,
      openStream: () => () => undefined,
    },
    apiMessages: async () => undefined,
    ready: async () => ({ ok: true, checks: {} }),
    logger: pino({ level: 'silent' }),
    allowedOrigins: [],
    ...deps,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

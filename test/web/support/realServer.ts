/**
 * Starts the REAL service in-process (`startService` from src/main.ts: flows, SQLite store, bot,
 * Direct Line channel, `createServer`, and the web routes it mounts) on 127.0.0.1 with a random port
 * and a throw-away data directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino, { type Logger } from 'pino';
import { loadConfig } from '../../../src/config';
import { getGeocoder } from '../../../src/geo';
import { startService, type RunningService } from '../../../src/main';
import { loadStarterPlaces } from '../../../src/places';
import { createStore } from '../../../src/store';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const FLOWS_DIR = path.resolve(__dirname, '../../../flows');

export interface RealServer extends RunningService {
  dataDir: string;
  stop(): Promise<void>;
}

/** Puts the sourced starter help places in a fresh data directory, as an admin's import would. */
async function seedPlaces(dataDir: string): Promise<void> {
  const store = await createStore({ dataDir });
  try {
    const geo = getGeocoder();
    await loadStarterPlaces(store.kv, (p) => geo.geocode(p.code_postal ?? '').point);
  } finally {
    await store.close();
  }
}

/**
 * `seed: false` starts on an empty data directory, as a fresh install does. `dataDir`: use (and do
 * not remove) this one, e.g. a second instance on the first one's database. `logger`: to read the
 * service's log lines.
 */
export async function startRealServer(env: Record<string, string> = {}, options: { seed?: boolean; dataDir?: string; logger?: Logger } = {}): Promise<RealServer> {
  const own = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-web-'));
  if (own && options.seed !== false) await seedPlaces(dataDir);
  const config = loadConfig(
    { PORT: '0', HOST: '127.0.0.1', ARIANE_DATA_DIR: dataDir, ARIANE_FLOWS_DIR: FLOWS_DIR, ARIANE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'silent', ...env },
    { dotenv: false },
  );
  const service = await startService(config, { logger: options.logger ?? pino({ level: 'silent' }) });
  return {
    ...service,
    dataDir,
    stop: async () => {
      await service.close();
      if (own) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

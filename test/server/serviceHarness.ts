/** Starts the whole service in-process (same code as `npm start`) on a free loopback port. */
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startService, type RunningService } from '../../src/main';
import { tempDir } from '../e2e/support';

export async function startInProcess(env: Record<string, string> = {}, options: { streamPollMs?: number } = {}): Promise<RunningService & { cleanup(): Promise<void> }> {
  const data = tempDir('ariane-srv-');
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ARIANE_DATA_DIR: data.path, ...env }, { dotenv: false });
  const service = await startService(config, { logger: pino({ level: 'silent' }), ...options });
  return {
    ...service,
    cleanup: async () => {
      await service.close();
      data.remove();
    },
  };
}

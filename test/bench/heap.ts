/**
 * Heap per active conversation, run as `node --expose-gc dist/bench/heap.js <dataDir> <n>`: the
 * service in this process (SQLite store), N Direct Line conversations started and left in the
 * middle of a flow; prints `{ n, heapBefore, heapAfter, perConversationBytes }` as JSON.
 */
import * as path from 'node:path';
import { request } from './http';
import { Conversation } from './load';
import { ROOT, dist } from './micro';

type Main = typeof import('../../src/main');
type ConfigMod = typeof import('../../src/config');

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const [dataDir, nText] = process.argv.slice(2);
  const n = Number(nText ?? 1000);
  const { loadConfig } = dist<ConfigMod>('config');
  const { startService } = dist<Main>('main.js');
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      ARIANE_DATA_DIR: dataDir!,
      ARIANE_FLOWS_DIR: path.join(ROOT, 'flows'),
      LOG_LEVEL: 'silent',
      ARIANE_MAX_ACTIVITIES_PER_MINUTE: '1000000',
      ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '1000000',
      ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '1000000',
    },
    { dotenv: false },
  );
  const service = await startService(config, { watchFlows: false });
  const port = Number(new URL(service.url).port);
  // Warm every code path once before the first measurement.
  for (let i = 0; i < 20; i++) await (await Conversation.start(port, i)).turn();
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    return process.memoryUsage().heapUsed;
  };
  const before = await settle();
  const keep: string[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => Conversation.start(port, i + j)));
    await Promise.all(batch.map((c) => c.turn()));
    for (const c of batch) keep.push(c.id);
  }
  const after = await settle();
  const ok = (await request(port, 'GET', '/healthz')).status === 200;
  await service.close();
  console.log(JSON.stringify({ n: keep.length, heapBefore: before, heapAfter: after, perConversationBytes: (after - before) / keep.length, ok }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/** Random operation sequences give the same results on SQLite as on the memory reference. */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, SqliteStore } from '../../src/store';
import { emptyStore, observe, opsArb, testClock } from './differential';

const root = mkdtempSync(join(tmpdir(), 'ariane-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('SQLite behaves like the memory reference on random operation sequences', async () => {
  const clock = testClock();
  const sqlite = await SqliteStore.open({ dataDir: root, now: clock.now });
  try {
    await fc.assert(
      fc.asyncProperty(opsArb, async (ops) => {
        clock.reset();
        const expected = await observe(new MemoryStore({ now: clock.now }), clock, ops);
        clock.reset();
        await emptyStore(sqlite);
        expect(await observe(sqlite, clock, ops)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  } finally {
    await sqlite.close();
  }
});

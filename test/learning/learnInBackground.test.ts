/**
 * The classifier learnt in a worker thread: the compiled worker (`npm run build`, which CI runs
 * before `npm test`) gives the same model as learning in this thread, and a missing or failing
 * worker still leaves the catalog learnt.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCatalog, classifyWith, NONE, warmCatalog, type RequestExample } from '../../src/engine';
import { learnInBackground } from '../../src/learning';
import { fixtures, lexicons } from '../engine/helpers';

const WORKER = resolve(__dirname, '..', '..', 'dist', 'learning', 'classifierWorker.js');

const EXAMPLES: RequestExample[] = [
  { text: 'le bébé est arrivé, il faut prévenir pour les allocs', flow: 'pick-caf' },
  { text: 'mon bébé vient de naître, qui prévenir', flow: 'pick-caf' },
  { text: 'mon patron m a licencié hier', flow: 'pick-emploi' },
  { text: 'fin de contrat et licencié', flow: 'pick-emploi' },
  { text: 'ma box internet ne marche plus', flow: NONE },
  { text: 'la box wifi est en panne', flow: NONE },
];

const catalogWith = (examples: readonly RequestExample[]) => buildCatalog(fixtures().flows, lexicons(), [], { deferIndex: true, examples });

describe('learnInBackground', () => {
  it('learns in the compiled worker the same model as in this thread', async () => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` before the tests.`);
    const catalog = catalogWith(EXAMPLES);
    const failures: Error[] = [];
    await learnInBackground(catalog, { workerFile: WORKER, onWorkerError: (err) => failures.push(err) });
    expect(failures).toEqual([]);
    const here = catalogWith(EXAMPLES);
    warmCatalog(here);
    expect(catalog.classifier).toEqual(here.classifier);
    expect(classifyWith(catalog, 'licencié la semaine dernière')[0]?.flowId).toBe('pick-emploi');
  });

  it('learns in this thread where there is no compiled worker (the sources run directly)', async () => {
    const catalog = catalogWith(EXAMPLES);
    const learnt = learnInBackground(catalog, { workerFile: join(tmpdir(), 'no-such-worker.js') });
    // Not in the caller's tick: the caller goes on first.
    expect(catalog.classifier).toBeUndefined();
    await learnt;
    expect(catalog.classifier).toBeDefined();
  });

  it('learns in this thread, and says so, when the worker fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-worker-'));
    try {
      const broken = join(dir, 'broken.js');
      writeFileSync(broken, "throw new Error('broken worker');\n");
      const catalog = catalogWith(EXAMPLES);
      const failures: Error[] = [];
      await learnInBackground(catalog, { workerFile: broken, onWorkerError: (err) => failures.push(err) });
      expect(failures.map((e) => e.message)).toEqual([expect.stringContaining('broken worker')]);
      expect(catalog.classifier).toBeDefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has nothing to learn without examples', async () => {
    const catalog = catalogWith([]);
    await learnInBackground(catalog, { workerFile: WORKER });
    expect(catalog.classifier).toBeUndefined();
  });
});

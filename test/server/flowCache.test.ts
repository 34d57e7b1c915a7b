/** The service keeps its parsed flows in the data directory and still refuses a broken edit at start. */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { FlowLoadError, startService } from '../../src/main';
import { tempDir } from '../e2e/support';

const FLOWS = path.join(__dirname, '..', '..', 'flows');

describe('the service start and the parsed-flow cache', () => {
  const data = tempDir('ariane-cache-data-');
  const flows = tempDir('ariane-cache-flows-');
  beforeAll(() => {
    for (const f of fs.readdirSync(FLOWS)) if (f.endsWith('.yaml')) fs.copyFileSync(path.join(FLOWS, f), path.join(flows.path, f));
  });
  afterAll(() => {
    data.remove();
    flows.remove();
  });
  const start = () =>
    startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', ARIANE_DATA_DIR: data.path, ARIANE_FLOWS_DIR: flows.path }, { dotenv: false }), { logger: pino({ level: 'silent' }), watchFlows: false });
  const cached = () => Object.keys((JSON.parse(fs.readFileSync(path.join(data.path, 'flow-cache.json'), 'utf8')) as { flows: object }).flows);

  it('writes the cache at the first start and starts from it the next time', async () => {
    const first = await start();
    await first.close();
    // One entry per flow and per example file.
    const files = fs.readdirSync(flows.path).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
    expect(cached()).toHaveLength(files.length);
    const second = await start();
    const ready = await fetch(`${second.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toContain(`${files.filter((f) => !f.endsWith('.examples.yaml')).length} loaded`);
    await second.close();
  });

  it('a flow broken since the last start is still refused, with its line', async () => {
    const file = path.join(flows.path, 'caf-attestation.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^start: .*$/m, 'start: [oops'));
    const error = await start().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(FlowLoadError);
    expect((error as FlowLoadError).lines.join('\n')).toMatch(/caf-attestation\.yaml:\d+:\d+/);
  });
});

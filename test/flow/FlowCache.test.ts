import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FlowCache, loadFlowDirectory, type FlowSet } from '../../src/flow';

const FLOWS = path.join(__dirname, '..', '..', 'flows');
const WARNINGS = path.join(__dirname, '..', 'fixtures', 'flows-warnings');
const TODAY = '2026-12-04';

/** What a load says, positions included, without the objects' identity. */
function outcome(set: FlowSet) {
  return { ok: set.ok, flows: set.flows, diagnostics: set.diagnostics, examples: set.examples };
}

describe('FlowCache: the parsed-flow cache of the service', () => {
  let dir: string;
  let cacheFile: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-flowcache-'));
    cacheFile = path.join(dir, 'data', 'flow-cache.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const copyFlows = (from: string) => {
    const to = path.join(dir, 'flows');
    fs.mkdirSync(to, { recursive: true });
    for (const f of fs.readdirSync(from)) if (f.endsWith('.yaml') && !f.endsWith('.test.yaml')) fs.copyFileSync(path.join(from, f), path.join(to, f));
    return to;
  };

  it('gives the same flows and diagnostics as a load without cache, first and second time', () => {
    const plain = loadFlowDirectory(FLOWS, { today: TODAY });
    const first = loadFlowDirectory(FLOWS, { today: TODAY, cache: new FlowCache(cacheFile) });
    expect(fs.existsSync(cacheFile)).toBe(true);
    const second = loadFlowDirectory(FLOWS, { today: TODAY, cache: new FlowCache(cacheFile) });
    expect(outcome(first)).toEqual(outcome(plain));
    expect(outcome(second)).toEqual(outcome(plain));
    expect(plain.flows.length).toBeGreaterThanOrEqual(15);
  });

  it('serves a cached flow instead of parsing its text again', () => {
    const flows = copyFlows(FLOWS);
    const file = path.join(flows, 'caf-attestation.yaml');
    const text = fs.readFileSync(file, 'utf8');
    loadFlowDirectory(flows, { today: TODAY, cache: new FlowCache(cacheFile) });
    // Forge the entry for this very text: only a load that reads the cache can see the forged title.
    const body = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { flows: Record<string, { title: Record<string, string> }> };
    body.flows[FlowCache.keyOf(text)]!.title.fr = 'Titre venu du cache';
    fs.writeFileSync(cacheFile, JSON.stringify(body));
    const set = loadFlowDirectory(flows, { today: TODAY, cache: new FlowCache(cacheFile) });
    expect(set.byId.get('caf-attestation')?.title).toMatchObject({ fr: 'Titre venu du cache' });
  });

  it('parses an edited file again, and keeps only the flows of the last load', () => {
    const flows = copyFlows(FLOWS);
    const file = path.join(flows, 'caf-attestation.yaml');
    const cache = new FlowCache(cacheFile);
    loadFlowDirectory(flows, { today: TODAY, cache });
    const before = Object.keys((JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { flows: object }).flows);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^title:\n {2}fr: .*$/m, 'title:\n  fr: Attestation CAF modifiée'));
    fs.rmSync(path.join(flows, 'carte-grise-ants.yaml'));
    const set = loadFlowDirectory(flows, { today: TODAY, cache });
    expect(set.byId.get('caf-attestation')?.title).toMatchObject({ fr: 'Attestation CAF modifiée' });
    const after = Object.keys((JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { flows: object }).flows);
    expect(after).toHaveLength(before.length - 1);
    expect(after).toContain(FlowCache.keyOf(fs.readFileSync(file, 'utf8')));
  });

  it('a cached flow with warnings still reports them at the right line', () => {
    const plain = loadFlowDirectory(WARNINGS, { today: TODAY });
    expect(plain.diagnostics.length).toBeGreaterThan(0);
    loadFlowDirectory(WARNINGS, { today: TODAY, cache: new FlowCache(cacheFile) });
    const cached = loadFlowDirectory(WARNINGS, { today: TODAY, cache: new FlowCache(cacheFile) });
    expect(cached.diagnostics).toEqual(plain.diagnostics);
    expect(cached.diagnostics.some((d) => d.line > 1)).toBe(true);
  });

  it('never keeps a file that has errors, and reports them again at every load', () => {
    const flows = copyFlows(FLOWS);
    const file = path.join(flows, 'caf-attestation.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^start: .*$/m, 'start: [oops'));
    const first = loadFlowDirectory(flows, { today: TODAY, cache: new FlowCache(cacheFile) });
    const second = loadFlowDirectory(flows, { today: TODAY, cache: new FlowCache(cacheFile) });
    expect(first.ok).toBe(false);
    expect(second.diagnostics).toEqual(first.diagnostics);
    expect(Object.keys((JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { flows: object }).flows)).not.toContain(FlowCache.keyOf(fs.readFileSync(file, 'utf8')));
  });

  it('a damaged, foreign or older cache file means parsing again, and it is rewritten', () => {
    const plain = loadFlowDirectory(FLOWS, { today: TODAY });
    for (const junk of ['{"version":', '[]', 'null', JSON.stringify({ version: 'older', flows: { x: {} } })]) {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      fs.writeFileSync(cacheFile, junk);
      const set = loadFlowDirectory(FLOWS, { today: TODAY, cache: new FlowCache(cacheFile) });
      expect(outcome(set)).toEqual(outcome(plain));
      const body = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { version: string; flows: object };
      // One entry per flow and per example file.
      expect(Object.keys(body.flows)).toHaveLength(plain.flows.length + fs.readdirSync(FLOWS).filter((f) => f.endsWith('.examples.yaml')).length);
    }
  });

  it('a cache that cannot be written is said once and changes nothing else', () => {
    const blocked = path.join(dir, 'a-file');
    fs.writeFileSync(blocked, '');
    const errors: Error[] = [];
    const cache = new FlowCache(path.join(blocked, 'flow-cache.json'), (err) => errors.push(err));
    const plain = loadFlowDirectory(FLOWS, { today: TODAY });
    expect(outcome(loadFlowDirectory(FLOWS, { today: TODAY, cache }))).toEqual(outcome(plain));
    expect(outcome(loadFlowDirectory(FLOWS, { today: TODAY, cache }))).toEqual(outcome(plain));
    expect(errors).toHaveLength(1);
  });

  it('hands out copies: changing a loaded flow does not change the next load', () => {
    const cache = new FlowCache(cacheFile);
    loadFlowDirectory(FLOWS, { today: TODAY, cache });
    const one = loadFlowDirectory(FLOWS, { today: TODAY, cache });
    (one.byId.get('caf-attestation') as { title: Record<string, string> }).title.fr = 'changé';
    const two = loadFlowDirectory(FLOWS, { today: TODAY, cache });
    expect(two.byId.get('caf-attestation')?.title).not.toMatchObject({ fr: 'changé' });
  });
});

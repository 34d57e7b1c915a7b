/** Reloading flows as files change: a broken edit never replaces the flows being served. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FlowWatcher, loadFlowDirectory } from '../../src/flow';

const FLOWS = path.resolve(__dirname, '../../flows');

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('FlowWatcher', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-watch-'));
    fs.copyFileSync(path.join(FLOWS, 'caf-attestation.yaml'), path.join(dir, 'caf-attestation.yaml'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps serving the previous flows when an edit breaks one, and takes the fixed file', async () => {
    const reloaded: number[] = [];
    const w = new FlowWatcher({ dir, load: (d) => loadFlowDirectory(d), onReload: (set) => reloaded.push(set.flows.length), debounceMs: 50 }).start();
    try {
      const file = path.join(dir, 'caf-attestation.yaml');
      const good = fs.readFileSync(file, 'utf8');
      fs.writeFileSync(file, good.replace('start: allocataire', 'start: nulle-part'));
      await waitFor(() => w.lastRejected() !== undefined);
      expect(w.current().set.byId.get('caf-attestation')?.start).toBe('allocataire');
      const errors = w.lastRejected()!.set.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]!.file).toBe(file);
      expect(errors[0]!.line).toBeGreaterThan(1);
      fs.writeFileSync(file, good.replace(/^title:/m, '# édité\ntitle:'));
      await waitFor(() => w.lastRejected() === undefined && reloaded.length > 0);
      expect(w.current().set.ok).toBe(true);
    } finally {
      w.stop();
    }
  });
});

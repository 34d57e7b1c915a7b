import { join } from 'node:path';
import { loadFlowDirectory, type Flow } from '../../src/flow';

/** The render fixtures' directory. */
export const RENDER_FLOWS = join(__dirname, '..', 'fixtures', 'flows-render');

/** The fixture flow, loaded by the real loader (so the test also proves the fixture is a valid flow). */
export function demoFlow(): Flow {
  const set = loadFlowDirectory(RENDER_FLOWS, { today: '2026-11-22' });
  const flow = set.byId.get('render-demo');
  if (!flow) throw new Error(`fixture render-demo did not load: ${JSON.stringify(set.diagnostics)}`);
  return flow;
}

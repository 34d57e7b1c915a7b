/**
 * Every path of every flow (the real `flows/` and the engine fixtures) ends in an `end` or a
 * `handoff` within a bounded number of turns, and every button and sample answer is accepted.
 */
import { join } from 'node:path';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';
import { walkFlow } from './walkFlow';

const lexicons = loadLexicons();
const dirs = [join(__dirname, '..', '..', 'flows'), join(__dirname, '..', 'fixtures', 'flows-engine')];
const flows = dirs.flatMap((dir) => loadFlowDirectory(dir).flows.map((flow) => ({ dir, flow })));

describe('all paths', () => {
  it('finds flows to walk (at least the fixtures)', () => {
    expect(flows.length).toBeGreaterThanOrEqual(2);
  });

  it.each(flows.map(({ flow }) => [flow.id, flow] as const))('%s: every path ends in end or handoff', (_id, flow) => {
    const report = walkFlow(flow, lexicons);
    expect(report.problems).toEqual([]);
    expect(report.ends.size + report.handoffNodes.size).toBeGreaterThan(0);
    // Every end node of the flow is reachable by some path (otherwise its scenarios could never pass).
    const endNodes = Object.entries(flow.nodes).filter(([, n]) => n.kind === 'end').map(([id]) => id);
    expect(endNodes.filter((id) => !report.ends.has(id))).toEqual([]);
  });

  it('detects a flow that cannot end (the walker can fail)', () => {
    const base = flows.find(({ flow }) => flow.id === 'demo-all')!.flow;
    const trap = {
      ...base,
      start: 'q',
      nodes: {
        q: { kind: 'question' as const, text: 'Q ?', choices: [{ label: 'A', next: 'r' }, { label: 'B', next: 'q' }] },
        r: { kind: 'checklist' as const, text: 'R', items: ['x'], next: 'q' },
      },
    };
    const report = walkFlow(trap, lexicons);
    expect(report.problems.some((p) => p.startsWith('no ending reachable'))).toBe(true);
  });
});

import { edgesFrom, walkFlow } from '../../src/render/walkFlow';
import { demoFlow } from './fixture';

describe('walkFlow', () => {
  it('visits each node once, depth first from the start, children in file order', () => {
    const { reachable, unreachable } = walkFlow(demoFlow());
    expect(reachable).toEqual(['question-depart', 'age', 'aiguillage', 'relais', 'etape-lien', 'end', 'documents', 'etape-sans-aide']);
    expect(unreachable).toEqual(['oublie']);
  });

  it('survives cycles and a start that names no node', () => {
    const flow = demoFlow();
    const cyclic = { ...flow, nodes: { ...flow.nodes, relais: { kind: 'step' as const, text: 'x', next: 'question-depart' } } };
    expect(walkFlow(cyclic).reachable).toHaveLength(8);
    expect(walkFlow({ ...flow, start: 'nowhere' }).reachable).toEqual([]);
  });

  it('gives a step a done edge and a cannot edge, without target when there is no stuck', () => {
    const flow = demoFlow();
    expect(edgesFrom(flow.nodes['etape-lien']!)).toEqual([
      { kind: 'done', target: 'end' },
      { kind: 'cannot', target: 'relais' },
    ]);
    expect(edgesFrom(flow.nodes['etape-sans-aide']!)).toEqual([{ kind: 'done', target: 'end' }, { kind: 'cannot' }]);
  });
});

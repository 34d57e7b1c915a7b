import { step, initialState } from '../../src/engine';
import { fixtures, handoffs, last, play, said } from './helpers';

describe('handoff node', () => {
  it("hands off with reason node, the flow's words and the node's support", () => {
    const r = last(play('demo-all', ['3']));
    expect(r.state.status).toBe('handoff');
    expect(r.state.nodeId).toBe('aide-humaine');
    // "3" is the option number: the engine says which option it took before the handoff text.
    expect(said(r.outputs)).toEqual(['engine:understood', 'Une personne va vous aider.']);
    expect(r.outputs[0]).toEqual({ kind: 'say', message: { key: 'engine:understood', params: { label: { text: "J'ai oublié mon identifiant" } } } });
    expect(handoffs(r.outputs)).toEqual([
      {
        kind: 'handoff',
        reason: 'node',
        flowId: 'demo-all',
        nodeId: 'aide-humaine',
        detail: { text: 'Identifiant perdu' },
        support: { services: ['Aide aux démarches administratives'], programmes: ['France Services'] },
      },
    ]);
  });

  it('speaks the conversation language', () => {
    const r = last(play('demo-all', ['3'], 'en'));
    expect(said(r.outputs)).toEqual(['engine:understood', 'A person will help you.']);
    expect(handoffs(r.outputs)[0]?.detail).toEqual({ text: 'Lost login' });
  });

  it("falls back to the flow's support when the node has none", () => {
    const flow = fixtures().flow('demo-all');
    const node = flow.nodes['aide-humaine'];
    if (node?.kind !== 'handoff') throw new Error('fixture changed');
    const { support: _ignored, ...bare } = node;
    const edited = { ...flow, start: 'aide-humaine', nodes: { ...flow.nodes, 'aide-humaine': bare } };
    const r = step(edited, initialState('fr'), { kind: 'flow', flowId: 'demo-all' });
    expect(handoffs(r.outputs)[0]?.support).toEqual(flow.support);
  });

  it('after a handoff, "retour" goes back to the question', () => {
    const r = last(play('demo-all', ['3', 'retour']));
    expect(r.state.nodeId).toBe('compte');
    expect(r.state.status).toBe('active');
    expect(r.state.answers).toEqual({});
  });
});

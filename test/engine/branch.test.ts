import { step, initialState, type Output } from '../../src/engine';
import { holds as conditionHolds, route as routeBranch } from '../../src/engine/nodes/branch';
import type { Flow } from '../../src/flow';
import { fixtures, handoffs, last, play, said } from './helpers';

describe('branch node', () => {
  it('routes immediately, without a question, and is not kept for "back"', () => {
    const adult = last(play('demo-all', ['oui', '15/03/1990', '75011', '42']));
    expect(adult.state.nodeId).toBe('documents');
    expect(adult.trace).toEqual(['majeur', 'documents']);
    expect(adult.state.history).toEqual(['compte', 'naissance', 'cp', 'age']);
    expect(last(play('demo-all', ['oui', '15/03/1990', '75011', '12'])).state.nodeId).toBe('mineur-fin');
  });

  it('says its optional text, then what comes next', () => {
    const r = last(play('demo-inputs', ['non', 'Lyon', 'rien']));
    expect(said(r.outputs)).toEqual(['Je regarde vos réponses.', 'Sans enfant.']);
  });

  it('supports all / any / in / equals on booleans, and otherwise', () => {
    expect(last(play('demo-inputs', ['oui', 'Paris', 'rien'])).state.nodeId).toBe('fin-grande-ville');
    expect(last(play('demo-inputs', ['oui', 'Brest', 'rien'])).state.nodeId).toBe('fin-autre');
    expect(last(play('demo-inputs', ['non', 'Paris', 'rien'])).state.nodeId).toBe('fin-sans-enfant');
  });

  it('evaluates each operator; comparisons on missing or non-numeric answers are false', () => {
    const a = { n: 5, s: '7', t: 'oui', b: true };
    expect(conditionHolds({ answer: 'n', lt: 6 }, a)).toBe(true);
    expect(conditionHolds({ answer: 'n', lte: 5 }, a)).toBe(true);
    expect(conditionHolds({ answer: 'n', gt: 5 }, a)).toBe(false);
    expect(conditionHolds({ answer: 's', gte: 7 }, a)).toBe(true);
    expect(conditionHolds({ answer: 't', gt: 1 }, a)).toBe(false);
    expect(conditionHolds({ answer: 'zzz', lt: 100 }, a)).toBe(false);
    expect(conditionHolds({ answer: 'zzz', missing: true }, a)).toBe(true);
    expect(conditionHolds({ answer: 'n', missing: true }, a)).toBe(false);
    expect(conditionHolds({ answer: 'n', missing: false }, a)).toBe(true);
    expect(conditionHolds({ answer: 'n', equals: '5' }, a)).toBe(true);
    expect(conditionHolds({ answer: 'b', equals: 'oui' }, a)).toBe(true);
    expect(conditionHolds({ answer: 'b', equals: false }, a)).toBe(false);
    expect(conditionHolds({ answer: 't', in: ['non', 'oui'] }, a)).toBe(true);
    expect(conditionHolds({ answer: 'zzz', in: ['x'] }, a)).toBe(false);
  });

  it('takes the first rule that holds', () => {
    const node = fixtures().flow('demo-inputs').nodes.route;
    if (node?.kind !== 'branch') throw new Error('fixture changed');
    expect(routeBranch(node, { enfants: true, ville: 'Paris', absent: 'x' })).toBe('fin-grande-ville');
    expect(routeBranch(node, { enfants: true, ville: 'Brest', absent: 'x' })).toBe('fin-sans-enfant');
  });

  it('a cycle of branches (a broken flow) hands off instead of looping forever', () => {
    const base = fixtures().flow('demo-inputs');
    const flow: Flow = {
      ...base,
      id: 'cycle',
      start: 'a',
      nodes: {
        a: { kind: 'branch', rules: [{ when: { answer: 'x', missing: true }, next: 'b' }], otherwise: 'b' },
        b: { kind: 'branch', rules: [{ when: { answer: 'x', missing: true }, next: 'a' }], otherwise: 'a' },
      },
    };
    const r = step(flow, initialState('fr'), { kind: 'flow', flowId: 'cycle' });
    expect(r.state.status).toBe('handoff');
    expect(handoffs(r.outputs as Output[])).toHaveLength(1);
    expect(said(r.outputs)).toContain('engine:flow.unavailable');
  });
});

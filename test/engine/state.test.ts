import { converse, initialState, migrateState, step, type ConversationState } from '../../src/engine';
import { STATE_VERSION } from '../../src/engine/state';
import { fixtures, lexicons, play, last, said } from './helpers';

describe('conversation state', () => {
  it('starts versioned, plain and choosing', () => {
    expect(initialState('en')).toEqual({ v: STATE_VERSION, lang: 'en', history: [], answers: {}, failures: 0, status: 'choosing', turn: 0 });
  });

  it('survives a JSON round trip at every turn (plain JSON only)', () => {
    for (const r of play('demo-all', ['oui', '15/03/1990', '75011', '42', 'ok', 'retour', 'english'])) {
      expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
      expect(JSON.parse(JSON.stringify(r.outputs))).toEqual(r.outputs);
    }
  });

  it('counts turns without a clock', () => {
    const turns = play('demo-all', ['oui', '15/03/1990']).map((r) => r.state.turn);
    expect(turns).toEqual([1, 2, 3]);
  });

  it('never mutates the state it is given (pure)', () => {
    const first = play('demo-all', ['oui'])[1]!;
    const frozen = JSON.parse(JSON.stringify(first.state)) as ConversationState;
    converse(fixtures().catalog, first.state, { kind: 'text', text: '15/03/1990' });
    converse(fixtures().catalog, first.state, { kind: 'text', text: 'retour' });
    expect(first.state).toEqual(frozen);
  });

  it.each([
    ['an unknown version', { v: 99, lang: 'en', status: 'active', flowId: 'demo-all', nodeId: 'cp' }],
    ['null', null],
    ['a string', 'garbage'],
    ['a bad status', { v: 1, lang: 'ar', status: 'weird', history: [], answers: {} }],
  ])('%s becomes a fresh state (keeping the language when readable)', (_what, raw) => {
    const s = migrateState(raw);
    expect(s.status).toBe('choosing');
    expect(s.flowId).toBeUndefined();
    expect(s.v).toBe(STATE_VERSION);
  });

  it('drops malformed fields of a v1 state instead of failing', () => {
    const s = migrateState({ v: 1, lang: 'fr', status: 'active', flowId: 'demo-all', nodeId: 'cp', history: ['compte', 3], answers: { a: 1, b: { x: 1 } }, failures: -4, turn: 'x' });
    expect(s).toEqual({ v: 1, lang: 'fr', status: 'active', flowId: 'demo-all', nodeId: 'cp', history: ['compte'], answers: { a: 1 }, failures: 0, turn: 0 });
  });

  it("keeps a request's context of a few words, and drops one this release does not write", () => {
    const base = { v: 1, lang: 'fr', status: 'choosing', history: [], answers: {}, failures: 0, turn: 2 };
    expect(migrateState({ ...base, context: ['attestation', 3, 'caf'] }).context).toEqual(['attestation', 'caf']);
    expect(migrateState({ ...base, context: ['x'.repeat(41)] }).context).toBeUndefined();
    expect(migrateState({ ...base, context: Array(30).fill('caf') }).context).toHaveLength(12);
    expect(migrateState({ ...base, context: 'attestation' }).context).toBeUndefined();
  });

  it('keeps a well-formed confirmation in progress and drops a malformed one', () => {
    const base = { v: 1, lang: 'fr', status: 'active', flowId: 'demo-all', nodeId: 'compte', history: [], answers: {}, failures: 0, turn: 3 };
    expect(migrateState({ ...base, confirming: { nodeId: 'compte', value: 'non' } }).confirming).toEqual({ nodeId: 'compte', value: 'non' });
    for (const confirming of [null, 'non', { nodeId: 'compte' }, { nodeId: 'compte', value: 3 }, { nodeId: 'cp', value: 'non' }, { nodeId: ['compte'], value: 'non' }, []]) {
      expect({ confirming, kept: migrateState({ ...base, confirming }).confirming }).toEqual({ confirming, kept: undefined });
    }
    // Extra keys are not carried over.
    expect(migrateState({ ...base, confirming: { nodeId: 'compte', value: 'non', html: '<b>' } }).confirming).toEqual({ nodeId: 'compte', value: 'non' });
  });

  it('a confirmation whose value the edited flow no longer has: "oui" is read as a fresh answer', () => {
    const stored = { v: 1, lang: 'fr', status: 'active', flowId: 'demo-all', nodeId: 'compte', history: [], answers: {}, failures: 0, turn: 3, confirming: { nodeId: 'compte', value: 'gone' } };
    const r = converse(fixtures().catalog, stored, { kind: 'text', text: 'oui' });
    expect(r.state.answers).toEqual({ compte: 'oui' });
    expect(r.state.confirming).toBeUndefined();
  });

  it('a stored state whose node was removed from the edited flow restarts politely', () => {
    const { catalog } = fixtures();
    const atCp = last(play('demo-all', ['oui', '15/03/1990']));
    expect(atCp.state.nodeId).toBe('cp');
    const flow = fixtures().flow('demo-all');
    const { cp: _removed, ...nodes } = flow.nodes;
    const edited = { ...flow, nodes };
    const r = step(edited, atCp.state, { kind: 'text', text: '75011' }, { lexicons: lexicons() });
    expect(said(r.outputs)).toEqual(['engine:flow.changed', 'Avez-vous un compte ?']);
    expect(r.state).toMatchObject({ nodeId: 'compte', answers: {}, history: [], status: 'active' });
    expect(catalog.flows.get('demo-all')).toBe(flow);
  });

  it('"back" to a node that was removed restarts politely', () => {
    const atCp = last(play('demo-all', ['oui', '15/03/1990']));
    const flow = fixtures().flow('demo-all');
    const { naissance: _removed, ...nodes } = flow.nodes;
    const r = step({ ...flow, nodes }, atCp.state, { kind: 'text', text: 'retour' }, { lexicons: lexicons() });
    expect(said(r.outputs)[0]).toBe('engine:flow.changed');
    expect(r.state.nodeId).toBe('compte');
  });

  it('a stored state whose flow was deleted gets the welcome again', () => {
    const { catalog } = fixtures();
    const stale: ConversationState = { ...initialState('fr'), status: 'active', flowId: 'deleted-flow', nodeId: 'x' };
    const r = converse(catalog, stale, { kind: 'text', text: 'oui' });
    expect(said(r.outputs)).toEqual(['engine:flow.gone', 'engine:welcome']);
    expect(r.state.status).toBe('choosing');
  });

  it('garbage state given to converse does not throw', () => {
    expect(() => converse(fixtures().catalog, { nonsense: true }, { kind: 'text', text: 'aide' })).not.toThrow();
    expect(() => step(fixtures().flow('demo-all'), undefined, { kind: 'text', text: 'oui' })).not.toThrow();
  });
});

import { choiceValues, fixtures, handoffs, last, play, said } from './helpers';

describe('question node', () => {
  it('shows the question and its choices with stable values, in the conversation language', () => {
    const [first] = play('demo-all', []);
    expect(said(first!.outputs)).toEqual(['engine:pick.start', 'Avez-vous un compte ?']);
    expect(choiceValues(first!.outputs)).toEqual(['oui', 'non', 'oublie']);
    const [en] = play('demo-all', [], 'en');
    expect(said(en!.outputs)).toContain('Do you have an account?');
    const choices = en!.outputs.find((o) => o.kind === 'choices');
    expect(choices).toMatchObject({ choices: [{ label: { text: 'Yes' } }, { label: { text: 'No' } }, { label: { text: 'I forgot my login' } }] });
  });

  it.each([
    ['a button value', { kind: 'choice' as const, value: 'non' }, 'creer'],
    ['the exact label', 'Non', 'creer'],
    ['upper case', 'OUI', 'naissance'],
    ['a number', '3', 'aide-humaine'],
    ['a lexicon yes word', 'ouais', 'naissance'],
    ['a synonym', 'identifiant perdu', 'aide-humaine'],
    ['a typo without accents', "j'ai oublie mon identifiant", 'aide-humaine'],
    ['a typo', 'jai oubliai mon identifiant', 'aide-humaine'],
    ['the label inside a sentence', 'non pas encore', 'creer'],
    ['the English label in a French conversation', 'I forgot my login', 'aide-humaine'],
  ])('accepts %s', (_what, input, expected) => {
    expect(last(play('demo-all', [input])).state.nodeId).toBe(expected);
  });

  it("stores the choice's value under the node id and remembers the path for back", () => {
    const r = last(play('demo-all', ['oui']));
    expect(r.state.answers).toEqual({ compte: 'oui' });
    expect(r.state.history).toEqual(['compte']);
  });

  it('asks again, listing the options, when the answer is not understood', () => {
    const r = last(play('demo-all', ['banane']));
    expect(r.state.nodeId).toBe('compte');
    expect(r.state.failures).toBe(1);
    expect(said(r.outputs)).toEqual(['engine:retry.choice']);
    expect(choiceValues(r.outputs)).toEqual(['oui', 'non', 'oublie']);
    expect(handoffs(r.outputs)).toEqual([]);
  });

  it('offers human help on the second failure in a row, without leaving the question', () => {
    const r = last(play('demo-all', ['banane', 'xyz']));
    expect(r.state.failures).toBe(2);
    expect(r.state.status).toBe('active');
    expect(said(r.outputs)).toEqual(['engine:retry.choice', 'engine:retry.offerHelp']);
    expect(choiceValues(r.outputs)).toEqual(['oui', 'non', 'oublie', 'help']);
    expect(handoffs(r.outputs)).toEqual([expect.objectContaining({ reason: 'failures', flowId: 'demo-all', nodeId: 'compte' })]);
    // The person can still answer after the offer.
    const after = last(play('demo-all', ['banane', 'xyz', 'oui']));
    expect(after.state.nodeId).toBe('naissance');
    expect(after.state.failures).toBe(0);
  });

  it('counts failures per node: a success resets the count', () => {
    const r = last(play('demo-all', ['banane', 'oui', 'pas une date']));
    expect(r.state.failures).toBe(1);
    expect(handoffs(r.outputs)).toEqual([]);
  });

  it('ignores an unknown button value (a stale button) with a retry', () => {
    const r = last(play('demo-all', [{ kind: 'choice', value: 'no-such-value' }]));
    expect(r.state.nodeId).toBe('compte');
    expect(said(r.outputs)).toEqual(['engine:retry.choice']);
  });
});

describe('question node: yes/no labels', () => {
  it('a label starting with "Oui," / "Non," understands every yes / no word of the lexicon', () => {
    const { catalog, flow } = fixtures();
    const base = flow('demo-all');
    const edited = {
      ...base,
      nodes: {
        ...base.nodes,
        compte: {
          kind: 'question' as const,
          text: 'Avez-vous un compte ?',
          choices: [
            { label: 'Oui, j’ai un compte', value: 'oui', next: 'naissance' },
            { label: 'Non, pas encore', value: 'non', next: 'creer' },
          ],
        },
      },
    };
    const c = { ...catalog, flows: new Map([...catalog.flows, ['demo-all', edited]]) };
    expect(last(play('demo-all', ['ouais'], 'fr', c)).state.answers).toEqual({ compte: 'oui' });
    expect(last(play('demo-all', ['nan'], 'fr', c)).state.answers).toEqual({ compte: 'non' });
    expect(last(play('demo-all', ['pas du tout'], 'fr', c)).state.answers).toEqual({ compte: 'non' });
  });
});

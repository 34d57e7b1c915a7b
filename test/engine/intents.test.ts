import { converse, initialState, step } from '../../src/engine';
import { detectIntent } from '../../src/engine/lexicon';
import { choiceValues, fixtures, handoffs, last, lexicons, play, said } from './helpers';

describe('global intents', () => {
  it.each([
    ['aide', 'help'],
    ['AIDE', 'help'],
    ['aidde', 'help'],
    ['je ne sais pas', 'help'],
    ['je suis bloqué', 'help'],
    ['je suis bloque a cette etape', 'help'],
    ["je veux parler à quelqu'un", 'help'],
    ['un conseiller', 'help'],
    ['help', 'help'],
    ['مساعدة', 'help'],
    ['retour', 'back'],
    ['revenir en arrière', 'back'],
    ['recommencer', 'restart'],
    ['recommencr', 'restart'],
    ['start over', 'restart'],
  ])('%p is %s', (text, intent) => {
    expect(detectIntent(text, lexicons())?.intent).toBe(intent);
  });

  it.each([
    ['english', 'en'],
    ['en anglais', 'en'],
    ['en arabe', 'ar'],
    ['العربية', 'ar'],
    ['français', 'fr'],
  ])('%p switches language to %s', (text, lang) => {
    expect(detectIntent(text, lexicons())).toMatchObject({ intent: 'language', lang });
  });

  it.each(['aide au logement', 'rien', 'Lyon', 'oui', 'bien', '2'])('%p is not an intent', (text) => {
    expect(detectIntent(text, lexicons())).toBeUndefined();
  });

  it('help hands off with reason asked, the node and the flow support; the question stays', () => {
    const r = last(play('demo-all', ['oui', 'je ne sais pas']));
    expect(r.state.status).toBe('handoff');
    expect(r.state.nodeId).toBe('naissance');
    expect(said(r.outputs)).toEqual(['engine:help.asked']);
    expect(handoffs(r.outputs)).toEqual([{ kind: 'handoff', reason: 'asked', flowId: 'demo-all', nodeId: 'naissance', support: fixtures().flow('demo-all').support }]);
    // The person may still answer the question after asking for help.
    expect(last(play('demo-all', ['oui', 'aide', '15/03/1990'])).state.nodeId).toBe('cp');
  });

  it('the "talk to a person" button is the help intent', () => {
    const r = last(play('demo-all', [{ kind: 'choice', value: 'help' }]));
    expect(handoffs(r.outputs)[0]?.reason).toBe('asked');
  });

  it('back shows the previous question again and removes its answer', () => {
    const r = last(play('demo-all', ['oui', '15/03/1990', 'retour']));
    expect(r.state.nodeId).toBe('naissance');
    expect(r.state.answers).toEqual({ compte: 'oui' });
    expect(r.state.history).toEqual(['compte']);
    expect(said(r.outputs)).toEqual(['engine:back.done', 'Votre date de naissance ?']);
    const twice = last(play('demo-all', ['oui', '15/03/1990', 'retour', 'retour']));
    expect(twice.state.nodeId).toBe('compte');
    expect(twice.state.answers).toEqual({});
    expect(choiceValues(twice.outputs)).toEqual(['oui', 'non', 'oublie']);
  });

  it('back skips branches (they ask nothing)', () => {
    const r = last(play('demo-all', ['oui', '15/03/1990', '75011', '42', 'retour']));
    expect(r.state.nodeId).toBe('age');
    expect(r.state.answers.age).toBeUndefined();
  });

  it('back at the first question says so and shows it again', () => {
    const r = last(play('demo-all', ['retour']));
    expect(r.state.nodeId).toBe('compte');
    expect(said(r.outputs)).toEqual(['engine:back.atStart', 'Avez-vous un compte ?']);
  });

  it('"recommencer" asks: this procedure again, or another one? Again forgets the answers and starts the flow over', () => {
    const asked = last(play('demo-all', ['oui', '15/03/1990', 'recommencer']));
    expect(said(asked.outputs)).toEqual(['engine:restart.ask']);
    expect(asked.state).toMatchObject({ nodeId: 'cp', offer: { kind: 'restart' } });
    for (const again of ['cette démarche', 'oui', { kind: 'choice', value: 'restart' } as const]) {
      const r = last(play('demo-all', ['oui', '15/03/1990', 'recommencer', again]));
      expect(r.state).toMatchObject({ nodeId: 'compte', answers: {}, history: [], status: 'active' });
      expect(r.state.offer).toBeUndefined();
      expect(said(r.outputs)).toEqual(['engine:restart', 'Avez-vous un compte ?']);
    }
    for (const other of ['une autre', 'non', { kind: 'choice', value: 'ariane:leave' } as const]) {
      const r = last(play('demo-all', ['oui', '15/03/1990', 'recommencer', other]));
      expect(r.state.status).toBe('choosing');
      expect(r.state.flowId).toBeUndefined();
      expect(said(r.outputs)).toEqual(['engine:leave.done']);
    }
    // "another one", with the other one named: it starts.
    const named = last(play('demo-all', ['oui', '15/03/1990', 'recommencer', 'non une autre, inscription pole emploi']));
    expect(named.state).toMatchObject({ flowId: 'pick-emploi', status: 'active' });
    // A restart asked by a channel's own button or intent is explicit: no question.
    const byIntent = last(play('demo-all', ['oui', { kind: 'intent', intent: 'restart' }]));
    expect(byIntent.state.nodeId).toBe('compte');
  });

  it('changing language re-asks the current question in that language', () => {
    const r = last(play('demo-all', ['oui', 'english']));
    expect(r.state.lang).toBe('en');
    expect(r.state.nodeId).toBe('naissance');
    expect(r.outputs[0]).toEqual({ kind: 'language', lang: 'en' });
    expect(said(r.outputs)).toEqual(['engine:language.changed', 'Your date of birth?']);
    const byIntent = last(play('demo-all', [{ kind: 'intent', intent: 'language', lang: 'en' }]));
    expect(said(byIntent.outputs)).toContain('Do you have an account?');
    const byButton = last(play('demo-all', [{ kind: 'choice', value: 'lang:en' }]));
    expect(byButton.state.lang).toBe('en');
  });

  it('a language intent without a language asks which one', () => {
    const r = last(play('demo-all', [{ kind: 'intent', intent: 'language' }]));
    expect(said(r.outputs)).toEqual(['engine:language.ask']);
    expect(choiceValues(r.outputs)).toEqual(expect.arrayContaining(['lang:fr', 'lang:en', 'lang:ar']));
  });

  it('an exact choice label wins over an intent word ("Je ne sais pas" as an answer)', () => {
    const flow = fixtures().flow('demo-all');
    const q = flow.nodes.compte;
    if (q?.kind !== 'question') throw new Error('fixture changed');
    const edited = { ...flow, nodes: { ...flow.nodes, compte: { ...q, choices: [...q.choices, { label: 'Je ne sais pas', value: 'nsp', next: 'creer' }] } } };
    const started = step(edited, initialState('fr'), { kind: 'flow', flowId: 'demo-all' }, { lexicons: lexicons() });
    const r = step(edited, started.state, { kind: 'text', text: 'je ne sais pas' }, { lexicons: lexicons() });
    expect(r.state.nodeId).toBe('creer');
    expect(r.state.answers).toEqual({ compte: 'nsp' });
  });

  it('intents work while choosing a procedure too', () => {
    const { catalog } = fixtures();
    const help = converse(catalog, initialState('fr'), { kind: 'text', text: 'je veux parler à quelqu’un' });
    expect(handoffs(help.outputs)).toEqual([{ kind: 'handoff', reason: 'asked' }]);
    const lang = converse(catalog, initialState('fr'), { kind: 'text', text: 'english' });
    expect(lang.state.lang).toBe('en');
    expect(said(lang.outputs)).toEqual(['engine:language.changed', 'engine:welcome']);
  });
});

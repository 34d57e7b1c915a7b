import { converse, type ConversationState, type Input } from '../../src/engine';
import { CONFIRM_NO, CONFIRM_YES } from '../../src/engine/step';
import { choiceValues, fixtures, handoffs, labelOf, last, play, said, withNode } from './helpers';

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
    // The offer is the button: no handoff (and no code) for each message not understood.
    expect(handoffs(r.outputs)).toEqual([]);
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

describe('question node: says what it understood, asks when unsure (issue 12)', () => {
  const internet = {
    kind: 'question' as const,
    text: { fr: 'Pouvez-vous aller sur internet ?', en: 'Can you go online?', ar: 'هل يمكنك الدخول إلى الإنترنت؟' },
    choices: [
      {
        label: { fr: "Oui, j'ai internet", en: 'Yes, I can go online', ar: 'نعم، عندي إنترنت' },
        synonyms: { fr: ["j'ai un téléphone", "j'ai un portable", 'smartphone', 'ordi'], en: ['phone', 'smartphone'], ar: ['عندي هاتف', 'هاتف'] },
        value: 'oui',
        next: 'naissance',
      },
      {
        label: { fr: "Non, pas d'internet", en: 'No, I cannot go online', ar: 'لا، ليس عندي إنترنت' },
        synonyms: { fr: ["pas d'ordi", 'pas internet'], en: ['no internet'], ar: ['ما عندي إنترنت'] },
        value: 'non',
        next: 'creer',
      },
      { label: { fr: 'Je ne sais pas', en: "I don't know", ar: 'لا أعرف' }, value: 'nsp', next: 'aide-humaine' },
    ],
  };
  const c = withNode('demo-all', 'compte', internet);
  const run = (inputs: Array<string | Input>, lang = 'fr') => last(play('demo-all', inputs, lang, c));

  it.each([
    ['a button', { kind: 'choice' as const, value: 'oui' }],
    ['the exact label', "Oui, j'ai internet"],
    ['the exact label, typed loosely', "OUI j'ai internet !"],
  ])('%s needs no echo', (_what, input) => {
    const r = run([input]);
    expect(r.state.nodeId).toBe('naissance');
    expect(said(r.outputs)).toEqual(['Votre date de naissance ?']);
  });

  it.each([
    ['a synonym', 'smartphone', "Oui, j'ai internet"],
    ['a lexicon word', 'ouais', "Oui, j'ai internet"],
    ['a number', '2', "Non, pas d'internet"],
    ['"le 2"', 'le 2', "Non, pas d'internet"],
    ['an ordinal', 'la deuxième', "Non, pas d'internet"],
    ['a phrase inside a sentence', "oui j'ai un portable depuis longtemps", "Oui, j'ai internet"],
    ['a typo', "non pas d'internett", "Non, pas d'internet"],
  ])('%s moves on after saying what was understood', (_what, text, label) => {
    const r = run([text]);
    expect(r.state.nodeId).not.toBe('compte');
    expect(said(r.outputs)[0]).toBe('engine:understood');
    expect(labelOf(r.outputs, 'engine:understood')).toEqual({ text: label });
  });

  it('echoes in the conversation language', () => {
    expect(labelOf(run(['phone'], 'en').outputs, 'engine:understood')).toEqual({ text: 'Yes, I can go online' });
    expect(labelOf(run(['هاتف'], 'ar').outputs, 'engine:understood')).toEqual({ text: 'نعم، عندي إنترنت' });
  });

  describe('the problems measured in issue 12', () => {
    it('"aucune idée" is "I don\'t know", not "non" (it contains "aucune")', () => {
      for (const [text, lang] of [['aucune idée', 'fr'], ['je sais pas', 'fr'], ['jsp', 'fr'], ['no idea', 'en'], ['لا أعرف', 'ar'], ['ما عرفتش', 'ar'], ['je sais pas', 'ar']]) {
        const r = run([text!], lang);
        expect({ text, answers: r.state.answers }).toEqual({ text, answers: { compte: 'nsp' } });
      }
    });

    it('without a "don\'t know" choice, "aucune idée" offers help and answers nothing', () => {
      const noNsp = withNode('demo-all', 'compte', { ...internet, choices: internet.choices.slice(0, 2) });
      const r = last(play('demo-all', ['aucune idée'], 'fr', noNsp));
      expect(r.state.answers).toEqual({});
      expect(handoffs(r.outputs)).toEqual([expect.objectContaining({ reason: 'asked', nodeId: 'compte' })]);
    });

    it('"j\'ai un portable" is its synonym, not option 1 because of "un"', () => {
      const r = run(["j'ai un portable"]);
      expect(r.state.answers).toEqual({ compte: 'oui' });
      // And "j'ai un problème" is not option 1 either.
      expect(run(["j'ai un problème"]).state.answers).toEqual({});
    });

    it('"paiement" is not "yes, I have internet"', () => {
      const r = run(['paiement']);
      expect(r.state.answers).toEqual({});
      expect(said(r.outputs)).toEqual(['engine:retry.choice']);
    });

    it.each([
      ["je n'ai pas de smartphone", 'fr'],
      ['pas de portable', 'fr'],
      ["I don't have a smartphone", 'en'],
      ['no phone', 'en'],
      ['ما عندي هاتف', 'ar'],
      ['makaynch telephone', 'ar'],
    ])('%p (%s) never picks "yes"', (text, lang) => {
      const r = run([text], lang);
      expect(r.state.answers).not.toEqual({ compte: 'oui' });
      expect(r.state.confirming?.value).not.toBe('oui');
    });
  });

  describe('confirmation', () => {
    const asked = () => run(["je n'ai pas de smartphone"]);

    it('asks "Vous voulez dire : … ?" with yes / no and the choices again, and waits', () => {
      const r = asked();
      expect(r.state.nodeId).toBe('compte');
      expect(r.state.answers).toEqual({});
      expect(r.state.confirming).toEqual({ nodeId: 'compte', value: 'non' });
      expect(r.state.failures).toBe(0);
      expect(said(r.outputs)).toEqual(['engine:confirm']);
      expect(labelOf(r.outputs, 'engine:confirm')).toEqual({ text: "Non, pas d'internet" });
      expect(choiceValues(r.outputs)).toEqual([CONFIRM_YES, CONFIRM_NO, 'oui', 'non', 'nsp']);
    });

    it.each([[{ kind: 'choice' as const, value: CONFIRM_YES }], ['oui'], ['ouais'], ["oui c'est ça"], ['yes']])('%p takes the answer and moves on', (reply) => {
      const r = run(["je n'ai pas de smartphone", reply]);
      expect(r.state.answers).toEqual({ compte: 'non' });
      expect(r.state.nodeId).toBe('creer');
      expect(r.state.confirming).toBeUndefined();
      // Confirmed: nothing to echo.
      expect(said(r.outputs)).toEqual(['Créez votre compte.']);
    });

    it.each([[{ kind: 'choice' as const, value: CONFIRM_NO }], ['non'], ['nan']])('%p shows the question again', (reply) => {
      const r = run(["je n'ai pas de smartphone", reply]);
      expect(r.state.answers).toEqual({});
      expect(r.state.nodeId).toBe('compte');
      expect(r.state.confirming).toBeUndefined();
      expect(said(r.outputs)).toEqual(['Pouvez-vous aller sur internet ?']);
      expect(choiceValues(r.outputs)).toEqual(['oui', 'non', 'nsp']);
    });

    it('another answer is a fresh answer to the question (a button, the other label, a number)', () => {
      expect(run(["je n'ai pas de smartphone", { kind: 'choice', value: 'oui' }]).state.answers).toEqual({ compte: 'oui' });
      expect(run(["je n'ai pas de smartphone", "Oui, j'ai internet"]).state.answers).toEqual({ compte: 'oui' });
      expect(run(["je n'ai pas de smartphone", '3']).state.answers).toEqual({ compte: 'nsp' });
    });

    it('an unclear reply is read afresh: not understood, the confirmation is gone', () => {
      const r = run(["je n'ai pas de smartphone", 'banane']);
      expect(said(r.outputs)).toEqual(['engine:retry.choice']);
      expect(r.state.confirming).toBeUndefined();
      // A later "oui" is an answer to the question, not to the old confirmation.
      expect(run(["je n'ai pas de smartphone", 'banane', 'oui']).state.answers).toEqual({ compte: 'oui' });
    });

    it('global intents still work, and drop the confirmation', () => {
      const r = run(["je n'ai pas de smartphone", 'aide']);
      expect(handoffs(r.outputs)).toEqual([expect.objectContaining({ reason: 'asked' })]);
      expect(r.state.confirming).toBeUndefined();
    });

    it('in Arabic, with Darija yes words', () => {
      for (const yes of ['واخا', 'wakha', 'eyeh', 'نعم']) {
        const r = run(['ليس عندي هاتف', yes], 'ar');
        expect({ yes, answers: r.state.answers }).toEqual({ yes, answers: { compte: 'non' } });
      }
      expect(run(['ليس عندي هاتف', 'la'], 'ar').state.answers).toEqual({});
    });

    it('the state stays plain JSON, and a stored confirmation survives a round trip', () => {
      const r = asked();
      const stored = JSON.parse(JSON.stringify(r.state)) as ConversationState;
      expect(converse(c, stored, { kind: 'text', text: 'oui' }).state.answers).toEqual({ compte: 'non' });
    });
  });
});

import { CONFIRM_NO, CONFIRM_YES } from '../../src/engine/step';
import { STEP_CHOICES } from '../../src/engine/nodes/step';
import { choiceValues, handoffs, labelOf, last, play, said } from './helpers';

const toStep = ['oui', '15/03/1990', '75011', '42', { kind: 'choice' as const, value: 'continue' }];

describe('step node', () => {
  it('shows the instruction, image, link and the two buttons', () => {
    const r = last(play('demo-all', toStep));
    expect(r.state.nodeId).toBe('connexion');
    expect(said(r.outputs)).toEqual(['Connectez-vous sur le site.']);
    expect(r.outputs).toContainEqual({ kind: 'image', src: 'https://example.org/ecran.png', alt: { text: "L'écran de connexion" } });
    expect(r.outputs).toContainEqual({ kind: 'link', url: 'https://example.org/connexion', label: { text: 'Le site' } });
    expect(r.outputs[r.outputs.length - 1]).toEqual({ kind: 'choices', choices: STEP_CHOICES });
    expect(choiceValues(r.outputs)).toEqual(['done', 'cannot']);
    expect(STEP_CHOICES.map((c) => c.label)).toEqual([{ key: 'engine:step.done' }, { key: 'engine:step.cannot' }]);
  });

  it.each([[{ kind: 'choice' as const, value: 'done' }], ["c'est fait"], ['C EST FAIT'], ['cest fai'], ['ok'], ['1']])('"done" goes to next (%p)', (answer) => {
    expect(last(play('demo-all', [...toStep, answer])).state.nodeId).toBe('fin-ok');
  });

  it.each([[{ kind: 'choice' as const, value: 'cannot' }], ["je n'y arrive pas"], ['ça marche pas'], ['2']])(
    '"cannot" without a stuck target hands off with reason stuck (%p)',
    (answer) => {
      const r = last(play('demo-all', [...toStep, answer]));
      expect(r.state.status).toBe('handoff');
      expect(handoffs(r.outputs)).toEqual([
        expect.objectContaining({ reason: 'stuck', flowId: 'demo-all', nodeId: 'connexion', support: { services: ['Aide aux démarches administratives'] } }),
      ]);
      expect(said(r.outputs)).toEqual(['engine:help.stuck']);
    },
  );

  it('"cannot" follows the step\'s stuck target when it has one', () => {
    const r = last(play('demo-all', ['non', 'je n arrive pas']));
    expect(r.state.nodeId).toBe('aide-humaine');
  });

  it('anything else gets a retry with the two buttons', () => {
    const r = last(play('demo-all', [...toStep, 'patate']));
    expect(r.state.nodeId).toBe('connexion');
    expect(said(r.outputs)).toEqual(['engine:retry.step']);
    expect(choiceValues(r.outputs)).toEqual(['done', 'cannot']);
  });
});

describe('step node: answers read by meaning (issue 12)', () => {
  it.each([
    ["c'est pas fait", 'fr'],
    ['pas fait', 'fr'],
    ['pas encore fait', 'fr'],
    ["c'est pas bon", 'fr'],
    ['not done', 'en'],
    ['ما درتش', 'ar'],
    ['machi safi', 'ar'],
  ])('%p (%s) is never "done"', (text, lang) => {
    const r = last(play('demo-all', [...toStep, text], lang));
    expect(r.state.nodeId).toBe('connexion');
    expect(r.state.confirming?.value).not.toBe('done');
  });

  it('a negated sentence is probably "I can\'t": asked, with yes / no and the two buttons', () => {
    const r = last(play('demo-all', [...toStep, "c'est pas fait"]));
    expect(r.state.confirming).toEqual({ nodeId: 'connexion', value: 'cannot' });
    expect(labelOf(r.outputs, 'engine:confirm')).toEqual({ key: 'engine:step.cannot' });
    expect(choiceValues(r.outputs)).toEqual([CONFIRM_YES, CONFIRM_NO, 'done', 'cannot']);
    const yes = last(play('demo-all', [...toStep, "c'est pas fait", 'oui']));
    expect(handoffs(yes.outputs)).toEqual([expect.objectContaining({ reason: 'stuck', nodeId: 'connexion' })]);
    const no = last(play('demo-all', [...toStep, "c'est pas fait", 'non']));
    expect(no.state.nodeId).toBe('connexion');
    expect(said(no.outputs)).toEqual(['Connectez-vous sur le site.']);
  });

  it.each([
    ['ça marche pô', 'fr'],
    ['sa marche pa', 'fr'],
    ['it does not work at all', 'en'],
    ['ما قدرتش', 'ar'],
  ])('%p (%s) is "I can\'t"', (text, lang) => {
    const r = last(play('demo-all', [...toStep, text], lang));
    expect(r.state.status).toBe('handoff');
    expect(handoffs(r.outputs)[0]?.reason).toBe('stuck');
  });

  it('echoes "C\'est fait" for a number or a sentence, not for the lexicon\'s own words', () => {
    const number = last(play('demo-all', [...toStep, '1']));
    expect(number.state.nodeId).toBe('fin-ok');
    expect(labelOf(number.outputs, 'engine:understood')).toEqual({ key: 'engine:step.done' });
    const sentence = last(play('demo-all', [...toStep, "voilà c'est fait merci"]));
    expect(labelOf(sentence.outputs, 'engine:understood')).toEqual({ key: 'engine:step.done' });
    expect(labelOf(last(play('demo-all', [...toStep, 'ok'])).outputs, 'engine:understood')).toBeUndefined();
  });

  it('a weak typo is asked about; "oui" goes on', () => {
    const r = last(play('demo-all', [...toStep, 'c bon']));
    expect(r.state.nodeId).toBe('connexion');
    expect(labelOf(r.outputs, 'engine:confirm')).toEqual({ key: 'engine:step.done' });
    expect(last(play('demo-all', [...toStep, 'c bon', 'oui'])).state.nodeId).toBe('fin-ok');
  });

  it('Darija and Arabic', () => {
    for (const text of ['wakha', 'صافي', 'تم']) expect({ text, node: last(play('demo-all', [...toStep, text], 'ar')).state.nodeId }).toEqual({ text, node: 'fin-ok' });
  });
});

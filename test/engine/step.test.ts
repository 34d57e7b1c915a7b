import { STEP_CHOICES } from '../../src/engine';
import { choiceValues, handoffs, last, play, said } from './helpers';

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

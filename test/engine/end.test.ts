import { last, play, said } from './helpers';

const toEnd = ['oui', '15/03/1990', '75011', '42', 'ok', "c'est fait"];

describe('end node', () => {
  it('says the outcome, what comes next, where to look, links, then an end marker', () => {
    const r = last(play('demo-all', toEnd));
    expect(r.state.status).toBe('ended');
    expect(r.state.nodeId).toBe('fin-ok');
    expect(r.outputs).toEqual([
      { kind: 'say', message: { text: "C'est terminé." } },
      { kind: 'say', message: { key: 'engine:end.nextSteps', params: { text: 'Vous recevrez un courriel.' } } },
      { kind: 'say', message: { key: 'engine:end.ifProblem', params: { text: 'Appelez le 3949.' } } },
      { kind: 'link', url: 'https://example.org/aide', label: { text: 'Aide' } },
      { kind: 'end', flowId: 'demo-all', nodeId: 'fin-ok' },
    ]);
  });

  it('a minimal end node says its text and ends', () => {
    const r = last(play('demo-all', ['oui', '15/03/1990', '75011', '3']));
    expect(r.outputs).toEqual([
      { kind: 'say', message: { text: 'Il faut être majeur.' } },
      { kind: 'end', flowId: 'demo-all', nodeId: 'mineur-fin' },
    ]);
  });

  it('after the end, "back" returns to the last question and "recommencer" restarts the flow', () => {
    const back = last(play('demo-all', [...toEnd, 'retour']));
    expect(back.state.status).toBe('active');
    expect(back.state.nodeId).toBe('connexion');
    expect(said(last(play('demo-all', [...toEnd, 'recommencer'])).outputs)).toEqual(['engine:restart.ask']);
    const restart = last(play('demo-all', [...toEnd, 'recommencer', 'cette démarche']));
    expect(restart.state.nodeId).toBe('compte');
    expect(restart.state.answers).toEqual({});
    expect(said(restart.outputs)).toEqual(['engine:restart', 'Avez-vous un compte ?']);
  });

  it('after the end, a new request starts another procedure', () => {
    const r = last(play('demo-all', [...toEnd, 'inscription pole emploi']));
    expect(r.state.flowId).toBe('pick-emploi');
    expect(r.state.status).toBe('active');
  });
});

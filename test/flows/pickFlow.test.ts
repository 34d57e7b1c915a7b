/**
 * Choosing a procedure from a sentence over the real `flows/`: the sentences of issue 2 must pick the
 * right flow, and ambiguous words must lead to a question, never a confident wrong flow. A case whose
 * flow is not in `flows/` (renamed) fails: rename it here too rather than lose the case silently.
 */
import { join } from 'node:path';
import { buildCatalog, converse, initialState } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';

const set = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));
const catalog = buildCatalog(set.flows, loadLexicons(), []);

const cases: Array<[string, string]> = [
  ['je veux mon attestation caf', 'caf-attestation'],
  ['rdv prefecture pour ma carte d identite', 'prefecture-rendez-vous'],
  ['renouveler mon titre de sejour', 'titre-sejour-renouvellement'],
  ['inscription pole emploi', 'france-travail-inscription'],
  ['attestaton de paiment caf', 'caf-attestation'],
  ['quotient familial', 'caf-attestation'],
  ['je veux m inscrire au chômage', 'france-travail-inscription'],
  ['passeport', 'prefecture-rendez-vous'],
];

describe('choosing among the real flows', () => {
  it('every flow these cases name exists', () => {
    const named = [...new Set([...cases.map(([, id]) => id), 'ameli-attestation-droits'])];
    expect(named.filter((id) => !catalog.flows.has(id))).toEqual([]);
  });

  it.each(cases)('%p starts %s', (sentence, flowId) => {
    const r = converse(catalog, initialState('fr'), { kind: 'text', text: sentence });
    expect(r.state.flowId).toBe(flowId);
    expect(r.state.status).toBe('active');
  });

  it('an off-topic sentence starts nothing and offers human help (a button, no handoff code yet)', () => {
    const r = converse(catalog, initialState('fr'), { kind: 'text', text: 'recette de la tarte aux pommes' });
    expect(r.state.flowId).toBeUndefined();
    const buttons = r.outputs.flatMap((o) => (o.kind === 'choices' ? o.choices.map((c) => c.value) : []));
    expect(buttons).toContain('help');
    expect(r.outputs.filter((o) => o.kind === 'handoff')).toEqual([]);
  });

  it('"attestation" alone asks which one', () => {
    const r = converse(catalog, initialState('fr'), { kind: 'text', text: 'attestation' });
    expect(r.state.flowId).toBeUndefined();
    expect(r.state.candidates).toEqual(expect.arrayContaining(['caf-attestation', 'ameli-attestation-droits']));
  });
});

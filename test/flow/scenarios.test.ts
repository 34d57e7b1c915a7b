import { join } from 'node:path';
import { loadFlowFiles, loadScenarioFile, type Flow } from '../../src/flow';
import { parseScenarioFile } from '../../src/flow/loadScenarioFile';

const dir = join(__dirname, '..', 'fixtures', 'flows-scenarios');
const TODAY = '2026-11-22';

describe('scenario files (<id>.test.yaml)', () => {
  const flows = loadFlowFiles([dir], { today: TODAY }).byId;

  it('are not loaded as flows', () => {
    const set = loadFlowFiles([dir], { today: TODAY });
    expect([...set.byId.keys()]).toEqual(['essai']);
    expect(set.scenarioFiles.map((f) => f.slice(dir.length + 1))).toEqual(['autre.test.yaml', 'essai.test.yaml']);
    expect(set.diagnostics).toEqual([]); // scenario checks are opt-in (the server does not need them)
  });

  it('a valid file is returned typed', () => {
    const fixtures = join(__dirname, '..', 'fixtures', 'flows-valid');
    const r = loadScenarioFile(join(fixtures, 'exemple-complet.test.yaml'), loadFlowFiles([fixtures], { today: TODAY }).byId);
    expect(r.diagnostics).toEqual([]);
    expect(r.scenarios?.scenarios[0]?.answers).toEqual(['ouais', 20, { choice: 'done' }]);
    expect(r.scenarios?.scenarios[1]).toMatchObject({ lang: 'en', handoff: 'node' });
  });

  it('references are checked against the flow: end node kind, path nodes, one expectation', () => {
    const r = loadScenarioFile(join(dir, 'essai.test.yaml'), flows);
    expect(r.scenarios).toBeUndefined();
    expect(r.diagnostics.map(({ line, col, code, message }) => ({ line, col, code, message }))).toEqual([
      { line: 5, col: 10, code: 'scenario', message: '« aide » est un nœud « handoff », pas « end »' },
      { line: 8, col: 20, code: 'unknown-node', message: 'aucun nœud ne s’appelle « connexon » dans « essai »' },
      { line: 10, col: 5, code: 'scenario', message: 'le scénario « Les deux attentes » attend à la fois « end » et « handoff »' },
    ]);
  });

  it('flow name must match the file and exist', () => {
    const r = loadScenarioFile(join(dir, 'autre.test.yaml'), flows);
    expect(r.diagnostics.map((d) => [d.line, d.message, d.hint])).toEqual([
      [1, '« flow: essaie » ne correspond pas au nom du fichier « autre.test.yaml »', 'écrivez « flow: autre »'],
      [1, 'aucun parcours « essaie »', 'vouliez-vous dire « essai » ?'],
    ]);
  });

  it('shape errors: unknown handoff reason, unknown field', () => {
    const text = 'flow: essai\nscenarios:\n  - name: x\n    answers: [oui]\n    handoff: bloque\n  - name: y\n    answer: [oui]\n    end: fini\n';
    const r = parseScenarioFile(text, 'essai.test.yaml', flows as ReadonlyMap<string, Flow>);
    expect(r.diagnostics.map((d) => [d.line, d.col, d.message, d.hint])).toEqual([
      [5, 14, 'valeur non prévue pour « handoff » : « bloque »', expect.stringContaining('« stuck »')],
      [7, 5, 'champ inconnu « answer »', 'vouliez-vous dire « answers » ?'],
    ]);
  });

  it('`ariane check` on a lone scenario file finds its flow next to it', () => {
    const set = loadFlowFiles([join(dir, 'essai.test.yaml')], { today: TODAY, checkScenarios: true });
    expect(set.diagnostics.map((d) => d.line)).toEqual([5, 8, 10]);
  });
});

/**
 * Runs every scenario of `flows/*.test.yaml` (and the engine fixtures' scenarios) through the same
 * runner as `ariane test`, one jest test per scenario so failures name the flow and scenario.
 */
import { join } from 'node:path';
import { describeFailure, findScenarioFiles, loadScenarioSuites, runSuiteScenario } from '../../src/cli/testCommand';

const files = findScenarioFiles([join(__dirname, '..', '..', 'flows'), join(__dirname, '..', 'fixtures', 'flows-engine')]);
const suites = loadScenarioSuites(files);

describe('flow scenarios', () => {
  it('finds scenario files (at least the fixtures)', () => {
    expect(suites.length).toBeGreaterThanOrEqual(1);
  });

  describe.each(suites.map((s) => [s.flowId ?? s.file, s] as const))('%s', (_name, suite) => {
    it('loads without problems', () => {
      expect(suite.problems).toEqual([]);
    });
    const cases = suite.scenarios.map((s) => [s.name, s] as const);
    if (cases.length) {
      it.each(cases)('%s', (_n, scenario) => {
        const result = runSuiteScenario(suite, scenario);
        if (!result.ok) throw new Error(describeFailure(result, scenario.lang ?? 'fr').join('\n'));
        expect(result.ok).toBe(true);
      });
    }
  });
});

/**
 * Every flow exists in every language the service offers (issue 12, item 4). The languages offered
 * are the folders of `locales/`: a flow must list them all in `languages`, and `checkFlow` must find
 * no text of it without a translation in one of them (the "missing translation" warning of `ariane check`).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isExamplesFile, isScenarioFile } from '../../src/flow';
import { checkFlow, type ParsedFlow } from '../../src/flow/checkFlows';
import { loadFlow } from '../../src/flow/loadFlow';

const root = join(__dirname, '..', '..');
const localesDir = join(root, 'locales');
const flowsDir = join(root, 'flows');
const TODAY = '2026-12-03';

const offered = readdirSync(localesDir)
  .filter((d) => statSync(join(localesDir, d)).isDirectory())
  .sort();

function loadParsed(file: string): ParsedFlow {
  const loaded = loadFlow(file);
  if (!loaded.flow) throw new Error(`${file} does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return { flow: loaded.flow, source: loaded.source };
}

const flowFiles = readdirSync(flowsDir)
  .filter((f) => /\.ya?ml$/i.test(f) && !isScenarioFile(f) && !isExamplesFile(f))
  .sort()
  .map((f) => join(flowsDir, f));

/** What stops a flow from being complete in every offered language, one line per problem. */
function languageProblems(parsed: ParsedFlow, languages: readonly string[]): string[] {
  const { flow, source } = parsed;
  const missing = languages.filter((l) => !flow.languages.includes(l));
  const problems = missing.length ? [`${flow.id}: languages lacks ${missing.join(', ')}`] : [];
  for (const d of checkFlow(parsed, { today: TODAY })) {
    if (d.code === 'missing-translation') problems.push(`${source.file}:${d.line}:${d.col} ${d.message}`);
  }
  return problems;
}

describe('every flow in every language the service offers', () => {
  it('the service offers French, easy French, English and Arabic (the folders of locales/)', () => {
    expect(offered).toEqual(['ar', 'en', 'fr', 'fr-facile']);
  });

  it('finds the flows', () => {
    expect(flowFiles.length).toBeGreaterThanOrEqual(15);
  });

  it.each(flowFiles.map((f) => [f.slice(flowsDir.length + 1), f] as const))('%s', (_name, file) => {
    expect(languageProblems(loadParsed(file), offered)).toEqual([]);
  });

  describe('the check can fail', () => {
    const file = join(flowsDir, 'caf-attestation.yaml');

    it('a flow that does not declare a language', () => {
      const parsed = loadParsed(file);
      parsed.flow.languages = parsed.flow.languages.filter((l) => l !== 'ar');
      expect(languageProblems(parsed, offered)).toEqual(['caf-attestation: languages lacks ar']);
    });

    it('a text without one of the declared languages', () => {
      const parsed = loadParsed(file);
      const node = parsed.flow.nodes['attestation'];
      if (!node || typeof node.text !== 'object') throw new Error('fixture changed: attestation.text should be a map');
      delete (node.text as Record<string, string>)['fr-facile'];
      const problems = languageProblems(parsed, offered);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/caf-attestation\.yaml:\d+:\d+ texte sans traduction « fr-facile »/);
    });

    it('a flow whose keywords have no Arabic list', () => {
      const parsed = loadParsed(file);
      const keywords = parsed.flow.keywords as Record<string, string[]>;
      delete keywords['ar'];
      expect(languageProblems(parsed, offered)).toEqual([expect.stringContaining('mots-clés sans liste « ar »')]);
    });
  });
});

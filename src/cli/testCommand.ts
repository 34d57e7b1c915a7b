/**
 * `ariane test [files…]`: plays the scenarios of `flows/<id>.test.yaml` through the real engine and
 * reports each one. `npm test` runs the same scenarios (test/flows/scenarios.test.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildCatalog, runScenario, type Catalog, type Output, type Scenario, type ScenarioResult } from '../engine';
import type { Flow } from '../flow';
import { formatDiagnostic, isScenarioFile, loadFlowDirectory, loadScenarioFile } from '../flow';
import { loadLexicons, translate } from '../i18n';
import { starterFinder } from '../places';
import { quietOnClosedPipe, renderText, resolveFlowsDir } from './chatCommand';

/** One scenario file, ready to run: its flow, catalog and scenarios, or the problems that stop it. */
export interface ScenarioSuite {
  file: string;
  flowId?: string;
  catalog?: Catalog;
  scenarios: Scenario[];
  /** Load or shape problems (formatted `file:line:col: …`); a suite with problems fails. */
  problems: string[];
}

/** Expands files and directories to `*.test.yaml` files (directories not recursively), sorted. */
export function findScenarioFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      out.push(...readdirSync(abs).filter(isScenarioFile).sort().map((f) => join(abs, f)));
    } else out.push(abs);
  }
  return out;
}

/**
 * Loads scenario files with the flows of their own directory (one catalog per directory). Never
 * throws on content: a broken file becomes a suite with problems.
 */
export function loadScenarioSuites(files: readonly string[]): ScenarioSuite[] {
  const catalogs = new Map<string, { catalog: Catalog; byId: ReadonlyMap<string, Flow> }>();
  const lexicons = loadLexicons();
  return files.map((file) => {
    const dir = dirname(file);
    let entry = catalogs.get(dir);
    if (!entry) {
      const set = loadFlowDirectory(dir);
      entry = { catalog: buildCatalog(set.flows, lexicons, []), byId: set.byId };
      catalogs.set(dir, entry);
    }
    if (!existsSync(file)) return { file, scenarios: [], problems: [`${file}: fichier introuvable`] };
    const loaded = loadScenarioFile(file, entry.byId);
    const problems = loaded.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
    if (!loaded.scenarios) return { file, scenarios: [], problems: problems.length ? problems : [`${file}: scénarios illisibles`] };
    return { file, flowId: loaded.scenarios.flow, catalog: entry.catalog, scenarios: loaded.scenarios.scenarios as Scenario[], problems };
  });
}

/**
 * Runs one scenario of a loaded suite. The help dialogue searches the starter directory shipped
 * with the project (in memory: scenarios need no store), with opening hours at `at`.
 */
export function runSuiteScenario(suite: ScenarioSuite, scenario: Scenario, at: Date = new Date()): ScenarioResult {
  if (!suite.catalog || !suite.flowId) return { name: scenario.name, ok: false, failure: suite.problems.join('; '), visited: [], lastOutputs: [] };
  return runScenario(suite.catalog, suite.flowId, scenario, { findHelp: starterFinder(at) });
}

/** A failure, explained for an admin: what went wrong, where the conversation was, what it last said. */
export function describeFailure(result: ScenarioResult, lang = 'fr'): string[] {
  const lines = [`    ${result.failure ?? ''}`];
  if (result.nodeId) lines.push(`    nœud atteint : ${result.nodeId}`);
  if (result.visited.length) lines.push(`    chemin : ${result.visited.join(' → ')}`);
  const last: Output[] = result.lastOutputs;
  if (last.length) {
    lines.push('    derniers messages :');
    for (const l of renderText(last, lang, translate)) lines.push(`      ${l}`);
  }
  return lines;
}

/**
 * Runs every scenario of `paths` (files or directories; default: the flows directory) and writes one
 * line per scenario and a last line `N passed, N failed`. Returns the exit code: 1 on any failure
 * (a broken scenario file counts as one failure), 0 otherwise.
 */
export function runTests(paths: readonly string[], write: (line: string) => void): number {
  const files = findScenarioFiles(paths.length ? paths : [resolveFlowsDir()]);
  let passed = 0;
  let failed = 0;
  for (const suite of loadScenarioSuites(files)) {
    if (!suite.catalog) {
      failed += 1;
      write(`✗ ${suite.file}`);
      for (const p of suite.problems) write(`    ${p}`);
      continue;
    }
    for (const scenario of suite.scenarios) {
      const r = runSuiteScenario(suite, scenario);
      if (r.ok) {
        passed += 1;
        write(`✓ ${suite.flowId} › ${scenario.name}`);
      } else {
        failed += 1;
        write(`✗ ${suite.flowId} › ${scenario.name}`);
        for (const l of describeFailure(r, scenario.lang ?? 'fr')) write(l);
      }
    }
  }
  write(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** Registers `ariane test [files...]`. */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description('Joue les scénarios des fichiers <parcours>.test.yaml ; code de sortie 1 si un scénario échoue.')
    .argument('[files...]', 'fichiers .test.yaml ou dossiers (par défaut : flows)')
    .action((files: string[]) => {
      quietOnClosedPipe();
      const code = runTests(files, (line) => process.stdout.write(`${line}\n`));
      if (code !== 0) process.exitCode = code;
    });
}

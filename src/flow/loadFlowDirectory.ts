import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkFlows, type FicheLookup, type ParsedFlow } from './checkFlows';
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostic';
import type { FlowCache } from './FlowCache';
import { loadFlow } from './loadFlow';
import { isExamplesFile, loadExamplesFile, type Example } from './loadExamplesFile';
import { loadScenarioFile } from './loadScenarioFile';
import type { Flow } from './schema';

/** Flows loaded from files, with every problem found in them. */
export interface FlowSet {
  /** Flows that match the schema, in file-name order (may still have graph errors: see `ok`). */
  flows: Flow[];
  /** The same flows by id (the first file wins when two files declare one id — itself an error). */
  byId: Map<string, Flow>;
  /** The file each flow came from, by id. */
  fileById: Map<string, string>;
  /** Syntax, schema, graph and cross-file problems, sorted by file and line. */
  diagnostics: Diagnostic[];
  /** False when any diagnostic is an error: the server must refuse to start, `ariane check` exits 1. */
  ok: boolean;
  /** Scenario files (`*.test.yaml`) found next to the flows (not loaded as flows). */
  scenarioFiles: string[];
  /** Requests people wrote, with their flow or `none`, from the example files (`*.examples.yaml`) next to the flows. */
  examples: Example[];
}

export interface LoadOptions {
  /** `YYYY-MM-DD`; defaults to today's date (UTC). Tests pass a fixed date. */
  today?: string;
  /** Warnings become errors. */
  strict?: boolean;
  /** Also check the shape of scenario files (`ariane check` does; the server does not need to). */
  checkScenarios?: boolean;
  /** Check the fiches the flows cite against this catalogue (`ariane check` passes the one in use). */
  fiches?: FicheLookup;
  /** Flows parsed at an earlier load (the service's start and reloads); saved at the end of this load. */
  cache?: FlowCache;
}

/** True for scenario files (`<id>.test.yaml`), which sit next to flows but are not flows. */
export function isScenarioFile(file: string): boolean {
  return /\.test\.ya?ml$/i.test(file);
}

/**
 * Loads and checks flow files. Directories are expanded to their `*.yaml` files (not recursively;
 * scenario files are set aside, example files read after the flows). Never throws on bad content: problems are diagnostics.
 */
export function loadFlowFiles(paths: readonly string[], options: LoadOptions = {}): FlowSet {
  const files: string[] = [];
  const scenarioFiles: string[] = [];
  const exampleFiles: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // Reported by loadFlow as "fichier introuvable".
    }
    const found = isDir
      ? readdirSync(p)
          .filter((f) => /\.ya?ml$/i.test(f))
          .sort()
          .map((f) => join(p, f))
      : [p];
    for (const f of found) (isScenarioFile(f) ? scenarioFiles : isExamplesFile(f) ? exampleFiles : files).push(f);
    if (isDir && !found.some((f) => !isScenarioFile(f) && !isExamplesFile(f))) {
      // A wrong folder must not look like a clean one (the server would start with nothing to offer).
      diagnostics.push({ file: p, line: 1, col: 1, severity: 'error', code: 'io', message: 'aucun parcours (fichier .yaml) dans ce dossier', hint: 'vérifiez le chemin du dossier des parcours' });
    }
  }

  const parsed: ParsedFlow[] = [];
  for (const file of files) {
    const loaded = loadFlow(file, options.cache);
    diagnostics.push(...loaded.diagnostics);
    if (loaded.flow) parsed.push({ flow: loaded.flow, source: loaded.source });
  }
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  diagnostics.push(...checkFlows(parsed, { today, strict: options.strict ?? false, ...(options.fiches ? { fiches: options.fiches } : {}) }));

  const byId = new Map<string, Flow>();
  const fileById = new Map<string, string>();
  for (const { flow, source } of parsed) {
    if (byId.has(flow.id)) continue;
    byId.set(flow.id, flow);
    fileById.set(flow.id, source.file);
  }
  const examples: Example[] = [];
  const flowIds = new Set(byId.keys());
  for (const file of exampleFiles) {
    const loaded = loadExamplesFile(file, flowIds, options.cache);
    diagnostics.push(...loaded.diagnostics);
    examples.push(...loaded.examples);
  }
  options.cache?.save();
  if (options.checkScenarios) {
    for (const file of scenarioFiles) {
      // A scenario file checked on its own still needs its flow: read the sibling `<id>.yaml` quietly.
      const sibling = file.replace(/\.test\.ya?ml$/i, '.yaml');
      const id = basename(sibling, '.yaml');
      const known = byId.has(id) ? byId : new Map(byId);
      if (!known.has(id)) {
        const loaded = loadFlow(sibling);
        if (loaded.flow) known.set(loaded.flow.id, loaded.flow);
      }
      diagnostics.push(...loadScenarioFile(file, known).diagnostics);
    }
  }
  const all = sortDiagnostics(options.strict ? diagnostics.map((d) => ({ ...d, severity: 'error' as const })) : diagnostics);
  return { flows: parsed.map((p) => p.flow), byId, fileById, diagnostics: all, ok: !hasErrors(all), scenarioFiles, examples };
}

/** Loads and checks every flow of a directory (default `flows/`): what the server does at start. */
export function loadFlowDirectory(dir = 'flows', options: LoadOptions = {}): FlowSet {
  return loadFlowFiles([dir], options);
}

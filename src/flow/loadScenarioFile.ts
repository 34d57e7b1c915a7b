import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Diagnostic, DiagnosticCode } from './diagnostic';
import type { FlowSource } from './flowSource';
import { parseYamlFile } from './loadFlow';
import type { Flow } from './schema';
import { ScenarioFile } from './scenarioSchema';
import { closest } from './closest';

/** A scenario file read and validated, ready for the test runner. */
export interface LoadedScenarios {
  scenarios?: ScenarioFile;
  diagnostics: Diagnostic[];
  source?: FlowSource;
}

/**
 * Reads a scenario file (`<id>.test.yaml`) and checks its shape and its references against the flows:
 * the flow exists and matches the file name, `end` names an `end` node, `path` names existing nodes,
 * exactly one of `end` / `handoff`. Running the scenarios is the test runner's job.
 */
export function loadScenarioFile(file: string, flows: ReadonlyMap<string, Flow>): LoadedScenarios {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return { diagnostics: [{ file, line: 1, col: 1, severity: 'error', code: 'io', message: 'fichier introuvable' }] };
  }
  return parseScenarioFile(text, file, flows);
}

/** `loadScenarioFile` on text already read (pure). */
export function parseScenarioFile(text: string, file: string, flows: ReadonlyMap<string, Flow>): LoadedScenarios {
  const { value, diagnostics, source } = parseYamlFile<ScenarioFile>(text, file, ScenarioFile, 'flow, scenarios');
  if (!value) return { diagnostics, source };
  const out: Diagnostic[] = [];
  const push = (path: Array<string | number>, code: DiagnosticCode, message: string, hint?: string) => {
    const pos = source.locate(path, 'value');
    out.push({ file, line: pos.line, col: pos.col, severity: 'error', code, message, ...(hint ? { hint } : {}) });
  };

  const expectedId = basename(file).replace(/\.test\.ya?ml$/i, '');
  if (/\.test\.ya?ml$/i.test(file) && value.flow !== expectedId) {
    push(['flow'], 'scenario', `« flow: ${value.flow} » ne correspond pas au nom du fichier « ${basename(file)} »`, `écrivez « flow: ${expectedId} »`);
  }
  const flow = flows.get(value.flow);
  if (!flow) {
    const guess = closest(value.flow, flows.keys());
    push(['flow'], 'scenario', `aucun parcours « ${value.flow} »`, guess ? `vouliez-vous dire « ${guess} » ?` : 'le fichier du parcours doit être dans le même dossier');
    return { diagnostics: out, source };
  }
  const ids = Object.keys(flow.nodes);
  value.scenarios.forEach((s, i) => {
    const base = ['scenarios', i];
    const outcomes = (['end', 'handoff', 'at', 'choosing'] as const).filter((k) => s[k] !== undefined);
    if (outcomes.length > 1) {
      push(base, 'scenario', `le scénario « ${s.name} » attend à la fois ${outcomes.map((k) => `« ${k} »`).join(' et ')}`, 'gardez-en un seul');
    } else if (outcomes.length === 0) {
      push(
        base,
        'scenario',
        `le scénario « ${s.name} » n’attend ni « end » ni « handoff »`,
        'ajoutez « end: <nœud de fin> », « handoff: true », « at: <nœud où la conversation attend> » ou « choosing: true »',
      );
    }
    if (s.at !== undefined) {
      const node = flow.nodes[s.at];
      const waiting = (k: string) => k === 'question' || k === 'input' || k === 'step' || k === 'checklist';
      if (!node) {
        const guess = closest(s.at, ids.filter((id) => waiting(flow.nodes[id]?.kind ?? '')));
        push([...base, 'at'], 'unknown-node', `aucun nœud ne s’appelle « ${s.at} » dans « ${flow.id} »`, guess ? `vouliez-vous dire « ${guess} » ?` : undefined);
      } else if (!waiting(node.kind)) {
        push([...base, 'at'], 'scenario', `« ${s.at} » est un nœud « ${node.kind} », qui n’attend pas de réponse`, node.kind === 'end' ? 'pour une fin, écrivez « end: »' : undefined);
      }
    }
    if (s.end !== undefined) {
      const node = flow.nodes[s.end];
      if (!node) {
        const guess = closest(s.end, ids.filter((id) => flow.nodes[id]?.kind === 'end'));
        push([...base, 'end'], 'unknown-node', `aucun nœud ne s’appelle « ${s.end} » dans « ${flow.id} »`, guess ? `vouliez-vous dire « ${guess} » ?` : undefined);
      } else if (node.kind !== 'end') {
        push([...base, 'end'], 'scenario', `« ${s.end} » est un nœud « ${node.kind} », pas « end »`, node.kind === 'handoff' ? 'pour attendre un relais, écrivez « handoff: true »' : undefined);
      }
    }
    s.path?.forEach((id, j) => {
      if (!flow.nodes[id]) {
        const guess = closest(id, ids);
        push([...base, 'path', j], 'unknown-node', `aucun nœud ne s’appelle « ${id} » dans « ${flow.id} »`, guess ? `vouliez-vous dire « ${guess} » ?` : undefined);
      }
    });
  });
  return out.length === 0 ? { scenarios: value, diagnostics: out, source } : { diagnostics: out, source };
}

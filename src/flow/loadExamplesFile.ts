import { readFileSync } from 'node:fs';
import { closest } from './closest';
import type { Diagnostic } from './diagnostic';
import { ExamplesFile } from './examplesSchema';
import type { FlowCache } from './FlowCache';
import { FlowSource } from './flowSource';
import { parseYamlFile } from './loadFlow';

/** The label of requests no procedure covers (the engine's `NONE`). */
const NONE = 'none';

/** A request people wrote and what it meant: a flow id, or `none`. */
export interface Example {
  text: string;
  flow: string;
}

/** True for example files (`<name>.examples.yaml`), which sit next to flows but are not flows. */
export function isExamplesFile(file: string): boolean {
  return /\.examples\.ya?ml$/i.test(file);
}

/**
 * Reads an example file and checks it against the flows: every key is a flow id or `none` (an
 * unknown one is an error naming its line and the closest id); a request written twice is a
 * warning. The examples of unknown keys are left out, the others kept. With a `cache`, a text parsed
 * before without any diagnostic is not parsed again (the checks against the flows still run).
 */
export function loadExamplesFile(file: string, flowIds: ReadonlySet<string>, cache?: FlowCache): { examples: Example[]; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch {
    return { examples: [], diagnostics: [{ file, line: 1, col: 1, severity: 'error', code: 'io', message: 'fichier introuvable' }] };
  }
  return parseExamplesFile(text, file, flowIds, cache);
}

/** `loadExamplesFile` on text already read (pure without a cache). */
export function parseExamplesFile(text: string, file: string, flowIds: ReadonlySet<string>, cache?: FlowCache): { examples: Example[]; diagnostics: Diagnostic[] } {
  const cached = cache?.get<ExamplesFile>(text);
  if (cached) return checkExamples(cached, new FlowSource(file, text), flowIds);
  const { value, diagnostics, source } = parseYamlFile<ExamplesFile>(text, file, ExamplesFile, 'examples');
  if (!value) return { examples: [], diagnostics };
  if (cache && diagnostics.length === 0) cache.put(text, value);
  const checked = checkExamples(value, source, flowIds);
  return { examples: checked.examples, diagnostics: [...diagnostics, ...checked.diagnostics] };
}

/** The examples of a valid file, checked against the flows (positions are read only for a problem). */
function checkExamples(value: ExamplesFile, source: FlowSource, flowIds: ReadonlySet<string>): { examples: Example[]; diagnostics: Diagnostic[] } {
  const file = source.file;
  const diagnostics: Diagnostic[] = [];
  const examples: Example[] = [];
  const seen = new Set<string>();
  for (const [flow, texts] of Object.entries(value.examples)) {
    if (flow !== NONE && !flowIds.has(flow)) {
      const pos = source.locate(['examples', flow], 'key');
      const guess = closest(flow, flowIds);
      diagnostics.push({ file, line: pos.line, col: pos.col, severity: 'error', code: 'example', message: `exemples pour un parcours inconnu « ${flow} »`, hint: guess ? `vouliez-vous dire « ${guess} » ? (ou « none » : aucune démarche)` : 'écrivez l’identifiant d’un parcours, ou « none » pour une demande hors de toute démarche' });
      continue;
    }
    texts.forEach((t, i) => {
      const key = t.trim().toLowerCase().replace(/\s+/g, ' ');
      if (seen.has(key)) {
        const pos = source.locate(['examples', flow, i], 'value');
        diagnostics.push({ file, line: pos.line, col: pos.col, severity: 'warning', code: 'duplicate-example', message: `demande déjà donnée plus haut : « ${t} »`, hint: 'gardez-la une seule fois, sous le bon parcours' });
        return;
      }
      seen.add(key);
      examples.push({ text: t, flow });
    });
  }
  return { examples, diagnostics };
}

/** Shared helpers for the engine tests: the fixture flows, real lexicons, and a conversation player. */
import { join } from 'node:path';
import { buildCatalog, converse, initialState, type Catalog, type ConversationState, type Input, type Output, type StepResult } from '../../src/engine';
import { loadFlowDirectory, type Flow } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'flows-engine');

let cached: { flows: Flow[]; catalog: Catalog } | undefined;

/** The fixture flows (loaded and checked once) and a catalog over them with the real lexicons. */
export function fixtures(): { flows: Flow[]; catalog: Catalog; flow(id: string): Flow } {
  if (!cached) {
    const set = loadFlowDirectory(FIXTURES);
    if (!set.ok) throw new Error(`fixtures have errors: ${JSON.stringify(set.diagnostics)}`);
    cached = { flows: set.flows, catalog: buildCatalog(set.flows, loadLexicons(), ['pick-caf', 'pick-prefecture', 'pick-emploi']) };
  }
  const c = cached;
  return { ...c, flow: (id: string) => c.flows.find((f) => f.id === id) as Flow };
}

export const lexicons = () => fixtures().catalog.lexicons;

/** Plays inputs (strings are typed text) from the start of a flow; returns every turn's result. */
export function play(flowId: string, inputs: Array<string | Input>, lang = 'fr', catalog: Catalog = fixtures().catalog): StepResult[] {
  const results: StepResult[] = [converse(catalog, initialState(lang), { kind: 'flow', flowId })];
  for (const i of inputs) {
    const prev = results[results.length - 1] as StepResult;
    results.push(converse(catalog, prev.state, typeof i === 'string' ? { kind: 'text', text: i } : i));
  }
  return results;
}

/** The last result of `play`. */
export function last(results: StepResult[]): StepResult {
  return results[results.length - 1] as StepResult;
}

/** Message keys and texts said in some outputs, in order. */
export function said(outputs: Output[]): string[] {
  return outputs.flatMap((o) => (o.kind === 'say' ? ['text' in o.message ? o.message.text : o.message.key] : []));
}

/** The choice values offered in some outputs. */
export function choiceValues(outputs: Output[]): string[] {
  return outputs.flatMap((o) => (o.kind === 'choices' ? o.choices.map((c) => c.value) : []));
}

/** The handoff outputs. */
export function handoffs(outputs: Output[]): Array<Extract<Output, { kind: 'handoff' }>> {
  return outputs.filter((o): o is Extract<Output, { kind: 'handoff' }> => o.kind === 'handoff');
}

export type { ConversationState };

/** A catalog where one node of a fixture flow is replaced (to try a question the fixtures lack). */
export function withNode(flowId: string, nodeId: string, node: Flow['nodes'][string]): Catalog {
  const { catalog, flow } = fixtures();
  const base = flow(flowId);
  const edited = { ...base, nodes: { ...base.nodes, [nodeId]: node } };
  return { ...catalog, flows: new Map([...catalog.flows, [flowId, edited]]) };
}

/** The label echoed ("J'ai compris : …") or proposed ("Vous voulez dire : … ?") in some outputs, by key. */
export function labelOf(outputs: Output[], key: 'engine:understood' | 'engine:confirm'): unknown {
  for (const o of outputs) if (o.kind === 'say' && 'key' in o.message && o.message.key === key) return o.message.params?.label;
  return undefined;
}

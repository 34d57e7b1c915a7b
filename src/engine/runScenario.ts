/**
 * Playing a scripted conversation (`flows/<id>.test.yaml` scenario) through the real engine. Pure:
 * the CLI and the test suites read the files and pass the parsed scenarios in.
 */
import { converse } from './converse';
import { initialState } from './state';
import type { Catalog, Input, Output } from './types';

/** One scenario, as written in a `.test.yaml` file (see SCENARIOS.md). */
export interface Scenario {
  name: string;
  lang?: string;
  answers: Array<string | number | { choice: string }>;
  path?: string[];
  end?: string;
  handoff?: boolean | string;
}

/** What happened: pass, or the first mismatch with where the conversation stood. */
export interface ScenarioResult {
  name: string;
  ok: boolean;
  /** Why it failed (English, for admins' terminals and CI logs). */
  failure?: string;
  /** Every node entered, in order. */
  visited: string[];
  /** The node the conversation ended on. */
  nodeId?: string;
  /** The outputs of the last turn played. */
  lastOutputs: Output[];
}

/** Checks a scenario's own shape (exactly one of `end` / `handoff`, answers a list). */
export function scenarioProblem(s: Scenario): string | undefined {
  if (!s || typeof s !== 'object') return 'a scenario must be a map with name, answers and end or handoff';
  if (!Array.isArray(s.answers)) return '`answers` must be a list';
  for (const a of s.answers) {
    if (typeof a !== 'string' && typeof a !== 'number' && !(a && typeof a === 'object' && typeof (a as { choice?: unknown }).choice === 'string')) {
      return 'each answer must be text or { choice: <value> }';
    }
  }
  if ((s.end === undefined) === (s.handoff === undefined)) return 'give exactly one of `end` or `handoff`';
  if (s.path !== undefined && (!Array.isArray(s.path) || s.path.some((p) => typeof p !== 'string'))) return '`path` must be a list of node ids';
  return undefined;
}

const isSubsequence = (wanted: string[], seen: string[]): string | undefined => {
  let i = 0;
  for (const id of seen) if (id === wanted[i]) i++;
  return i < wanted.length ? wanted[i] : undefined;
};

/**
 * Plays `scenario` on flow `flowId`: starts directly in the flow, feeds each answer (text typed, or
 * a button value), then compares the path, the end node or the handoff with what was expected.
 * A scenario still holding answers when the flow has ended fails.
 */
export function runScenario(catalog: Catalog, flowId: string, scenario: Scenario): ScenarioResult {
  const visited: string[] = [];
  const problem = scenarioProblem(scenario);
  const fail = (failure: string, nodeId: string | undefined, lastOutputs: Output[]): ScenarioResult => {
    const r: ScenarioResult = { name: scenario?.name ?? '(unnamed)', ok: false, failure, visited, lastOutputs };
    if (nodeId) r.nodeId = nodeId;
    return r;
  };
  if (problem) return fail(problem, undefined, []);
  if (!catalog.flows.has(flowId)) return fail(`flow "${flowId}" not found`, undefined, []);

  let res = converse(catalog, initialState(scenario.lang ?? 'fr'), { kind: 'flow', flowId });
  visited.push(...(res.trace ?? []));
  const handoffs: Output[] = res.outputs.filter((o) => o.kind === 'handoff');
  for (let i = 0; i < scenario.answers.length; i++) {
    if (res.state.status === 'ended') {
      return fail(`the flow ended on "${res.state.nodeId}" with ${scenario.answers.length - i} answer(s) left (next: ${JSON.stringify(scenario.answers[i])})`, res.state.nodeId, res.outputs);
    }
    const a = scenario.answers[i] as string | number | { choice: string };
    const input: Input = typeof a === 'object' ? { kind: 'choice', value: a.choice } : { kind: 'text', text: String(a) };
    res = converse(catalog, res.state, input);
    visited.push(...(res.trace ?? []));
    handoffs.push(...res.outputs.filter((o) => o.kind === 'handoff'));
  }
  const nodeId = res.state.nodeId;
  if (scenario.path) {
    const missing = isSubsequence(scenario.path, visited);
    if (missing) return fail(`path: node "${missing}" was not visited in the expected order (visited: ${visited.join(' → ')})`, nodeId, res.outputs);
  }
  if (scenario.end !== undefined) {
    if (res.state.status !== 'ended' || nodeId !== scenario.end) {
      return fail(`expected to end on "${scenario.end}", but the conversation is ${res.state.status} on "${nodeId ?? '-'}"`, nodeId, res.outputs);
    }
  } else {
    const want = scenario.handoff;
    const ok =
      want === true
        ? handoffs.length > 0
        : want === false
          ? handoffs.length === 0
          : handoffs.some((h) => h.kind === 'handoff' && (h.reason === want || h.nodeId === want));
    if (!ok) {
      const got = handoffs.map((h) => (h.kind === 'handoff' ? h.reason : '')).join(', ') || 'none';
      return fail(`expected a handoff${typeof want === 'string' ? ` "${want}"` : ''}, got: ${got} (conversation ${res.state.status} on "${nodeId ?? '-'}")`, nodeId, res.outputs);
    }
  }
  const r: ScenarioResult = { name: scenario.name, ok: true, visited, lastOutputs: res.outputs };
  if (nodeId) r.nodeId = nodeId;
  return r;
}

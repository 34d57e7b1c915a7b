/**
 * Playing a scripted conversation (`flows/<id>.test.yaml` scenario) through the real engine. Pure:
 * the CLI and the test suites read the files and pass the parsed scenarios in.
 */
import { converse } from './converse';
import { initialState } from './state';
import type { Catalog, EngineEnv, Input, Output } from './types';

/** One scenario, as written in a `.test.yaml` file (see SCENARIOS.md). */
export interface Scenario {
  name: string;
  lang?: string;
  /** `welcome`: start on the welcome (the first answer picks the procedure), not in the flow. */
  from?: 'welcome';
  answers: Array<string | number | { choice: string } | { location: { lat: number; lon: number } }>;
  path?: string[];
  end?: string;
  handoff?: boolean | string;
  /** The node of this flow waiting for an answer at the end. */
  at?: string;
  /** At the end, no procedure runs (back to the choice). */
  choosing?: true;
  /** After the last answer: the help dialogue asks where the person is, or shows places. */
  help?: 'where' | 'places';
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

/** Checks a scenario's own shape (exactly one of `end` / `handoff` / `at` / `choosing`, answers a list). */
export function scenarioProblem(s: Scenario): string | undefined {
  if (!s || typeof s !== 'object') return 'a scenario must be a map with name, answers and end or handoff';
  if (!Array.isArray(s.answers)) return '`answers` must be a list';
  for (const a of s.answers) {
    if (typeof a === 'string' || typeof a === 'number') continue;
    const o = a as { choice?: unknown; location?: { lat?: unknown; lon?: unknown } } | null;
    if (o && typeof o === 'object' && typeof o.choice === 'string') continue;
    if (o && typeof o === 'object' && o.location && typeof o.location.lat === 'number' && typeof o.location.lon === 'number') continue;
    return 'each answer must be text, { choice: <value> } or { location: { lat, lon } }';
  }
  const outcomes = [s.end, s.handoff, s.at, s.choosing].filter((o) => o !== undefined).length;
  if (outcomes !== 1) return 'give exactly one of `end`, `handoff`, `at` or `choosing`';
  if (s.path !== undefined && (!Array.isArray(s.path) || s.path.some((p) => typeof p !== 'string'))) return '`path` must be a list of node ids';
  return undefined;
}

const isSubsequence = (wanted: string[], seen: string[]): string | undefined => {
  let i = 0;
  for (const id of seen) if (id === wanted[i]) i++;
  return i < wanted.length ? wanted[i] : undefined;
};

/**
 * Plays `scenario` on flow `flowId`: starts directly in the flow (or on the welcome with `from:
 * welcome`), feeds each answer (text typed, a button value, or a position), then compares the path,
 * the end node, the handoff, the node waiting (`at`), the procedure choice (`choosing`) and the
 * help dialogue (`help`) with what was expected. `env` is what the engine gets from outside (the
 * help places). A scenario started in the flow and still holding answers when it has ended fails.
 */
export function runScenario(catalog: Catalog, flowId: string, scenario: Scenario, env: EngineEnv = {}): ScenarioResult {
  const visited: string[] = [];
  const problem = scenarioProblem(scenario);
  const fail = (failure: string, nodeId: string | undefined, lastOutputs: Output[]): ScenarioResult => {
    const r: ScenarioResult = { name: scenario?.name ?? '(unnamed)', ok: false, failure, visited, lastOutputs };
    if (nodeId) r.nodeId = nodeId;
    return r;
  };
  if (problem) return fail(problem, undefined, []);
  if (!catalog.flows.has(flowId)) return fail(`flow "${flowId}" not found`, undefined, []);

  const welcome = scenario.from === 'welcome';
  let res = converse(catalog, initialState(scenario.lang ?? 'fr'), welcome ? { kind: 'start' } : { kind: 'flow', flowId }, env);
  visited.push(...(res.trace ?? []));
  const handoffs: Output[] = res.outputs.filter((o) => o.kind === 'handoff');
  for (let i = 0; i < scenario.answers.length; i++) {
    if (res.state.status === 'ended' && !welcome) {
      return fail(`the flow ended on "${res.state.nodeId}" with ${scenario.answers.length - i} answer(s) left (next: ${JSON.stringify(scenario.answers[i])})`, res.state.nodeId, res.outputs);
    }
    const a = scenario.answers[i]!;
    const input: Input =
      typeof a !== 'object' ? { kind: 'text', text: String(a) } : 'choice' in a ? { kind: 'choice', value: a.choice } : { kind: 'location', lat: a.location.lat, lon: a.location.lon };
    res = converse(catalog, res.state, input, env);
    visited.push(...(res.trace ?? []));
    handoffs.push(...res.outputs.filter((o) => o.kind === 'handoff'));
  }
  const nodeId = res.state.nodeId;
  if (scenario.path) {
    const missing = isSubsequence(scenario.path, visited);
    if (missing) return fail(`path: node "${missing}" was not visited in the expected order (visited: ${visited.join(' → ')})`, nodeId, res.outputs);
  }
  const elsewhere = res.state.flowId !== flowId ? (res.state.flowId ? ` in "${res.state.flowId}"` : ' in no procedure') : '';
  const where = `the conversation is ${res.state.status}${elsewhere} on "${nodeId ?? '-'}"`;
  if (scenario.end !== undefined) {
    if (res.state.status !== 'ended' || res.state.flowId !== flowId || nodeId !== scenario.end) {
      return fail(`expected to end on "${scenario.end}", but ${where}`, nodeId, res.outputs);
    }
  } else if (scenario.at !== undefined) {
    if (res.state.status !== 'active' || res.state.flowId !== flowId || nodeId !== scenario.at) {
      return fail(`expected to wait on "${scenario.at}", but ${where}`, nodeId, res.outputs);
    }
  } else if (scenario.choosing) {
    if (res.state.status !== 'choosing') return fail(`expected no procedure running, but ${where}`, nodeId, res.outputs);
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
      return fail(`expected a handoff${typeof want === 'string' ? ` "${want}"` : ''}, got: ${got} (${where})`, nodeId, res.outputs);
    }
  }
  if (scenario.help === 'where' && !res.state.help?.asking) return fail('expected the question "where are you?" after the last answer', nodeId, res.outputs);
  if (scenario.help === 'places' && !res.outputs.some((o) => o.kind === 'places')) return fail('expected help places after the last answer', nodeId, res.outputs);
  const r: ScenarioResult = { name: scenario.name, ok: true, visited, lastOutputs: res.outputs };
  if (nodeId) r.nodeId = nodeId;
  return r;
}

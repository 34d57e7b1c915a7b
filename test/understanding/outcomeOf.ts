/**
 * What the engine did with a request typed as the first message of a conversation, judged against
 * its label. This is the only place that reads the engine's state to score understanding: when the
 * engine learns a new way to answer (for example a "Vous voulez dire : … ?" confirmation, which must
 * count like "asked with it first"), adapt this function and nothing else.
 */
import type { StepResult } from '../../src/engine';

/** The label of a request: the flow it should lead to (or `none`) and, if unclear, the acceptable flows. */
export interface Expectation {
  expect: string;
  /** For a bare organisation name or a request that fits several flows: every acceptable flow. */
  ambiguous?: string[];
}

/**
 * - `started-right`: an acceptable flow was started;
 * - `asked-first`: "which one?" with the expected flow first, or, for an `ambiguous` request, with an
 *   acceptable flow among the offers;
 * - `asked-later`: "which one?" with the expected flow offered, but not first;
 * - `started-wrong`: another flow was started (the mistake residents feel most);
 * - `asked-other`: "which one?" without the expected (or an acceptable) flow among the offers;
 * - `nothing`: nothing started, nothing offered;
 * - for a `none` request: `none-nothing` (right), `none-offered` or `none-started` (wrong).
 */
export type Outcome = 'started-right' | 'asked-first' | 'asked-later' | 'started-wrong' | 'asked-other' | 'nothing' | 'none-nothing' | 'none-offered' | 'none-started';

/** The outcomes that count as understood (the ≥ 95 % targets of issue 12). */
export const RIGHT_OUTCOMES: ReadonlySet<Outcome> = new Set<Outcome>(['started-right', 'asked-first', 'none-nothing']);

/** The flow the turn started (or is running), if any, and the flows offered by "which one?". */
export function decisionOf(result: StepResult): { started?: string; offered: string[] } {
  const { state } = result;
  const started = state.status !== 'choosing' && state.flowId ? state.flowId : undefined;
  // "Vous voulez dire : X ?" offers X alone, like a "which one?" with X first.
  const confirmed = state.offer?.kind === 'flow' ? [state.offer.flowId] : [];
  return { started, offered: started ? [] : state.candidates?.length ? state.candidates : confirmed };
}

/** Classifies one turn's result against the request's label (see `Outcome`). */
export function outcomeOf(result: StepResult, expected: Expectation): Outcome {
  const { started, offered } = decisionOf(result);
  if (expected.expect === 'none') return started ? 'none-started' : offered.length ? 'none-offered' : 'none-nothing';
  const acceptable = new Set([expected.expect, ...(expected.ambiguous ?? [])]);
  if (started) return acceptable.has(started) ? 'started-right' : 'started-wrong';
  if (offered[0] === expected.expect || (expected.ambiguous?.length && offered.some((id) => acceptable.has(id)))) return 'asked-first';
  if (offered.includes(expected.expect)) return 'asked-later';
  return offered.length ? 'asked-other' : 'nothing';
}

/**
 * The summary built from real engine states: every shipped flow is walked with the first answer
 * at each question until its first step, where the person answers "Je n'y arrive pas". Whatever the
 * engine then does (handoff, or a flow's own `stuck` branch), a summary made at that point must
 * name the procedure, list every answer as the label shown, and say where the person stopped.
 */
import path from 'node:path';
import { buildCatalog, converse, initialState, resolveText, type ConversationState, type Input } from '../../src/engine';
import { currentNode } from '../../src/engine/step';
import { CHECKLIST_CONTINUE } from '../../src/engine/nodes/checklist';
import { STEP_CANNOT } from '../../src/engine/nodes/step';
import { loadFlowDirectory, type Flow } from '../../src/flow';
import { renderHandoff } from '../../src/handoff';
import { createHandoff } from '../../src/handoff/createHandoff';
import { loadLexicons } from '../../src/i18n';
import { MemoryStore } from '../../src/store';

const set = loadFlowDirectory(path.resolve(__dirname, '../../flows'));
const catalog = buildCatalog(set.flows, loadLexicons(), []);
const INPUTS: Record<string, string> = { postcode: '35000', commune: 'Rennes', date: '01/02/2020', number: '2', yesno: 'oui', text: 'un message' };

function walkToFirstStep(flow: Flow): ConversationState | undefined {
  let state = converse(catalog, initialState('fr'), { kind: 'flow', flowId: flow.id }).state;
  for (let turn = 0; turn < 40; turn++) {
    const node = currentNode(flow, state);
    if (!node) return undefined;
    let input: Input;
    if (node.kind === 'step') return state;
    if (node.kind === 'question') input = { kind: 'choice', value: node.choices[0]?.value ?? node.choices[0]?.next ?? '' };
    else if (node.kind === 'checklist') input = { kind: 'choice', value: CHECKLIST_CONTINUE };
    else if (node.kind === 'input') input = { kind: 'text', text: INPUTS[node.type] ?? 'oui' };
    else return undefined;
    state = converse(catalog, state, input).state;
  }
  return undefined;
}

describe('handoff summaries from real flows', () => {
  const walked = set.flows.map((flow) => ({ flow, state: walkToFirstStep(flow) })).filter((w): w is { flow: Flow; state: ConversationState } => !!w.state);

  it('reaches a step in most shipped flows', () => {
    expect(set.flows.length).toBeGreaterThan(5);
    expect(walked.length).toBeGreaterThan(set.flows.length / 2);
  });

  it.each(walked.map((w) => [w.flow.id, w] as const))('%s: summary at the stuck step', async (_id, { flow, state }) => {
    const stuck = converse(catalog, state, { kind: 'choice', value: STEP_CANNOT });
    const store = new MemoryStore();
    const summary = await createHandoff(store.kv, { flow, state, reason: 'stuck', now: new Date('2026-11-22T10:00:00Z') });
    expect(summary.flow?.title).toBe(resolveText(flow.title, 'fr'));
    expect(summary.stoppedAt?.nodeId).toBe(state.nodeId);
    expect(summary.answers).toHaveLength(Object.keys(state.answers).length);
    for (const a of summary.answers) {
      expect(a.question).not.toBe('');
      // A question's answer is its label, never the stored value or next-node id.
      expect(Object.keys(flow.nodes)).not.toContain(a.answer);
    }
    const text = renderHandoff(summary, 'fr', 'text');
    expect(text).toContain(summary.code);
    // The engine offered help (or followed the flow's own stuck branch) without throwing.
    expect(stuck.outputs.length).toBeGreaterThan(0);
  });
});

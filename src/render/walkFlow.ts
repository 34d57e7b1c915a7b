import type { Condition, Flow, FlowNode, NodeOf, Text } from '../flow';
import type { RenderLabels } from './labels';

/** A branch rule's condition: one test, or all / any of several. */
export type When = NodeOf<'branch'>['rules'][number]['when'];

/** One arrow of the flow graph, with what makes the conversation follow it. */
export type FlowEdge =
  | { kind: 'choice'; target: string; label: Text; value: string }
  | { kind: 'next'; target: string }
  | { kind: 'done'; target: string }
  /** `target` undefined: a step without `stuck` leads to the engine's default human help. */
  | { kind: 'cannot'; target?: string }
  | { kind: 'rule'; target: string; when: When }
  | { kind: 'otherwise'; target: string };

/** The arrows leaving `node`, in the order the flow file lists them. */
export function edgesFrom(node: FlowNode): FlowEdge[] {
  switch (node.kind) {
    case 'question':
      return node.choices.map((c) => ({ kind: 'choice', target: c.next, label: c.label, value: c.value ?? c.next }));
    case 'input':
    case 'checklist':
      return [{ kind: 'next', target: node.next }];
    case 'step':
      return [
        { kind: 'done', target: node.next },
        node.stuck === undefined ? { kind: 'cannot' } : { kind: 'cannot', target: node.stuck },
      ];
    case 'branch':
      return [...node.rules.map((r): FlowEdge => ({ kind: 'rule', target: r.next, when: r.when })), { kind: 'otherwise', target: node.otherwise }];
    case 'end':
    case 'handoff':
      return [];
  }
}

/**
 * Node ids in depth-first order from `start`, each once, children in file order; then the nodes
 * the start cannot reach, in file order. Deterministic, so a printed checklist and a graph stay
 * stable between runs and diff well after an edit.
 */
export function walkFlow(flow: Flow): { reachable: string[]; unreachable: string[] } {
  const seen = new Set<string>();
  const reachable: string[] = [];
  // Iterative: a long flow must not be able to overflow the call stack.
  const stack: string[] = [flow.start];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    const node = flow.nodes[id];
    if (seen.has(id) || node === undefined) continue;
    seen.add(id);
    reachable.push(id);
    const targets = edgesFrom(node)
      .map((e) => e.target)
      .filter((t): t is string => t !== undefined && !seen.has(t));
    for (let i = targets.length - 1; i >= 0; i--) stack.push(targets[i] as string);
  }
  const unreachable = Object.keys(flow.nodes).filter((id) => !seen.has(id));
  return { reachable, unreachable };
}

/** Words used to describe a condition: the operator words, and how to show an answer value. */
export type ConditionWords = Pick<RenderLabels, 'and' | 'or' | 'is' | 'isOneOf' | 'isMissing' | 'isPresent' | 'yes' | 'no'>;

/**
 * A branch condition as a short readable phrase (`motif = permis`, `rsa = oui ou mission_locale = oui`).
 * `showValue` lets the checklist print a choice's label instead of its stored value.
 */
export function describeWhen(when: When, words: ConditionWords, showValue: (answer: string, value: string | number | boolean) => string): string {
  if ('all' in when) return when.all.map((c) => describeCondition(c, words, showValue)).join(` ${words.and} `);
  if ('any' in when) return when.any.map((c) => describeCondition(c, words, showValue)).join(` ${words.or} `);
  return describeCondition(when, words, showValue);
}

function describeCondition(c: Condition, words: ConditionWords, showValue: (answer: string, value: string | number | boolean) => string): string {
  const parts: string[] = [];
  const show = (v: string | number | boolean) => (typeof v === 'boolean' ? (v ? words.yes : words.no) : showValue(c.answer, v));
  if (c.equals !== undefined) parts.push(`${c.answer} ${words.is} ${show(c.equals)}`);
  if (c.in !== undefined) parts.push(`${c.answer} ${words.isOneOf} ${c.in.map(show).join(', ')}`);
  if (c.missing !== undefined) parts.push(`${c.answer} ${c.missing ? words.isMissing : words.isPresent}`);
  if (c.lt !== undefined) parts.push(`${c.answer} < ${c.lt}`);
  if (c.lte !== undefined) parts.push(`${c.answer} ≤ ${c.lte}`);
  if (c.gt !== undefined) parts.push(`${c.answer} > ${c.gt}`);
  if (c.gte !== undefined) parts.push(`${c.answer} ≥ ${c.gte}`);
  return parts.length > 0 ? parts.join(` ${words.and} `) : c.answer;
}

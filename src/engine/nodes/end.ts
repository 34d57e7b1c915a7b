/** `end`: the outcome, what happens next, and where to look if it does not. */
import { resolveText } from '../resolveText';
import type { Output } from '../types';
import { say, sayKey, type NodeHandler } from './context';

export const endHandler: NodeHandler<'end'> = {
  present(node, ctx) {
    const out: Output[] = [say(resolveText(node.text, ctx.lang))];
    if (node.next_steps) out.push(sayKey('engine:end.nextSteps', { text: resolveText(node.next_steps, ctx.lang) }));
    if (node.if_problem) out.push(sayKey('engine:end.ifProblem', { text: resolveText(node.if_problem, ctx.lang) }));
    for (const l of node.links ?? []) out.push({ kind: 'link', url: l.url, label: { text: resolveText(l.label, ctx.lang) } });
    out.push({ kind: 'end', flowId: ctx.flow.id, nodeId: ctx.nodeId });
    return out;
  },
};

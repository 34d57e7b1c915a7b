/** `handoff`: the flow itself sends the person to a human help point, with the reason. */
import { resolveText } from '../resolveText';
import { say, type NodeHandler } from './context';

export const handoffHandler: NodeHandler<'handoff'> = {
  present(node, ctx) {
    return [
      say(resolveText(node.text, ctx.lang)),
      {
        kind: 'handoff',
        reason: 'node',
        flowId: ctx.flow.id,
        nodeId: ctx.nodeId,
        support: node.support ?? ctx.flow.support,
        detail: { text: resolveText(node.reason, ctx.lang) },
      },
    ];
  },
};

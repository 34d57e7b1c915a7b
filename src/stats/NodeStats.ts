/**
 * Anonymous statistics per flow node, so admins see where people get stuck: how many conversations
 * reached a node, how many moved on from it, how many asked for help there. Counters only — no text,
 * no conversation id, no time of day — kept in the KeyValueStore under `stats:<flow>:<node>`.
 */
import type { ConversationState, Output, StepResult } from '../engine';
import type { KeyValueStore } from '../store';

/** The counters of one node. "Stopped there" is `reached - left` (conversations that went no further). */
export interface NodeCounters {
  reached: number;
  left: number;
  help: number;
}

const PREFIX = 'stats:';
const EMPTY: NodeCounters = { reached: 0, left: 0, help: 0 };

/** Counter storage with optimistic concurrency (several instances may count at once). */
export class NodeStats {
  constructor(private readonly kv: KeyValueStore) {}

  /** Adds `delta` to a node's counters (atomic in the store: concurrent turns never lose a count). */
  async add(flowId: string, nodeId: string, delta: Partial<NodeCounters>): Promise<void> {
    const deltas: Record<string, number> = {};
    for (const k of ['reached', 'left', 'help'] as const) if (delta[k]) deltas[k] = delta[k];
    if (Object.keys(deltas).length) await this.kv.increment(`${PREFIX}${flowId}:${nodeId}`, deltas);
  }

  /** Every node's counters of one flow, by node id. */
  async forFlow(flowId: string): Promise<Map<string, NodeCounters>> {
    const out = new Map<string, NodeCounters>();
    for (const item of await this.kv.scan<NodeCounters>(`${PREFIX}${flowId}:`)) {
      out.set(item.key.slice(PREFIX.length + flowId.length + 1), { ...EMPTY, ...item.value });
    }
    return out;
  }
}

/**
 * Counts one engine turn from the state before and after it: entering a node counts "reached",
 * leaving it "left", a handoff "help" at the node where it happened. Call it after the turn's state
 * was saved (a retried turn is then counted once).
 */
export async function recordTurn(stats: NodeStats, before: ConversationState, after: StepResult): Promise<void> {
  const s = after.state;
  const moved = s.flowId !== before.flowId || s.nodeId !== before.nodeId;
  const jobs: Array<Promise<void>> = [];
  if (moved && before.flowId && before.nodeId && before.status === 'active') jobs.push(stats.add(before.flowId, before.nodeId, { left: 1 }));
  if (moved && s.flowId && s.nodeId) jobs.push(stats.add(s.flowId, s.nodeId, { reached: 1 }));
  for (const o of after.outputs as Output[]) {
    if (o.kind === 'handoff') {
      const flowId = o.flowId ?? before.flowId;
      const nodeId = o.nodeId ?? before.nodeId;
      if (flowId && nodeId) jobs.push(stats.add(flowId, nodeId, { help: 1 }));
    }
  }
  await Promise.all(jobs);
}

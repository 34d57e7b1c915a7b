/**
 * Exhaustive walk of a flow through the real engine: from the start, every button of every node and,
 * for typed inputs, sample values chosen to take every side of every branch condition. States that
 * behave the same (same node, same answers) are explored once, so loops terminate.
 */
import { initialState, step, type ConversationState, type Input, type Lexicon, type StepResult } from '../../src/engine';
import type { Flow, FlowNode } from '../../src/flow';

export interface WalkReport {
  /** Distinct (node, answers) states reached. */
  states: number;
  /** Terminal states by kind of ending. */
  ends: Set<string>;
  handoffNodes: Set<string>;
  /** Problems: a retry on a valid answer, a dead end, a state from which no ending is reachable, a path too long. */
  problems: string[];
  /** The longest shortest-path (in turns) from the start to an ending. */
  longest: number;
}

const key = (s: ConversationState) => `${s.nodeId}|${s.status}|${JSON.stringify(Object.entries(s.answers).sort())}`;

/** The conditions' constants about one answer name, to pick typed values on both sides of each test. */
function constantsFor(flow: Flow, name: string): Array<string | number | boolean> {
  const out: Array<string | number | boolean> = [];
  for (const node of Object.values(flow.nodes)) {
    if (node.kind !== 'branch') continue;
    for (const rule of node.rules) {
      const conds = 'all' in rule.when ? rule.when.all : 'any' in rule.when ? rule.when.any : [rule.when];
      for (const c of conds) {
        if (c.answer !== name) continue;
        for (const v of [c.equals, c.lt, c.lte, c.gt, c.gte, ...(c.in ?? [])]) if (v !== undefined) out.push(v);
      }
    }
  }
  return out;
}

/** The replies to try on a node. */
export function repliesFor(flow: Flow, node: FlowNode, nodeId: string): Input[] {
  const choice = (value: string): Input => ({ kind: 'choice', value });
  const text = (t: string): Input => ({ kind: 'text', text: t });
  switch (node.kind) {
    case 'question':
      return node.choices.map((c) => choice(c.value ?? c.next));
    case 'step':
      return [choice('done'), choice('cannot')];
    case 'checklist':
      return [choice('continue')];
    case 'input': {
      const consts = constantsFor(flow, node.name ?? nodeId);
      switch (node.type) {
        case 'yesno':
          return [choice('yes'), choice('no')];
        case 'number': {
          const nums = new Set<number>();
          for (const c of consts) if (typeof c === 'number') [c - 1, c, c + 1].forEach((n) => nums.add(n));
          if (node.min !== undefined) nums.add(node.min);
          if (node.max !== undefined) nums.add(node.max);
          if (nums.size === 0) nums.add(node.min ?? 1);
          return [...nums].filter((n) => (node.min === undefined || n >= node.min) && (node.max === undefined || n <= node.max)).map((n) => text(String(n)));
        }
        case 'postcode':
          return [text('75011'), ...consts.filter((c) => typeof c === 'string' && /^\d{5}$/.test(c)).map((c) => text(String(c)))];
        case 'date':
          return [text('15/03/1990'), ...consts.filter((c) => typeof c === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(c)).map((c) => text(String(c)))];
        case 'commune':
          return [text('Montauban'), ...consts.filter((c) => typeof c === 'string').map((c) => text(String(c)))];
        default:
          return [text('Une réponse'), ...consts.filter((c) => typeof c === 'string').map((c) => text(String(c)))];
      }
    }
    default:
      return [];
  }
}

/** Walks every reachable state of `flow` (bounded by `maxStates`). */
export function walkFlow(flow: Flow, lexicons: Readonly<Record<string, Lexicon>>, maxStates = 5000, maxTurns = 80): WalkReport {
  const env = { lexicons };
  const report: WalkReport = { states: 0, ends: new Set(), handoffNodes: new Set(), problems: [], longest: 0 };
  const start = step(flow, initialState('fr'), { kind: 'flow', flowId: flow.id }, env);
  const edges = new Map<string, Set<string>>();
  const terminal = new Set<string>();
  const depth = new Map<string, number>();
  const queue: Array<{ r: StepResult; d: number }> = [{ r: start, d: 0 }];
  depth.set(key(start.state), 0);
  while (queue.length) {
    const { r, d } = queue.shift() as { r: StepResult; d: number };
    const k = key(r.state);
    report.states += 1;
    if (report.states > maxStates) {
      report.problems.push(`more than ${maxStates} distinct states: the walk stopped`);
      break;
    }
    const node = r.state.nodeId ? flow.nodes[r.state.nodeId] : undefined;
    if (r.state.status === 'ended' || r.state.status === 'handoff') {
      if (!node || (node.kind !== 'end' && node.kind !== 'handoff')) {
        // A handoff reached from a step's "cannot" (no stuck target) is a legitimate ending too.
        if (r.state.status !== 'handoff' || !r.outputs.some((o) => o.kind === 'handoff')) report.problems.push(`ended on ${r.state.nodeId} without an end or handoff node`);
      }
      terminal.add(k);
      if (node?.kind === 'end') report.ends.add(r.state.nodeId as string);
      else report.handoffNodes.add(r.state.nodeId ?? '(help)');
      report.longest = Math.max(report.longest, d);
      if (d > maxTurns) report.problems.push(`${r.state.nodeId} needs ${d} turns (more than ${maxTurns})`);
      continue;
    }
    if (!node) {
      report.problems.push(`state on missing node ${r.state.nodeId}`);
      continue;
    }
    const replies = repliesFor(flow, node, r.state.nodeId as string);
    if (replies.length === 0) report.problems.push(`${r.state.nodeId} (${node.kind}) waits but offers no reply`);
    const out = new Set<string>();
    edges.set(k, out);
    for (const reply of replies) {
      const next = step(flow, r.state, reply, env);
      if (next.state.failures > 0) {
        report.problems.push(`${r.state.nodeId}: the reply ${JSON.stringify(reply)} was refused`);
        continue;
      }
      const nk = key(next.state);
      out.add(nk);
      if (!depth.has(nk)) {
        depth.set(nk, d + 1);
        queue.push({ r: next, d: d + 1 });
      }
    }
  }
  // From every state, some ending must be reachable (no trap the person cannot leave but by "help").
  const canEnd = new Set(terminal);
  let changed = true;
  while (changed) {
    changed = false;
    for (const [k, outs] of edges) {
      if (!canEnd.has(k) && [...outs].some((o) => canEnd.has(o))) {
        canEnd.add(k);
        changed = true;
      }
    }
  }
  for (const k of edges.keys()) if (!canEnd.has(k)) report.problems.push(`no ending reachable from ${k}`);
  return report;
}

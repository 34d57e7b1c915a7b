/** `branch`: routes on earlier answers without asking anything. */
import type { Condition, NodeOf } from '../../flow';
import { resolveText } from '../resolveText';
import type { AnswerValue } from '../types';
import { say, type NodeHandler } from './context';

type BranchNode = NodeOf<'branch'>;
type When = BranchNode['rules'][number]['when'];

const same = (a: AnswerValue, b: string | number | boolean): boolean => {
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const asBool = (v: AnswerValue) => (typeof v === 'boolean' ? v : v === 'true' || v === 'yes' || v === 'oui' ? true : v === 'false' || v === 'no' || v === 'non' ? false : undefined);
    return asBool(a) !== undefined && asBool(a) === asBool(b);
  }
  return String(a) === String(b);
};

const num = (v: AnswerValue | undefined): number | undefined => {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/**
 * One condition. Every operator present must hold (the schema documents one per condition). A
 * comparison on a missing or non-numeric answer is false rather than an error, so `otherwise`
 * catches it.
 */
export function holds(c: Condition, answers: Record<string, AnswerValue>): boolean {
  const v = answers[c.answer];
  if (c.missing !== undefined && (v === undefined) !== c.missing) return false;
  if (c.equals !== undefined && (v === undefined || !same(v, c.equals))) return false;
  if (c.in !== undefined && (v === undefined || !c.in.some((x) => same(v, x)))) return false;
  const n = num(v);
  const cmp: Array<[number | undefined, (x: number, y: number) => boolean]> = [
    [c.lt, (x, y) => x < y],
    [c.lte, (x, y) => x <= y],
    [c.gt, (x, y) => x > y],
    [c.gte, (x, y) => x >= y],
  ];
  for (const [limit, ok] of cmp) if (limit !== undefined && (n === undefined || !ok(n, limit))) return false;
  return true;
}

function whenHolds(w: When, answers: Record<string, AnswerValue>): boolean {
  if ('all' in w) return w.all.every((c) => holds(c, answers));
  if ('any' in w) return w.any.some((c) => holds(c, answers));
  return holds(w, answers);
}

/** The node a branch leads to: the first rule that holds, else `otherwise`. */
export function route(node: BranchNode, answers: Record<string, AnswerValue>): string {
  return node.rules.find((r) => whenHolds(r.when, answers))?.next ?? node.otherwise;
}

export const branchHandler: NodeHandler<'branch'> = {
  present(node, ctx) {
    return node.text ? [say(resolveText(node.text, ctx.lang))] : [];
  },
};

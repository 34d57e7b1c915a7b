/**
 * The "fiche de liaison": what a mediator needs to pick up where the person stopped, so they do not
 * start again from zero. It holds the procedure, the answers given (as the labels the person saw),
 * the step where they stopped and why, and what to bring. No name or identifier is ever asked for;
 * free-text answers go through `maskPersonalData` in case someone typed one anyway.
 * Stored as `handoff:<code>` with an expiry (30 days by default).
 */
import { resolveText, choiceValue, type AnswerValue, type ConversationState, type HandoffReason } from '../engine';
import { sourceUrl, type Flow, type FlowNode } from '../flow';
import { maskPersonalData } from '../privacy';
import { ConflictError, IF_ABSENT, type KeyValueStore, type WriteItem } from '../store';
import { newHandoffCode, normalizeHandoffCode } from './handoffCode';

/** The store key prefix of handoff summaries. */
export const HANDOFF_PREFIX = 'handoff:';
/** Days a summary stays readable unless configured otherwise. */
export const DEFAULT_HANDOFF_TTL_DAYS = 30;

/** One answer as the mediator reads it. */
export interface HandoffAnswer {
  /** The question as asked (French). */
  question: string;
  /** The answer: the chosen button's label, or the typed value (masked). */
  answer: string;
}

/** A stored handoff summary (plain JSON). Texts are in French: the mediator's language. */
export interface HandoffSummary {
  v: 1;
  code: string;
  createdAt: string;
  expiresAt: string;
  /** The language the person used (a mediator may need an interpreter). */
  lang: string;
  flow?: { id: string; title: string; organisation: string };
  answers: HandoffAnswer[];
  /** The step where the person stopped. */
  stoppedAt?: { nodeId: string; text: string };
  reason: HandoffReason;
  /** The flow's own words about why (a handoff node's `reason`), or any detail given. */
  detail?: string;
  /** Checklist items met on the way: what to bring. */
  bring: string[];
  /** The flow's official pages (its `sources`): where the mediator can check each rule. */
  pages?: Array<{ title?: string; url: string }>;
}

/** What a handoff is made from. */
export interface CreateHandoffInput {
  flow?: Flow;
  state: ConversationState;
  reason: HandoffReason;
  /** The creation instant (the caller's clock: tests pass a fixed one). */
  now: Date;
  ttlDays?: number;
  detail?: string;
}

const fr = (text: Parameters<typeof resolveText>[0] | undefined) => (text === undefined ? '' : resolveText(text, 'fr'));

function answerText(node: FlowNode | undefined, value: AnswerValue): string {
  if (node?.kind === 'question') {
    const choice = node.choices.find((c) => choiceValue(c) === String(value));
    if (choice) return fr(choice.label);
  }
  if (typeof value === 'boolean') return value ? 'oui' : 'non';
  return maskPersonalData(String(value)).text;
}

/** Builds the summary without storing it (used by `createHandoff`, and by previews). */
export function buildHandoffSummary(input: CreateHandoffInput, code: string): HandoffSummary {
  const { flow, state, reason, now } = input;
  const ttl = input.ttlDays ?? DEFAULT_HANDOFF_TTL_DAYS;
  const nodes = flow?.nodes ?? {};
  const nameOf = (id: string, node: FlowNode) => ('name' in node && node.name ? node.name : id);
  const answers: HandoffAnswer[] = [];
  const used = new Set<string>();
  const visited = [...state.history, ...(state.nodeId ? [state.nodeId] : [])];
  const bring: string[] = [];
  for (const id of visited) {
    const node = nodes[id];
    if (!node) continue;
    if (node.kind === 'checklist') for (const item of node.items) if (!bring.includes(fr(item))) bring.push(fr(item));
    const name = nameOf(id, node);
    if ((node.kind === 'question' || node.kind === 'input') && name in state.answers && !used.has(name)) {
      used.add(name);
      answers.push({ question: fr(node.text), answer: answerText(node, state.answers[name] as AnswerValue) });
    }
  }
  // Answers whose node is not on the path (an older flow version): shown by name rather than lost.
  for (const [name, value] of Object.entries(state.answers)) {
    if (!used.has(name)) answers.push({ question: name, answer: answerText(undefined, value) });
  }
  const current = state.nodeId ? nodes[state.nodeId] : undefined;
  const nodeDetail = current?.kind === 'handoff' ? fr(current.reason) : undefined;
  const detail = input.detail ?? nodeDetail;
  return {
    v: 1,
    code,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttl * 86_400_000).toISOString(),
    lang: state.lang,
    ...(flow ? { flow: { id: flow.id, title: fr(flow.title), organisation: flow.organisation } } : {}),
    answers,
    ...(state.nodeId && current && current.kind !== 'branch' ? { stoppedAt: { nodeId: state.nodeId, text: fr(current.text) } } : {}),
    reason,
    ...(detail ? { detail: maskPersonalData(detail).text } : {}),
    bring,
    ...(flow ? { pages: flow.sources.map((s) => ({ url: sourceUrl(s), ...(s.title ? { title: s.title } : {}) })) } : {}),
  };
}

/** The store write that keeps a summary: create-only (so a code is never given twice), expiring with it. */
export function handoffWrite(summary: HandoffSummary): WriteItem {
  return { key: HANDOFF_PREFIX + summary.code, value: summary, etag: IF_ABSENT, expiresAt: Date.parse(summary.expiresAt) };
}

/**
 * Creates and stores a summary under a fresh code; returns it. A code already in use (by chance)
 * is drawn again: the write is create-only, so two instances can never share a code.
 */
export async function createHandoff(kv: KeyValueStore, input: CreateHandoffInput): Promise<HandoffSummary> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const summary = buildHandoffSummary(input, newHandoffCode());
    try {
      await kv.set([handoffWrite(summary)]);
      return summary;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  throw new Error('Could not draw a free handoff code after 8 attempts.');
}

/** Reads a summary by code (case, spaces and a missing dash tolerated). Undefined if unknown or expired. */
export async function readHandoff(kv: KeyValueStore, code: string, now: Date): Promise<HandoffSummary | undefined> {
  const canonical = normalizeHandoffCode(code);
  if (!canonical) return undefined;
  const key = HANDOFF_PREFIX + canonical;
  const item = (await kv.get<HandoffSummary>([key]))[key];
  if (!item || Date.parse(item.value.expiresAt) <= now.getTime()) return undefined;
  return item.value;
}

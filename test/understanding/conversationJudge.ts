/**
 * Multi-turn derailment conversations of issue 12 (`conversations/*.yaml`): reading and checking
 * the files, playing a conversation through the engine's `converse` from the welcome, and judging
 * where it ended against what a person would expect. `judgeConversation` is the one place that
 * decides pass or fail: the test prints its verdicts today and can assert them once the engine is
 * ready, without touching anything else.
 *
 * A conversation file is `{ conversations: [...] }`; each conversation:
 * - `name`, `answers` (at least 3: text typed, a number, `{ choice }` or `{ location: { lat, lon } }`),
 *   `lang` (the conversation's language at the welcome, `fr` when absent);
 * - `flow` (required): the procedure running at the end, `none` for no procedure running (the person
 *   is choosing), or a list of acceptable procedures;
 * - optionally one of `at` (the node of that flow waiting for an answer at the end) and `end` (the
 *   `end` or `handoff` node the flow finished on);
 * - optionally `choosing: true` (with `flow: none`, says the same), `handoff` (`true`: a handoff was
 *   offered during the conversation, `false`: none at all, or a reason that must have been given),
 *   `max_handoffs` (at most this many handoffs over the whole conversation: "once, not forever"),
 *   `lang_at_end`, and `never` (procedures that must not be running at the end of ANY turn).
 */
import { parse } from 'yaml';
import { converse, initialState, type Catalog, type ConversationState, type EngineEnv, type Input, type Output } from '../../src/engine';
import { type Flow } from '../../src/flow';
import { HANDOFF_REASONS } from '../../src/flow/scenarioSchema';

/** One answer, as in the flows' scenario files. */
export type ConversationAnswer = string | number | { choice: string } | { location: { lat: number; lon: number } };

export interface Conversation {
  /** File name without `.yaml` (`01-mauvaise-demarche`). */
  file: string;
  name: string;
  /** The conversation's language at the welcome. */
  lang: string;
  answers: ConversationAnswer[];
  /** Acceptable procedures running at the end; empty for `none`. */
  flows: string[];
  at?: string;
  end?: string;
  choosing?: true;
  handoff?: boolean | string;
  maxHandoffs?: number;
  langAtEnd?: string;
  never: string[];
}

/** Where the conversation stood after one turn (plain data, enough to judge and to print). */
export interface Position {
  status: ConversationState['status'];
  flowId?: string;
  nodeId?: string;
  lang: string;
  /** Procedures offered by "which one?", if any. */
  candidates?: string[];
}

/** A conversation played: the position after each answer, and every handoff given on the way. */
export interface Played {
  positions: Position[];
  /** Reasons of the handoff outputs, in order, over all turns. */
  handoffs: string[];
}

/**
 * Why a conversation failed, coarsest first: the final procedure is another one than expected
 * (`wrong-flow`, the derailment the issue's target forbids), a procedure runs where none should
 * (`procedure-running`, also stuck in a wrong flow), no procedure runs where one should
 * (`no-procedure`), the right procedure but another node (`wrong-node`), or only the language,
 * handoff or `never` checks failed (`other`).
 */
export type FailureKind = 'wrong-flow' | 'procedure-running' | 'no-procedure' | 'wrong-node' | 'other';

export interface Verdict {
  ok: boolean;
  /** The coarsest failure (see `FailureKind`); absent when ok. */
  kind?: FailureKind;
  /** Every check that failed, in English. */
  reasons: string[];
  /** Ends in a procedure that was not expected: what issue 12 calls "stuck in a wrong flow". */
  stuckInWrongFlow: boolean;
}

/** The node kinds that wait for the person's answer (`at` must name one). */
const WAITING_KINDS = new Set(['question', 'input', 'step', 'checklist']);
/** The node kinds a flow finishes on (`end` must name one). */
const FINAL_KINDS = new Set(['end', 'handoff']);
const KEYS = new Set(['name', 'lang', 'answers', 'flow', 'at', 'end', 'choosing', 'handoff', 'max_handoffs', 'lang_at_end', 'never']);
/** The issue asks for conversations, not single sentences: at least this many answers each. */
export const MIN_TURNS = 3;

const isAnswer = (a: unknown): a is ConversationAnswer => {
  if ((typeof a === 'string' && a.trim() !== '') || (typeof a === 'number' && Number.isFinite(a))) return true;
  if (!a || typeof a !== 'object' || Array.isArray(a)) return false;
  const o = a as { choice?: unknown; location?: { lat?: unknown; lon?: unknown } };
  if (Object.keys(o).length !== 1) return false;
  if (typeof o.choice === 'string' && o.choice !== '') return true;
  return !!o.location && typeof o.location === 'object' && typeof o.location.lat === 'number' && typeof o.location.lon === 'number';
};

/**
 * Parses one conversation file. `flows` are the known flows (ids and nodes), `langs` the languages
 * the service speaks. Malformed data is reported as problems (file, conversation number and name,
 * what is wrong) and the conversation left out, never judged: a typo in a node id would otherwise
 * read as an engine failure.
 */
export function parseConversations(file: string, yamlText: string, flows: ReadonlyMap<string, Flow>, langs: ReadonlySet<string>): { conversations: Conversation[]; problems: string[] } {
  const problems: string[] = [];
  const conversations: Conversation[] = [];
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (e) {
    return { conversations, problems: [`${file}: not valid YAML: ${(e as Error).message}`] };
  }
  const d = (doc ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(d)) if (k !== 'conversations') problems.push(`${file}: unknown key "${k}" (only "conversations")`);
  if (!Array.isArray(d.conversations) || d.conversations.length === 0) return { conversations, problems: [...problems, `${file}: needs a non-empty "conversations" list`] };

  d.conversations.forEach((raw: unknown, i: number) => {
    const c = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    const where = `${file}: conversation ${i + 1}${typeof c.name === 'string' ? ` ("${c.name}")` : ''}`;
    const before = problems.length;
    const bad = (what: string) => problems.push(`${where}: ${what}`);
    for (const k of Object.keys(c)) if (!KEYS.has(k)) bad(`unknown key "${k}"`);
    if (typeof c.name !== 'string' || c.name.trim() === '') bad('missing "name"');
    const lang = c.lang === undefined ? 'fr' : c.lang;
    if (typeof lang !== 'string' || !langs.has(lang)) bad(`lang must be one of ${[...langs].join(', ')}`);
    if (!Array.isArray(c.answers)) bad('missing "answers" (a list)');
    else {
      if (c.answers.length < MIN_TURNS) bad(`needs at least ${MIN_TURNS} answers, has ${c.answers.length}`);
      c.answers.forEach((a: unknown, j: number) => {
        if (!isAnswer(a)) bad(`answer ${j + 1} must be text, a number, { choice: <value> } or { location: { lat, lon } }`);
      });
    }

    // The outcome: which procedure runs at the end, then where in it.
    let wanted: string[] = [];
    if (c.flow === undefined) bad('missing outcome "flow" (a flow id, a list of flow ids, or none)');
    else if (c.flow === 'none') wanted = [];
    else if (typeof c.flow === 'string') wanted = [c.flow];
    else if (Array.isArray(c.flow) && c.flow.length > 0 && c.flow.every((f) => typeof f === 'string' && f !== 'none')) wanted = c.flow as string[];
    else bad('"flow" must be a flow id, a non-empty list of flow ids, or none');
    for (const id of wanted) if (!flows.has(id)) bad(`unknown flow id "${id}" in flow`);
    const nodeCheck = (key: 'at' | 'end', kinds: ReadonlySet<string>, what: string) => {
      const v = c[key];
      if (v === undefined) return;
      if (typeof v !== 'string') return bad(`"${key}" must be a node id`);
      if (wanted.length !== 1) return bad(`"${key}" needs exactly one flow in "flow"`);
      const flow = flows.get(wanted[0] as string);
      if (!flow) return;
      const node = flow.nodes[v];
      if (!node) return bad(`unknown node id "${v}" in ${key} (flow ${flow.id})`);
      if (!kinds.has(node.kind)) bad(`"${key}: ${v}" is a node of kind ${node.kind}; ${key} must name ${what}`);
    };
    nodeCheck('at', WAITING_KINDS, 'a node that waits for an answer (question, input, step, checklist)');
    nodeCheck('end', FINAL_KINDS, 'an end or handoff node');
    if (c.at !== undefined && c.end !== undefined) bad('give at most one of "at" and "end"');
    if (c.choosing !== undefined && (c.choosing !== true || c.flow !== 'none')) bad('"choosing: true" goes only with "flow: none"');
    if (c.handoff !== undefined && typeof c.handoff !== 'boolean' && !(HANDOFF_REASONS as readonly unknown[]).includes(c.handoff)) {
      bad(`"handoff" must be true, false or one of ${HANDOFF_REASONS.join(', ')}`);
    }
    if (c.max_handoffs !== undefined && !(Number.isInteger(c.max_handoffs) && (c.max_handoffs as number) >= 0)) bad('"max_handoffs" must be a whole number ≥ 0');
    if (c.lang_at_end !== undefined && (typeof c.lang_at_end !== 'string' || !langs.has(c.lang_at_end))) bad(`lang_at_end must be one of ${[...langs].join(', ')}`);
    const never = c.never === undefined ? [] : c.never;
    if (!Array.isArray(never) || !never.every((f) => typeof f === 'string')) bad('"never" must be a list of flow ids');
    else {
      for (const id of never as string[]) {
        if (!flows.has(id)) bad(`unknown flow id "${id}" in never`);
        if (wanted.includes(id)) bad(`"${id}" is both expected and in never`);
      }
    }
    if (problems.length !== before) return;

    const conv: Conversation = { file, name: c.name as string, lang: lang as string, answers: c.answers as ConversationAnswer[], flows: wanted, never: never as string[] };
    if (typeof c.at === 'string') conv.at = c.at;
    if (typeof c.end === 'string') conv.end = c.end;
    if (c.choosing === true) conv.choosing = true;
    if (c.handoff !== undefined) conv.handoff = c.handoff as boolean | string;
    if (c.max_handoffs !== undefined) conv.maxHandoffs = c.max_handoffs as number;
    if (typeof c.lang_at_end === 'string') conv.langAtEnd = c.lang_at_end;
    conversations.push(conv);
  });
  return { conversations, problems };
}

/** Conversation names used twice, across all files (a report line must name one conversation). */
export function duplicateNames(conversations: readonly Conversation[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const c of conversations) {
    const first = seen.get(c.name);
    if (first) out.push(`duplicate conversation name "${c.name}" in ${c.file} (first in ${first})`);
    else seen.set(c.name, c.file);
  }
  return out;
}

const toInput = (a: ConversationAnswer): Input =>
  typeof a !== 'object' ? { kind: 'text', text: String(a) } : 'choice' in a ? { kind: 'choice', value: a.choice } : { kind: 'location', lat: a.location.lat, lon: a.location.lon };

const positionOf = (s: ConversationState): Position => {
  const p: Position = { status: s.status, lang: s.lang };
  if (s.flowId !== undefined) p.flowId = s.flowId;
  if (s.nodeId !== undefined) p.nodeId = s.nodeId;
  if (s.candidates?.length) p.candidates = [...s.candidates];
  return p;
};

/** Plays `conv` with `converse`, from the welcome in its language, one answer per turn. */
export function playConversation(catalog: Catalog, conv: Pick<Conversation, 'lang' | 'answers'>, env: EngineEnv = {}): Played {
  let res = converse(catalog, initialState(conv.lang), { kind: 'start' }, env);
  const positions: Position[] = [];
  const handoffs: string[] = [];
  const collect = (outputs: Output[]) => {
    for (const o of outputs) if (o.kind === 'handoff') handoffs.push(o.reason);
  };
  collect(res.outputs);
  for (const a of conv.answers) {
    res = converse(catalog, res.state, toInput(a), env);
    positions.push(positionOf(res.state));
    collect(res.outputs);
  }
  return { positions, handoffs };
}

/** The procedure running at a position: none while choosing (a "which one?" included). */
export const runningFlow = (p: Position): string | undefined => (p.status !== 'choosing' && p.flowId ? p.flowId : undefined);

/** A position in a few characters: `caf-attestation@allocataire`, `…@non-allocataire (ended)`, `choosing`, `which? a / b`. */
export function describePosition(p: Position, startLang?: string): string {
  const lang = startLang !== undefined && p.lang !== startLang ? ` [${p.lang}]` : '';
  const flow = runningFlow(p);
  if (!flow) return `${p.candidates?.length ? `which? ${p.candidates.join(' / ')}` : 'choosing'}${p.status === 'handoff' ? ' (handoff)' : ''}${lang}`;
  return `${flow}@${p.nodeId ?? '-'}${p.status === 'active' ? '' : ` (${p.status})`}${lang}`;
}

/**
 * Judges a played conversation against what the person would expect: the procedure running at the
 * end (or none), the node it waits on or finished on, the handoffs given, the language, and that no
 * `never` procedure was running after any turn. Every failed check is listed; `kind` is the
 * coarsest one.
 */
export function judgeConversation(conv: Conversation, played: Played): Verdict {
  const reasons: string[] = [];
  let kind: FailureKind | undefined;
  const fail = (k: FailureKind, why: string) => {
    reasons.push(why);
    const order: FailureKind[] = ['wrong-flow', 'procedure-running', 'no-procedure', 'wrong-node', 'other'];
    if (kind === undefined || order.indexOf(k) < order.indexOf(kind)) kind = k;
  };
  const last = played.positions[played.positions.length - 1];
  if (!last) return { ok: false, kind: 'other', reasons: ['no answer was played'], stuckInWrongFlow: false };
  const running = runningFlow(last);
  const here = describePosition(last, conv.lang);
  const expected = conv.flows.length ? conv.flows.join(' or ') : 'no procedure';

  if (conv.flows.length === 0) {
    if (running) fail('procedure-running', `expected no procedure running, but it is ${here}`);
  } else if (!running) {
    fail('no-procedure', `expected ${expected}, but no procedure runs (${here})`);
  } else if (!conv.flows.includes(running)) {
    fail('wrong-flow', `expected ${expected}, but it is ${here}`);
  } else if (conv.at !== undefined) {
    if (last.nodeId !== conv.at || (last.status !== 'active' && last.status !== 'handoff')) fail('wrong-node', `expected to wait on ${running}@${conv.at}, but it is ${here}`);
  } else if (conv.end !== undefined) {
    if (last.nodeId !== conv.end || (last.status !== 'ended' && last.status !== 'handoff')) fail('wrong-node', `expected to finish on ${running}@${conv.end}, but it is ${here}`);
  }

  const n = played.handoffs.length;
  if (conv.handoff === true && n === 0) fail('other', 'expected a human to be offered, but no handoff was given');
  if (conv.handoff === false && n > 0) fail('other', `expected no handoff, but got ${n} (${played.handoffs.join(', ')})`);
  if (typeof conv.handoff === 'string' && !played.handoffs.includes(conv.handoff)) fail('other', `expected a "${conv.handoff}" handoff, got ${played.handoffs.join(', ') || 'none'}`);
  if (conv.maxHandoffs !== undefined && n > conv.maxHandoffs) fail('other', `expected at most ${conv.maxHandoffs} handoff(s), got ${n} (${played.handoffs.join(', ')})`);
  if (conv.langAtEnd !== undefined && last.lang !== conv.langAtEnd) fail('other', `expected the conversation in "${conv.langAtEnd}" at the end, but it is in "${last.lang}"`);
  played.positions.forEach((p, i) => {
    const f = runningFlow(p);
    if (f && conv.never.includes(f)) fail('other', `${f} was running after answer ${i + 1} (never expected)`);
  });

  const stuckInWrongFlow = running !== undefined && !conv.flows.includes(running);
  return kind === undefined ? { ok: true, reasons, stuckInWrongFlow } : { ok: false, kind, reasons, stuckInWrongFlow };
}

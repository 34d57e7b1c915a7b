/**
 * One turn inside a flow: `step(flow, state, input) → { state, outputs }`. Pure: the same arguments
 * always give the same result, the input state is never mutated, nothing is read from outside.
 */
import type { Flow, FlowNode, NodeKind } from '../flow';
import { detectIntent, lexiconFor, type DetectedIntent } from './lexicon';
import { HANDLERS, WAITING_KINDS } from './nodes';
import type { AnswerInput, AnswerResult, NodeContext } from './nodes/context';
import { sayKey } from './nodes/context';
import { route } from './nodes/branch';
import { choiceValue } from './nodes/question';
import { isNegated } from './match';
import { normalize } from './normalize';
import { wordsOf } from './pickFlow';
import { allVariants, resolveText } from './resolveText';
import { migrateState } from './state';
import type { Choice, ConversationState, Input, Lang, Lexicon, Message, Output, StepResult } from './types';
import { readYesNo } from './validate';

/** What `step` needs beyond the flow: the words people use, per language (optional). */
export interface StepEnv {
  lexicons?: Readonly<Record<Lang, Lexicon>>;
}

/** More hops than this in one turn means a cycle of branches: stop instead of looping forever. */
const MAX_HOPS = 64;

/** Button value that asks for a human, offered after repeated failures. */
export const HELP_VALUE = 'help';
/** Button values for the other global intents. */
export const BACK_VALUE = 'back';
export const RESTART_VALUE = 'restart';
/** Prefix of button values that switch language (`lang:en`). */
export const LANG_PREFIX = 'lang:';

const HELP_CHOICE: Choice = { label: { key: 'engine:help.button' }, value: HELP_VALUE };

/**
 * Button values of "Vous voulez dire : … ?". Apart from every node's own values (a question may
 * well have a choice whose value is `oui`), so the person can answer the question instead.
 */
export const CONFIRM_YES = 'ariane:confirm:yes';
export const CONFIRM_NO = 'ariane:confirm:no';

const CONFIRM_CHOICES: Choice[] = [
  { label: { key: 'engine:yes' }, value: CONFIRM_YES },
  { label: { key: 'engine:no' }, value: CONFIRM_NO },
];

const EMPTY: Readonly<Record<Lang, Lexicon>> = {};

/** The outputs of a turn plus the ids of the nodes entered, in order (for traces and scenario paths). */
type TurnOut = Output[] & { trace: string[] };

const newTurn = (): TurnOut => Object.assign([] as Output[], { trace: [] as string[] });

const result = (state: ConversationState, out: TurnOut): StepResult => ({ state, outputs: [...out], trace: out.trace });

function ctxFor(flow: Flow, state: ConversationState, nodeId: string, env: StepEnv): NodeContext {
  return { flow, nodeId, state, lang: state.lang, lexicon: lexiconFor(env.lexicons, state.lang) };
}

function present(flow: Flow, state: ConversationState, nodeId: string, env: StepEnv): Output[] {
  const node = flow.nodes[nodeId] as FlowNode;
  const handler = HANDLERS[node.kind] as { present(n: FlowNode, c: NodeContext): Output[] };
  return handler.present(node, ctxFor(flow, state, nodeId, env));
}

/** The name under which a node keeps its answer, if it keeps one. */
function answerName(node: FlowNode, nodeId: string): string | undefined {
  if (node.kind === 'question') return node.name ?? nodeId;
  if (node.kind === 'input') return node.name;
  return undefined;
}

/**
 * Moves to `nodeId` and runs through non-waiting nodes (branches) until a node that waits, ends or
 * hands off. A missing node (flow edited, or a broken reference) restarts the flow politely.
 */
function enter(flow: Flow, state: ConversationState, nodeId: string, out: TurnOut, env: StepEnv): void {
  let id = nodeId;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const node = flow.nodes[id];
    if (!node) {
      if (id === flow.start || !flow.nodes[flow.start]) {
        out.push(sayKey('engine:flow.unavailable'));
        out.push({ kind: 'handoff', reason: 'node', flowId: flow.id, support: flow.support });
        state.status = 'handoff';
        delete state.nodeId;
        return;
      }
      out.push(sayKey('engine:flow.changed'));
      state.history = [];
      state.answers = {};
      id = flow.start;
      continue;
    }
    state.nodeId = id;
    state.failures = 0;
    out.trace.push(id);
    out.push(...present(flow, state, id, env));
    if (node.kind === 'branch') {
      id = route(node, state.answers);
      continue;
    }
    state.status = node.kind === 'end' ? 'ended' : node.kind === 'handoff' ? 'handoff' : 'active';
    return;
  }
  // A cycle of branches: the flow checker reports it; the person gets a human rather than a hang.
  out.push(sayKey('engine:flow.unavailable'));
  out.push({ kind: 'handoff', reason: 'node', flowId: flow.id, support: flow.support });
  state.status = 'handoff';
}

/** Starts `flow` from its first node, forgetting earlier answers. */
function startFlow(flow: Flow, state: ConversationState, out: TurnOut, env: StepEnv): void {
  state.flowId = flow.id;
  state.history = [];
  state.answers = {};
  state.failures = 0;
  delete state.candidates;
  enter(flow, state, flow.start, out, env);
}

function helpOutputs(flow: Flow, state: ConversationState, reason: 'asked' | 'stuck'): Output[] {
  const node = state.nodeId ? flow.nodes[state.nodeId] : undefined;
  const support = node?.kind === 'handoff' && node.support ? node.support : flow.support;
  const h: Output = { kind: 'handoff', reason, flowId: flow.id, support };
  if (state.nodeId) h.nodeId = state.nodeId;
  return [sayKey(reason === 'asked' ? 'engine:help.asked' : 'engine:help.stuck'), h];
}

/** A language the service speaks: one of the lexicons' own keys (never `constructor` or `toString`). */
export function knownLanguage(lexicons: Readonly<Record<Lang, Lexicon>> | undefined, lang: Lang | undefined): Lang | undefined {
  return lang !== undefined && lexicons !== undefined && Object.prototype.hasOwnProperty.call(lexicons, lang) ? lang : undefined;
}

function languageOutputs(flow: Flow, state: ConversationState, asked: Lang | undefined, env: StepEnv): Output[] {
  const lang = knownLanguage(env.lexicons, asked);
  if (!lang) {
    const langs = Object.keys(env.lexicons ?? {});
    return [sayKey('engine:language.ask'), { kind: 'choices', choices: langs.map((l) => ({ label: { key: `engine:language.name.${l}` }, value: `${LANG_PREFIX}${l}` })) }];
  }
  state.lang = lang;
  const out: Output[] = [{ kind: 'language', lang }, sayKey('engine:language.changed')];
  const node = state.nodeId ? flow.nodes[state.nodeId] : undefined;
  if (node && WAITING_KINDS.has(node.kind) && state.nodeId) out.push(...present(flow, state, state.nodeId, env));
  return out;
}

function goBack(flow: Flow, state: ConversationState, out: TurnOut, env: StepEnv): void {
  const current = state.nodeId ? flow.nodes[state.nodeId] : undefined;
  // After "help" on a question, "back" means: show me that question again.
  if (state.status === 'handoff' && current && WAITING_KINDS.has(current.kind) && state.nodeId) {
    state.status = 'active';
    state.failures = 0;
    out.push(...present(flow, state, state.nodeId, env));
    return;
  }
  const prev = state.history.pop();
  if (prev === undefined) {
    out.push(sayKey('engine:back.atStart'));
    enter(flow, state, state.nodeId && current && WAITING_KINDS.has(current.kind) ? state.nodeId : flow.start, out, env);
    return;
  }
  const prevNode = flow.nodes[prev];
  if (!prevNode) {
    out.push(sayKey('engine:flow.changed'));
    startFlow(flow, state, out, env);
    return;
  }
  const name = answerName(prevNode, prev);
  if (name) delete state.answers[name];
  out.push(sayKey('engine:back.done'));
  enter(flow, state, prev, out, env);
}

function applyIntent(flow: Flow, state: ConversationState, intent: Omit<DetectedIntent, 'strength'>, out: TurnOut, env: StepEnv): void {
  switch (intent.intent) {
    case 'back':
      goBack(flow, state, out, env);
      return;
    case 'restart':
      out.push(sayKey('engine:restart'));
      startFlow(flow, state, out, env);
      return;
    case 'help':
      out.push(...helpOutputs(flow, state, 'asked'));
      state.status = 'handoff';
      return;
    case 'language':
      out.push(...languageOutputs(flow, state, intent.lang, env));
      return;
    case 'leave':
      // Leaving the procedure: the caller (`converse`) shows the procedures to choose from.
      out.push(sayKey('engine:leave.done'));
      state.status = 'choosing';
      delete state.flowId;
      delete state.nodeId;
      state.history = [];
      state.answers = {};
      return;
  }
}

/** Button values that stand for global intents. */
function intentFromChoice(value: string): Omit<DetectedIntent, 'strength'> | undefined {
  if (value === HELP_VALUE) return { intent: 'help' };
  if (value === BACK_VALUE) return { intent: 'back' };
  if (value === RESTART_VALUE) return { intent: 'restart' };
  if (value.startsWith(LANG_PREFIX)) return { intent: 'language', lang: value.slice(LANG_PREFIX.length) };
  return undefined;
}

function answerNode(node: FlowNode, ctx: NodeContext, input: AnswerInput, strict: boolean): AnswerResult {
  const handler = HANDLERS[node.kind as NodeKind] as { answer?(n: FlowNode, c: NodeContext, i: AnswerInput, s: boolean): AnswerResult };
  return handler.answer ? handler.answer(node, ctx, input, strict) : { kind: 'unmatched' };
}

/**
 * Yes or no to "Vous voulez dire : … ?", typed: a yes or no word ("oui", "wakha", "nan"), or a
 * sentence starting with one ("oui c'est ça") unless that sentence surely answers the question
 * itself ("Oui, j'ai internet" is the question's label: a fresh answer).
 */
function confirmReply(node: FlowNode, ctx: NodeContext, text: string): boolean | undefined {
  const r = readYesNo(text, ctx.lexicon);
  if (!r || r.how === 'negated') return undefined;
  if (r.how === 'leading' && answerNode(node, ctx, { kind: 'text', text }, true).kind !== 'unmatched') return undefined;
  return r.value;
}

function applyAnswer(flow: Flow, state: ConversationState, nodeId: string, result: AnswerResult, out: TurnOut, env: StepEnv): void {
  switch (result.kind) {
    case 'next':
      if (result.answer) state.answers[result.answer.name] = result.answer.value;
      // Say what was understood before moving on, so a misreading is seen (and "retour" undoes it).
      if (result.understood) out.push(sayKey('engine:understood', { label: result.understood }));
      state.history.push(nodeId);
      enter(flow, state, result.next, out, env);
      return;
    case 'confirm':
      // Not a failure: the person answered, the engine is only unsure how to read it.
      state.confirming = { nodeId, value: result.value };
      out.push(sayKey('engine:confirm', { label: result.label }));
      out.push({ kind: 'choices', choices: [...CONFIRM_CHOICES, ...result.choices] });
      return;
    case 'stuck':
      out.push(...helpOutputs(flow, state, 'stuck'));
      state.status = 'handoff';
      return;
    case 'retry':
    case 'unmatched': {
      state.failures += 1;
      out.push(result.kind === 'retry' ? { kind: 'say', message: result.message } : sayKey('engine:retry.generic'));
      const choices = result.kind === 'retry' ? [...(result.choices ?? [])] : [];
      // From the second answer not understood, a person is offered (a button); at the third, once in
      // the conversation, the help places too (one handoff, one code, not one per message).
      if (state.failures === 2) out.push(sayKey('engine:retry.offerHelp'));
      if (state.failures >= 2) choices.push(HELP_CHOICE);
      if (choices.length) out.push({ kind: 'choices', choices });
      if (state.failures >= 3 && !state.helpOffered) {
        state.helpOffered = true;
        out.push({ kind: 'handoff', reason: 'failures', flowId: flow.id, nodeId, support: flow.support, askWhere: true });
      }
      return;
    }
  }
}

/**
 * Plays one turn of `flow`. Inputs:
 * - `{kind:'flow'}` (or a state that is not in this flow yet, or `{kind:'start'}`): starts the flow;
 * - a button value or typed text: answers the current node; global intents (back, restart, help,
 *   language) are recognised on every node, by words from `env.lexicons` or button values
 *   (`help`, `back`, `restart`, `lang:<code>`);
 * - a typed answer is read by meaning (`match.ts`): when the engine moves on from something other
 *   than the exact label it first says `engine:understood` with the label; when it is unsure it
 *   asks `engine:confirm` ("Vous voulez dire : … ?") with `CONFIRM_YES` / `CONFIRM_NO` buttons and
 *   the node's own ones, and keeps `state.confirming` until the next turn: yes takes that answer,
 *   no shows the question again, anything else is a fresh answer;
 * - anything unrecognised: a short retry with the options; from the second failure in a row on the
 *   same node, a "talk to a person" button and a `handoff` output (reason `failures`).
 * A state pointing to a node the flow no longer has restarts the flow politely. Never throws on
 * user input.
 */
export function step(flow: Flow, rawState: ConversationState | unknown, input: Input, env: StepEnv = {}): StepResult {
  const intent = input.kind === 'text' ? detectIntent(input.text, env.lexicons ?? EMPTY) : undefined;
  return playStep(flow, migrateState(rawState), input, env, intent);
}

/**
 * `step` on a state already migrated, with the turn's intent already detected (`converse` reads
 * both once per turn). Mutates and returns `state`.
 */
export function playStep(flow: Flow, state: ConversationState, input: Input, env: StepEnv, detected: DetectedIntent | undefined): StepResult {
  state.turn += 1;
  const out = newTurn();
  // A confirmation asked last turn is answered now or never.
  const confirming = state.confirming;
  delete state.confirming;

  if (input.kind === 'intent' && input.intent === 'language') {
    out.push(...languageOutputs(flow, state, input.lang, env));
    if (state.flowId !== flow.id || !state.nodeId) startFlow(flow, state, out, env);
    return result(state, out);
  }
  if (input.kind === 'flow' || input.kind === 'start' || state.flowId !== flow.id) {
    startFlow(flow, state, out, env);
    return result(state, out);
  }
  const nodeId = state.nodeId;
  const node = nodeId ? flow.nodes[nodeId] : undefined;
  if (!nodeId || !node) {
    out.push(sayKey('engine:flow.changed'));
    startFlow(flow, state, out, env);
    return result(state, out);
  }
  if (input.kind === 'intent') {
    applyIntent(flow, state, input, out, env);
    return result(state, out);
  }

  const waiting = WAITING_KINDS.has(node.kind);
  const ctx = ctxFor(flow, state, nodeId, env);
  // A position is only meaningful to the help dialogue; a flow's question never takes one.
  if (input.kind === 'location') {
    out.push(sayKey('engine:retry.generic'));
    return result(state, out);
  }
  const answerInput: AnswerInput = input.kind === 'choice' ? { kind: 'choice', value: input.value } : { kind: 'text', text: input.text };

  // 0. The reply to "Vous voulez dire : … ?": yes takes that answer, no shows the question again,
  //    anything else (a button of the question, another wording) is a fresh answer to the question.
  if (waiting && confirming?.nodeId === nodeId) {
    const yes = input.kind === 'choice' ? (input.value === CONFIRM_YES ? true : input.value === CONFIRM_NO ? false : undefined) : confirmReply(node, ctx, input.text);
    if (yes === false) {
      out.push(...present(flow, state, nodeId, env));
      return result(state, out);
    }
    if (yes === true) {
      const taken = answerNode(node, ctx, { kind: 'choice', value: confirming.value }, true);
      // A value the node no longer has (the flow changed meanwhile) is read as a fresh answer.
      if (taken.kind === 'next' || taken.kind === 'stuck') {
        applyAnswer(flow, state, nodeId, taken, out, env);
        return result(state, out);
      }
    }
  }

  // 1. A sure answer (button value, exact label, number, valid typed value) wins over everything.
  if (waiting) {
    const sure = answerNode(node, ctx, answerInput, true);
    if (sure.kind !== 'unmatched') {
      applyAnswer(flow, state, nodeId, sure, out, env);
      return result(state, out);
    }
  }
  // 2. Global intents, by button value or by words.
  let intent = input.kind === 'choice' ? intentFromChoice(input.value) : input.kind === 'text' ? detected : undefined;
  // A free text or a place name that merely looks like an intent word is an answer, not an intent.
  if (intent && 'strength' in intent && intent.strength === 'fuzzy' && node.kind === 'input' && (node.type === 'text' || node.type === 'commune')) intent = undefined;
  if (intent) {
    // "je sais pas quand il faut le faire" holds the words of "je ne sais pas" (help), but asks to
    // know when: the option it names is the answer.
    if (waiting && intent.intent === 'help' && 'strength' in intent && intent.strength === 'contained') {
      const asked = answerNode(node, ctx, answerInput, false);
      if (asked.kind === 'next' && asked.read?.how === 'asked') {
        applyAnswer(flow, state, nodeId, asked, out, env);
        return result(state, out);
      }
    }
    applyIntent(flow, state, intent, out, env);
    return result(state, out);
  }
  // 3. A fuzzy answer, or a retry.
  if (waiting) {
    state.status = 'active';
    applyAnswer(flow, state, nodeId, answerNode(node, ctx, answerInput, false), out, env);
    return result(state, out);
  }
  // The flow is over (end or handoff node): only intents or a new request make sense.
  out.push(sayKey(state.status === 'handoff' ? 'engine:handoff.over' : 'engine:ended'));
  return result(state, out);
}

/** The node the state is on, if it still exists in `flow`. */
export function currentNode(flow: Flow, state: ConversationState): FlowNode | undefined {
  return state.flowId === flow.id && state.nodeId ? flow.nodes[state.nodeId] : undefined;
}


/**
 * What the waiting node shows again (its question and buttons), or nothing when the state waits on
 * no node of `flow`: after the person declined an offer the engine made ("Non, je continue ici").
 */
export function presentAgain(flow: Flow, state: ConversationState, env: StepEnv = {}): Output[] {
  const node = state.nodeId ? flow.nodes[state.nodeId] : undefined;
  return node && state.nodeId && WAITING_KINDS.has(node.kind) ? present(flow, state, state.nodeId, env) : [];
}

/**
 * Whether `input` is surely an answer to the node the state waits on (a button value, the exact
 * label, the option's number, a valid typed value): then it is never read as a new request.
 */
export function isSureAnswer(flow: Flow, state: ConversationState, input: Input, env: StepEnv = {}): boolean {
  const read = readAnswer(flow, state, input, env, true);
  return read !== undefined && read.kind !== 'unmatched';
}

/**
 * Whether `input` answers the waiting node well enough to move on (surely, or understood and said
 * back): "j'ai un compte ameli mais j'ai oublié le mot de passe" at "Avez-vous déjà un compte ?" is
 * an answer, even though it names another procedure.
 */
export function movesOn(flow: Flow, state: ConversationState, input: Input, env: StepEnv = {}): boolean {
  return readAnswer(flow, state, input, env, false)?.kind === 'next';
}

/**
 * Whether every word of `phrase` is a word of the flow's title, leaving out what the title says in
 * brackets or after a colon: « demande » is « Demander sa retraite en ligne », but « passeport » is not « Rendez-vous
 * en préfecture (…, passeport, …) », whose brackets list the answers of its first question.
 */
function namesTheFlow(flow: Flow, phrase: string): boolean {
  const words = wordsOf(phrase);
  if (!words.length) return false;
  const title = new Set(allVariants(flow.title).flatMap((t) => wordsOf(t.replace(/\([^)]*\)/g, ' ').split(':')[0] ?? '')));
  return words.every((w) => title.has(w));
}

/**
 * How a match may be read from a request typed before the question was asked: by a label or
 * synonym the author wrote, never a typo, a number, loose words or a guess. Nor a quantity: in a
 * story, "depuis deux ans" is no age.
 */
const READ_AHEAD = new Set(['exact', 'contained', 'asked']);

/**
 * Whether the request that started the flow already answers the question now waiting, by the
 * question's own words: « pour ma carte de séjour » chose the préfecture, and is also the answer to
 * « Pourquoi voulez-vous un rendez-vous ? » (Titre de séjour). Only questions, and only answers the
 * engine would move on with, never the yes or no side of a question. Words of the flow's title
 * answer nothing (`namesTheFlow`): « demande de retraite » names the procedure, it does not say the
 * person has not applied yet. (Its summary would say too much: the CAF's lists the very changes its
 * first question offers.)
 */
export function answeredAhead(flow: Flow, state: ConversationState, text: string, env: StepEnv = {}): { sayBack?: Message } | undefined {
  const node = state.nodeId ? flow.nodes[state.nodeId] : undefined;
  if (node?.kind !== 'question') return undefined;
  const read = readAnswer(flow, state, { kind: 'text', text }, env, false);
  // A yes or a no inside a request answers something else ("non une autre, inscription pole emploi").
  if (read?.kind !== 'next' || !read.read || !READ_AHEAD.has(read.read.how) || read.read.side) return undefined;
  // "… je ne l'ai pas", "je n'ai rien fait encore": a negation anywhere in a request may deny the choice it names.
  if (isNegated(normalize(text), lexiconFor(env.lexicons, state.lang))) return undefined;
  const phrase = read.read.phrase;
  if (phrase && namesTheFlow(flow, phrase)) return undefined;
  // Typed as the label itself, an answer is not said back by the question (`sayBack` is then the
  // label to say); read ahead, it always is.
  if (read.understood) return {};
  const choice = node.choices.find((c) => choiceValue(c) === read.answer?.value);
  return choice ? { sayBack: { text: resolveText(choice.label, state.lang) } } : undefined;
}

function readAnswer(flow: Flow, state: ConversationState, input: Input, env: StepEnv, strict: boolean): AnswerResult | undefined {
  const nodeId = state.nodeId;
  const node = nodeId ? flow.nodes[nodeId] : undefined;
  if (!node || !nodeId || !WAITING_KINDS.has(node.kind) || (input.kind !== 'text' && input.kind !== 'choice')) return undefined;
  const answerInput: AnswerInput = input.kind === 'choice' ? { kind: 'choice', value: input.value } : { kind: 'text', text: input.text };
  return answerNode(node, ctxFor(flow, state, nodeId, env), answerInput, strict);
}

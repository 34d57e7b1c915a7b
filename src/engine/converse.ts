/**
 * The whole conversation: choosing a procedure (welcome, a sentence, "which one?"), then the
 * chosen flow's turns through `step`. This is what the bot, the web widget and the CLI call.
 */
import type { Flow } from '../flow';
import { helpTurn } from './helpDialogue';
import { detectIntent, type DetectedIntent } from './lexicon';
import { buildOptionIndex, matchOption } from './match';
import { sayKey } from './nodes/context';
import { WAITING_KINDS } from './nodes';
import { pickFlow } from './pickFlow';
import { resolveText } from './resolveText';
import { migrateState } from './state';
import { HELP_VALUE, knownLanguage, LANG_PREFIX, playStep } from './step';
import type { Catalog, Choice, ConversationState, EngineEnv, Input, Lang, Output, StepResult } from './types';

/** Prefix of button values that choose a procedure (`flow:caf-attestation`). */
export const FLOW_PREFIX = 'flow:';

/**
 * Below this score a sentence is not about any known procedure: one word shared by three flows
 * scores 0.33; a short request with an unknown word ('permis bateau') scores a quarter of its words' worth.
 */
export const MIN_PICK_SCORE = 0.3;
/** A runner-up scoring at least this share of the best is "close": ask which one. */
export const CLOSE_RATIO = 0.75;
/** At most this many procedures offered when asking which one. */
const MAX_CANDIDATES = 4;

function flowChoices(catalog: Catalog, ids: string[], lang: Lang): Choice[] {
  return ids
    .map((id) => catalog.flows.get(id))
    .filter((f): f is Flow => f !== undefined)
    .map((f) => ({ label: { text: resolveText(f.title, lang) }, value: `${FLOW_PREFIX}${f.id}` }));
}

function welcome(catalog: Catalog, state: ConversationState): Output[] {
  return [sayKey('engine:welcome'), { kind: 'choices', choices: flowChoices(catalog, catalog.featured, state.lang) }];
}

function toChoosing(state: ConversationState): void {
  state.status = 'choosing';
  delete state.flowId;
  delete state.nodeId;
  delete state.candidates;
  state.history = [];
  state.answers = {};
  state.failures = 0;
}

function startFlow(catalog: Catalog, state: ConversationState, flowId: string): StepResult {
  const flow = catalog.flows.get(flowId);
  if (!flow) {
    toChoosing(state);
    return { state, outputs: [sayKey('engine:pick.unknown'), ...welcome(catalog, state)] };
  }
  const r = playStep(flow, state, { kind: 'flow', flowId }, { lexicons: catalog.lexicons }, undefined);
  r.outputs.unshift(sayKey('engine:pick.start', { title: resolveText(flow.title, state.lang) }));
  return r;
}

/** What to do with a sentence typed while no flow is running. */
function choose(catalog: Catalog, state: ConversationState, text: string, intent: DetectedIntent | undefined): StepResult {
  const out: Output[] = [];
  // An answer to the buttons last shown: a number or a title among the candidates of "which one?"
  // (close wording accepted), or among the welcome's featured procedures (number or exact title).
  const offered = state.candidates?.length ? state.candidates : catalog.featured;
  if (offered.length) {
    const index = buildOptionIndex(
      offered.map((id) => {
        const f = catalog.flows.get(id);
        return { value: id, phrases: f ? [resolveText(f.title, state.lang), resolveText(f.title, 'fr')] : [] };
      }),
    );
    const m = matchOption(index, text, !state.candidates?.length);
    if (m) return startFlow(catalog, state, m.value);
  }
  const ranked = pickFlow(catalog, text, state.lang);
  const top = ranked[0];
  // "je ne sais pas comment renouveler mon titre de séjour" is a request, not a cry for help.
  if (intent && (intent.strength !== 'contained' || !top || top.score < MIN_PICK_SCORE)) {
    return choosingIntent(catalog, state, intent.intent, intent.lang);
  }
  if (!top || top.score < MIN_PICK_SCORE) {
    state.status = 'choosing';
    delete state.candidates;
    state.failures += 1;
    out.push(sayKey('engine:pick.none'));
    out.push({ kind: 'choices', choices: [...flowChoices(catalog, catalog.featured, state.lang), { label: { key: 'engine:help.button' }, value: HELP_VALUE }] });
    out.push({ kind: 'handoff', reason: 'no-match' });
    return { state, outputs: out };
  }
  const close = ranked.filter((r) => r.score >= top.score * CLOSE_RATIO).slice(0, MAX_CANDIDATES);
  if (close.length > 1) {
    state.status = 'choosing';
    state.candidates = close.map((c) => c.flowId);
    out.push(sayKey('engine:pick.which'));
    out.push({ kind: 'choices', choices: flowChoices(catalog, state.candidates, state.lang) });
    return { state, outputs: out };
  }
  return startFlow(catalog, state, top.flowId);
}

function choosingIntent(catalog: Catalog, state: ConversationState, intent: string, asked?: Lang): StepResult {
  const lang = knownLanguage(catalog.lexicons, asked);
  switch (intent) {
    case 'help':
      state.status = 'handoff';
      return { state, outputs: [sayKey('engine:help.asked'), { kind: 'handoff', reason: 'asked' }] };
    case 'language':
      if (lang) {
        state.lang = lang;
        return { state, outputs: [{ kind: 'language', lang }, sayKey('engine:language.changed'), ...welcome(catalog, state)] };
      }
      return {
        state,
        outputs: [
          sayKey('engine:language.ask'),
          { kind: 'choices', choices: Object.keys(catalog.lexicons).map((l) => ({ label: { key: `engine:language.name.${l}` }, value: `${LANG_PREFIX}${l}` })) },
        ],
      };
    default:
      // back / restart with no flow running: show the welcome again.
      toChoosing(state);
      return { state, outputs: welcome(catalog, state) };
  }
}

/**
 * Plays one turn of the whole conversation.
 * - `{kind:'start'}`: a short welcome, the featured procedures as buttons, "or say it in your words".
 * - `{kind:'flow'}` or a `flow:<id>` button: starts that procedure.
 * - A sentence while choosing (or after a flow ended): ranks procedures with `pickFlow`; a clear
 *   winner starts, close ones are offered ("which one?"), nothing → says so, shows the featured
 *   procedures and offers human help (handoff `no-match`). Never starts a doubtful flow.
 * - Anything else while a flow runs: delegated to `step`. A state whose flow no longer exists gets a
 *   polite restart.
 * - Around all of it, the help-places dialogue (`helpDialogue.ts`): after a handoff the person is
 *   taken, the places near them, or the question "where are you?" (needs `env.findHelp`).
 * Never throws on user input; `rawState` may be anything a store returned (it is migrated once).
 */
export function converse(catalog: Catalog, rawState: ConversationState | unknown, input: Input, env: EngineEnv = {}): StepResult {
  const state = migrateState(rawState);
  const turn = state.turn + 1;
  // The intent of typed text is detected once per turn, here, and handed down.
  const intent = input.kind === 'text' ? detectIntent(input.text, catalog.lexicons) : undefined;
  const core = (s: ConversationState, i: Input) => converseTurn(catalog, s, i, i === input ? intent : undefined);
  const result = helpTurn({ catalog, env, core, isIntent: intent !== undefined }, state, input);
  // A password or a code typed by mistake (masked before the engine): said once, kindly, first.
  if (input.kind === 'text' && input.secret && !result.state.secretNoticed) {
    result.state.secretNoticed = true;
    result.outputs.unshift(sayKey('engine:privacy.secret'));
  }
  // Exactly one turn per call, whichever path (welcome, choosing, step, help) produced the result.
  result.state.turn = turn;
  return result;
}

function converseTurn(catalog: Catalog, state: ConversationState, input: Input, intent: DetectedIntent | undefined): StepResult {
  const env = { lexicons: catalog.lexicons };

  if (input.kind === 'start') {
    toChoosing(state);
    return { state, outputs: welcome(catalog, state) };
  }
  if (input.kind === 'flow') return startFlow(catalog, state, input.flowId);
  if (input.kind === 'choice' && input.value.startsWith(FLOW_PREFIX)) return startFlow(catalog, state, input.value.slice(FLOW_PREFIX.length));

  const flow = state.flowId ? catalog.flows.get(state.flowId) : undefined;
  if (state.flowId && !flow) {
    toChoosing(state);
    return { state, outputs: [sayKey('engine:flow.gone'), ...welcome(catalog, state)] };
  }
  if (flow && state.status !== 'choosing') {
    const node = state.nodeId ? flow.nodes[state.nodeId] : undefined;
    const waiting = node !== undefined && WAITING_KINDS.has(node.kind);
    const isIntent = input.kind === 'intent' || (input.kind === 'choice' && !input.value.startsWith(FLOW_PREFIX)) || intent !== undefined;
    // While a question waits, everything goes to the flow; after an end, only intents do.
    if (state.status === 'active' || waiting || isIntent) return playStep(flow, state, input, env, intent);
  }

  if (input.kind === 'intent') return choosingIntent(catalog, state, input.intent, input.lang);
  if (input.kind === 'choice') {
    if (input.value === HELP_VALUE) return choosingIntent(catalog, state, 'help');
    if (input.value.startsWith(LANG_PREFIX)) return choosingIntent(catalog, state, 'language', input.value.slice(LANG_PREFIX.length));
    return { state, outputs: [sayKey('engine:pick.none'), ...welcome(catalog, state)] };
  }
  // A position with no help dialogue waiting for it: nothing to choose from.
  if (input.kind === 'location') return { state, outputs: welcome(catalog, state) };
  return choose(catalog, state, input.text, intent);
}

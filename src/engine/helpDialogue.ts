/**
 * The help-places sub-dialogue that follows a handoff: where is the person (postcode, commune,
 * coordinates, a commune among homonyms), the best places near them, and "continue alone" back to
 * the step where they stopped. It is part of the conversation like any flow step, so it lives in
 * the engine: the bot, `ariane chat` and the scenario files all play the same dialogue.
 *
 * The search itself is injected (`EngineEnv.findHelp`): synchronous and in memory, so the engine
 * stays pure. Without it, a handoff gives its handoff output and nothing more is asked.
 */
import type { Flow, Support } from '../flow';
import { sayKey } from './nodes/context';
import { WAITING_KINDS } from './nodes';
import { normalize } from './normalize';
import { resolveText } from './resolveText';
import type { Catalog, Choice, CommuneChoice, ConversationState, EngineEnv, HelpSearch, HelpState, Input, KnownPlace, Output, StepResult } from './types';

/** Button value of "continue alone": back to the step where the person stopped. */
export const CONTINUE_VALUE = 'ariane:continue';
/** Prefix of the buttons that pick one commune among homonyms (`ariane:where:<query>`). */
export const WHERE_PREFIX = 'ariane:where:';

/** Handoffs after which places are looked for: the person takes human help (not an offer of it). */
const TAKEN = new Set(['asked', 'stuck', 'node']);

const CONTINUE_CHOICE: Choice = { label: { key: 'engine:help.continue' }, value: CONTINUE_VALUE };

/** One turn of the rest of the conversation (procedure choice and flows), with the help state it starts from. */
export type CoreTurn = (state: ConversationState, input: Input) => StepResult;

/** A postcode (5 digits) or `lat,lon`: surely a location, never an answer to a flow's question. */
export function looksLikeLocation(text: string): boolean {
  const s = text.trim();
  return /^\d{2}\s?\d{3}$/.test(s) || /^-?\d{1,2}(?:\.\d+)?\s*[,;]\s*-?\d{1,3}(?:\.\d+)?$/.test(s);
}

/**
 * The stored help state, or undefined when it is not what this release writes: stored JSON is never
 * trusted (a malformed one is dropped, the dialogue asks again).
 */
export function readHelpState(raw: unknown): HelpState | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const h = raw as { where?: Partial<KnownPlace>; asking?: { support?: unknown; choices?: unknown } };
  const out: HelpState = {};
  const w = h.where;
  if (w && typeof w === 'object' && typeof w.label === 'string' && Number.isFinite(w.lat) && Number.isFinite(w.lon)) {
    out.where = { label: w.label, lat: w.lat as number, lon: w.lon as number };
  }
  if (h.asking && typeof h.asking === 'object') {
    const support = h.asking.support as Support | undefined;
    const choices = Array.isArray(h.asking.choices)
      ? (h.asking.choices as Array<Partial<CommuneChoice> | null>).filter(
          (c): c is CommuneChoice => !!c && typeof c.label === 'string' && typeof c.query === 'string' && typeof c.departement === 'string',
        )
      : [];
    out.asking = {
      ...(support && typeof support === 'object' && Array.isArray(support.services) ? { support } : {}),
      ...(choices.length ? { choices: choices.map((c) => ({ label: c.label, query: c.query, departement: c.departement })) } : {}),
    };
  }
  return out.where || out.asking ? out : undefined;
}

/**
 * A location the conversation already holds: the answer of an `input` node of type `postcode` or
 * `commune` in the current flow (the person told the flow where they live).
 */
export function locationFromAnswers(flow: Flow | undefined, state: ConversationState): string | undefined {
  if (!flow) return undefined;
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'input' || (node.type !== 'postcode' && node.type !== 'commune')) continue;
    const value = state.answers[node.name ?? id];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

/** The flow's organisation line as an output, in `lang` (nothing when the flow has none). */
function contactOutput(flow: Flow | undefined, lang: string): Output | undefined {
  const c = flow?.contact;
  if (!c) return undefined;
  return {
    kind: 'contact',
    label: resolveText(c.label, lang),
    ...(c.phone ? { phone: c.phone } : {}),
    ...(c.cost ? { cost: resolveText(c.cost, lang) } : {}),
    ...(c.hours ? { hours: resolveText(c.hours, lang) } : {}),
    ...(c.url ? { url: c.url } : {}),
  };
}

/** A typed answer to "which commune?": the département number or the label of one of the communes offered. */
function pickOffered(help: HelpState | undefined, text: string): string | undefined {
  const choices = help?.asking?.choices;
  if (!choices?.length) return undefined;
  const s = text.trim().toLowerCase();
  return choices.find((c) => c.departement.toLowerCase() === s || c.label.toLowerCase() === s)?.query;
}

function setHelp(state: ConversationState, help: HelpState | undefined): void {
  if (help && (help.where || help.asking)) state.help = help;
  else delete state.help;
}

/** Only where the person is: what survives leaving the "where are you?" question. */
const keepWhere = (help: HelpState | undefined): HelpState | undefined => (help?.where ? { where: help.where } : undefined);

/** What to show for a search, and the help state that follows. */
function showSearch(search: HelpSearch, help: HelpState | undefined): { outputs: Output[]; help: HelpState } {
  switch (search.kind) {
    case 'found': {
      const where = search.where;
      if (search.places.length === 0) {
        return { help: { where }, outputs: [sayKey('engine:help.none', { where: where.label }), { kind: 'choices', choices: [CONTINUE_CHOICE] }] };
      }
      return {
        help: { where },
        outputs: [
          sayKey('engine:help.places', { where: where.label }),
          { kind: 'places', places: search.places },
          sayKey('engine:help.orContinue'),
          { kind: 'choices', choices: [CONTINUE_CHOICE] },
        ],
      };
    }
    case 'ambiguous':
      return {
        help: { ...help, asking: { ...help?.asking, choices: search.choices } },
        outputs: [
          sayKey('engine:help.which'),
          { kind: 'choices', choices: [...search.choices.map((c) => ({ label: { text: c.label }, value: WHERE_PREFIX + c.query })), CONTINUE_CHOICE] },
        ],
      };
    case 'not-found':
      return { help: { ...help, asking: { ...help?.asking } }, outputs: [sayKey('engine:help.notFound'), { kind: 'choices', choices: [CONTINUE_CHOICE] }] };
  }
}

/** Did the rest of the conversation take the text as a step forward (an answer, another procedure, a language)? */
function advanced(before: ConversationState, after: ConversationState): boolean {
  if (after.lang !== before.lang || after.offer || after.candidates?.length) return true;
  // "I do not know that procedure" is no step forward: the text was more likely a place.
  if (!after.flowId) return false;
  return after.flowId !== before.flowId || after.nodeId !== before.nodeId || after.history.length !== before.history.length;
}

/** Is this text "continue alone" in one of the service's languages? */
function saysContinue(catalog: Catalog, text: string): boolean {
  const n = normalize(text);
  if (!n) return false;
  for (const lex of Object.values(catalog.lexicons)) if (lex.continueAlone.some((w) => normalize(w) === n)) return true;
  return false;
}

/** Everything a help turn needs. */
export interface HelpTurnContext {
  catalog: Catalog;
  env: EngineEnv;
  /** The rest of the conversation's turn. */
  core: CoreTurn;
  /** The turn's text names a global intent (back, restart, help, language): it is not a place. */
  isIntent: boolean;
}

/**
 * Plays one turn with the help dialogue around the rest of the conversation: a location or a
 * commune picked while the bot waits for one, "continue alone", or else the core turn, followed by
 * the places or the question "where are you?" when that turn hands off because the person asked,
 * is stuck or the flow says so. Offers of help (after repeated failures, or no procedure found) ask
 * nothing: the question would hide the offer's buttons; the location is asked once it is taken.
 */
export function helpTurn(ctx: HelpTurnContext, state: ConversationState, input: Input): StepResult {
  const { catalog, env } = ctx;
  const help = state.help;
  const find = env.findHelp;
  const search = (where: string | { lat: number; lon: number }, support = help?.asking?.support): StepResult => {
    if (!find) return { state, outputs: [sayKey('engine:help.unavailable')] };
    const shown = showSearch(find(where, { ...(support ? { support } : {}), lang: state.lang }), help);
    setHelp(state, shown.help);
    return { state, outputs: shown.outputs };
  };

  if (input.kind === 'location') return search({ lat: input.lat, lon: input.lon });
  if (input.kind === 'choice' && input.value === CONTINUE_VALUE) return continueAlone(ctx, state);
  if (input.kind === 'choice' && input.value.startsWith(WHERE_PREFIX)) return search(input.value.slice(WHERE_PREFIX.length));
  if (input.kind === 'text' && saysContinue(catalog, input.text)) return continueAlone(ctx, state);
  if (help?.asking && input.kind === 'text' && find) {
    const offered = pickOffered(help, input.text);
    if (offered) return search(offered);
    if (looksLikeLocation(input.text)) return search(input.text);
    // An answer to the flow's question, or a global intent, goes on; anything else is read as a
    // place. The core turn is pure, so trying it on a copy costs nothing when it is not kept.
    const tried = ctx.core(structuredClone(state), input);
    if (!ctx.isIntent && !advanced(state, tried.state)) return search(input.text);
    return afterCore(ctx, tried, keepWhere(help));
  }
  const result = ctx.core(state, input);
  // Any other answer leaves the "where are you?" question behind.
  return afterCore(ctx, result, help?.asking ? keepWhere(help) : help);
}

/** After the core turn: the places near what is known, else the question "where are you?", after a handoff taken. */
function afterCore(ctx: HelpTurnContext, result: StepResult, help: HelpState | undefined): StepResult {
  const state = result.state;
  setHelp(state, help);
  const handoff = result.outputs.find((o): o is Extract<Output, { kind: 'handoff' }> => o.kind === 'handoff' && (TAKEN.has(o.reason) || o.askWhere === true));
  const find = ctx.env.findHelp;
  if (!handoff) return result;
  const flow = state.flowId ? ctx.catalog.flows.get(state.flowId) : undefined;
  // The organisation's line, for a person far from any place (or before they say where they are).
  const contact = contactOutput(flow, state.lang);
  if (!find) {
    if (contact) result.outputs.push(contact);
    return result;
  }
  const need = { ...(handoff.support ? { support: handoff.support } : {}), lang: state.lang };
  const append = (search: HelpSearch) => {
    const shown = showSearch(search, state.help);
    setHelp(state, shown.help);
    result.outputs.push(...shown.outputs);
    if (contact) result.outputs.push(contact);
    return result;
  };
  if (help?.where) return append(find({ lat: help.where.lat, lon: help.where.lon }, need));
  const known = locationFromAnswers(flow, state);
  if (known) {
    const s = find(known, need);
    if (s.kind === 'found') return append(s);
  }
  setHelp(state, { ...state.help, asking: handoff.support ? { support: handoff.support } : {} });
  result.outputs.push(sayKey('engine:help.where'), { kind: 'choices', choices: [CONTINUE_CHOICE] });
  if (contact) result.outputs.push(contact);
  return result;
}

/**
 * "Continue alone": back to the step where the person stopped. "Back" after a handoff shows the
 * waiting question again; a repeated-failure handoff leaves the state active, so it is marked as
 * handed off first, which makes "back" show that same question rather than the one before. On a
 * handoff node "back" returns to the previous question; with no procedure, to the welcome.
 */
function continueAlone(ctx: HelpTurnContext, state: ConversationState): StepResult {
  const flow = state.flowId ? ctx.catalog.flows.get(state.flowId) : undefined;
  const node = flow && state.nodeId ? flow.nodes[state.nodeId] : undefined;
  const waiting = node !== undefined && WAITING_KINDS.has(node.kind);
  const where = keepWhere(state.help);
  const from: ConversationState = waiting && state.status !== 'handoff' ? { ...state, status: 'handoff' } : state;
  const result = ctx.core(from, { kind: 'intent', intent: 'back' });
  setHelp(result.state, where);
  result.outputs.unshift(sayKey('engine:help.continued'));
  return result;
}

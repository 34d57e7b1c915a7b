/**
 * The help-places sub-dialogue that follows a handoff: where is the person (postcode, commune,
 * coordinates, a commune among homonyms), what they need from a place when they say so (deafness,
 * visual impairment, difficulty reading, little French), whether they want someone to do the
 * procedure for them (asked only when the answer changes the places shown), the best places near
 * them, and "continue alone" back to the step where they stopped. It is part of the conversation
 * like any flow step, so it lives in the engine: the bot, `ariane chat` and the scenario files all
 * play the same dialogue.
 *
 * The search itself is injected (`EngineEnv.findHelp`): synchronous and in memory, so the engine
 * stays pure. Without it, a handoff gives its handoff output and nothing more is asked.
 */
import type { Flow, Support } from '../flow';
import { sayKey } from './nodes/context';
import { WAITING_KINDS } from './nodes';
import { detectIntent } from './lexicon';
import { normalize } from './normalize';
import { resolveText } from './resolveText';
import { readNeeds, saysNeeds, type NeedsReading } from './helpNeeds';
import { HELP_NEEDS, type Catalog, type Choice, type CommuneChoice, type ConversationState, type EngineEnv, type HelpNeed, type HelpPlace, type HelpRequest, type HelpSearch, type HelpState, type Input, type KnownPlace, type Output, type StepResult } from './types';

/** Button value of "continue alone": back to the step where the person stopped. */
export const CONTINUE_VALUE = 'ariane:continue';
/** Prefix of the buttons that pick one commune among homonyms (`ariane:where:<query>`). */
export const WHERE_PREFIX = 'ariane:where:';
/** Button values of "someone does it for me" and "someone helps me do it". */
export const FOR_ME_VALUE = 'ariane:help:for-me';
export const WITH_ME_VALUE = 'ariane:help:with-me';

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
  const h = raw as { where?: Partial<KnownPlace>; asking?: { support?: unknown; choices?: unknown }; needs?: unknown; forMe?: unknown; askingForMe?: { support?: unknown } };
  const out: HelpState = {};
  const w = h.where;
  if (w && typeof w === 'object' && typeof w.label === 'string' && Number.isFinite(w.lat) && Number.isFinite(w.lon)) {
    out.where = { label: w.label, lat: w.lat as number, lon: w.lon as number };
  }
  const supportOf = (raw: unknown): Support | undefined => {
    const support = raw as Support | undefined;
    return support && typeof support === 'object' && Array.isArray(support.services) ? support : undefined;
  };
  if (h.asking && typeof h.asking === 'object') {
    const support = supportOf(h.asking.support);
    const choices = Array.isArray(h.asking.choices)
      ? (h.asking.choices as Array<Partial<CommuneChoice> | null>).filter(
          (c): c is CommuneChoice => !!c && typeof c.label === 'string' && typeof c.query === 'string' && typeof c.departement === 'string',
        )
      : [];
    out.asking = {
      ...(support ? { support } : {}),
      ...(choices.length ? { choices: choices.map((c) => ({ label: c.label, query: c.query, departement: c.departement })) } : {}),
    };
  }
  if (Array.isArray(h.needs)) {
    const needs = HELP_NEEDS.filter((n) => (h.needs as unknown[]).includes(n));
    if (needs.length) out.needs = needs;
  }
  if (typeof h.forMe === 'boolean') out.forMe = h.forMe;
  // Waiting for "for me or with me?" only makes sense at a known place.
  if (out.where && h.askingForMe && typeof h.askingForMe === 'object') {
    const support = supportOf(h.askingForMe.support);
    out.askingForMe = support ? { support } : {};
  }
  return hasHelp(out) ? out : undefined;
}

/** Does the help state hold anything worth keeping? */
const hasHelp = (h: HelpState | undefined): h is HelpState => !!h && (!!h.where || !!h.asking || !!h.needs?.length || h.forMe !== undefined || !!h.askingForMe);

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

/**
 * The outputs with the organisation's line added: right after the places, else before the closing
 * buttons, so that the buttons stay on the last message (chat clients show only the last one's).
 */
function withContact(outputs: Output[], contact: Output | undefined): Output[] {
  if (!contact) return outputs;
  const places = outputs.findIndex((o) => o.kind === 'places');
  const at = places >= 0 ? places + 1 : outputs[outputs.length - 1]?.kind === 'choices' ? outputs.length - 1 : outputs.length;
  return [...outputs.slice(0, at), contact, ...outputs.slice(at)];
}

/** A typed answer to "which commune?": the département number or the label of one of the communes offered. */
function pickOffered(help: HelpState | undefined, text: string): string | undefined {
  const choices = help?.asking?.choices;
  if (!choices?.length) return undefined;
  const s = text.trim().toLowerCase();
  return choices.find((c) => c.departement.toLowerCase() === s || c.label.toLowerCase() === s)?.query;
}

function setHelp(state: ConversationState, help: HelpState | undefined): void {
  if (hasHelp(help)) state.help = help;
  else delete state.help;
}

/** Where the person is and what they said they need: what survives leaving a question of the help dialogue. */
const keepWhere = (help: HelpState | undefined): HelpState | undefined => {
  if (!help) return undefined;
  const kept: HelpState = {
    ...(help.where ? { where: help.where } : {}),
    ...(help.needs?.length ? { needs: help.needs } : {}),
    ...(help.forMe !== undefined ? { forMe: help.forMe } : {}),
  };
  return hasHelp(kept) ? kept : undefined;
};

/** The help state with what a text said of the person's needs added. */
function remember(help: HelpState | undefined, reading: NeedsReading | undefined): HelpState | undefined {
  if (!reading || !saysNeeds(reading)) return help;
  const needs = HELP_NEEDS.filter((n) => help?.needs?.includes(n) || reading.needs.includes(n));
  return { ...help, ...(needs.length ? { needs } : {}), ...(reading.forMe !== undefined ? { forMe: reading.forMe } : {}) };
}

/** What to search for: the procedure's help, and what the person said they need. */
function requestOf(help: HelpState | undefined, support: Support | undefined, lang: string): HelpRequest {
  return { ...(support ? { support } : {}), lang, ...(help?.needs?.length ? { needs: help.needs } : {}), ...(help?.forMe ? { forMe: true as const } : {}) };
}

const samePlaces = (a: readonly HelpPlace[], b: readonly HelpPlace[]) => a.length === b.length && a.every((p, i) => p.name === b[i]?.name && p.address === b[i]?.address);

/** The sentences saying that no place near meets some of the person's needs (said first), and which ones the places shown meet (said after). */
function needsNotes(request: HelpRequest, search: Extract<HelpSearch, { kind: 'found' }>): { unmet: Output[]; met: Output[] } {
  const notes = { unmet: [] as Output[], met: [] as Output[] };
  const where = search.where.label;
  for (const need of request.needs ?? []) {
    if (search.unmet?.needs?.includes(need)) notes.unmet.push(sayKey(`engine:help.unmet.${need}`, { where }));
    else notes.met.push(sayKey(`engine:help.met.${need}`));
  }
  if (request.forMe) {
    if (search.unmet?.forMe) notes.unmet.push(sayKey('engine:help.unmet.forMe', { where }));
    else notes.met.push(sayKey('engine:help.met.forMe'));
  }
  return notes;
}

/** What to show for a search, and the help state that follows. */
function showSearch(search: HelpSearch, help: HelpState | undefined, request: HelpRequest): { outputs: Output[]; help: HelpState } {
  switch (search.kind) {
    case 'found': {
      const where = search.where;
      const after: HelpState = { ...keepWhere(help), where };
      if (search.places.length === 0) {
        return { help: after, outputs: [sayKey('engine:help.none', { where: where.label }), { kind: 'choices', choices: [CONTINUE_CHOICE] }] };
      }
      const notes = needsNotes(request, search);
      return {
        help: after,
        outputs: [
          ...notes.unmet,
          sayKey('engine:help.places', { where: where.label }),
          ...notes.met,
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

/**
 * The places for `where`, or first the question "help you do it, or do it for you?" when the
 * person has not said and the answer would change the places shown (places near them can do the
 * procedure for them, and they are not already the ones shown). `settled` when the search is
 * answered (places, or none near), not when a question comes first or again (which commune, for
 * me or with me, where once more).
 */
function present(find: NonNullable<EngineEnv['findHelp']>, state: ConversationState, where: string | { lat: number; lon: number }, support: Support | undefined): { outputs: Output[]; settled: boolean } {
  const help = state.help;
  const request = requestOf(help, support, state.lang);
  const search = find(where, request);
  if (search.kind === 'found' && search.places.length > 0 && help?.forMe === undefined) {
    const forMe = find({ lat: search.where.lat, lon: search.where.lon }, { ...request, forMe: true });
    if (forMe.kind === 'found' && !forMe.unmet?.forMe && forMe.places.length > 0 && !samePlaces(search.places, forMe.places)) {
      setHelp(state, { ...keepWhere(help), where: search.where, askingForMe: support ? { support } : {} });
      return {
        settled: false,
        outputs: [
          sayKey('engine:help.forMe.ask', { where: search.where.label }),
          { kind: 'choices', choices: [{ label: { key: 'engine:help.forMe.with' }, value: WITH_ME_VALUE }, { label: { key: 'engine:help.forMe.for' }, value: FOR_ME_VALUE }, CONTINUE_CHOICE] },
        ],
      };
    }
  }
  const shown = showSearch(search, help, request);
  setHelp(state, shown.help);
  return { outputs: shown.outputs, settled: search.kind === 'found' };
}

/**
 * A place in what was typed besides the needs: a postcode or coordinates anywhere in it, else the
 * few words left ("Rennes, je suis sourd" → "rennes") when the search knows them as a place.
 */
function locationIn(find: NonNullable<EngineEnv['findHelp']>, text: string, reading: NeedsReading, lang: string): string | undefined {
  const code = /(?<![\d.,])(\d{2}\s?\d{3})(?![\d.,])/.exec(text)?.[1];
  if (code) return code;
  const point = /-?\d{1,2}(?:\.\d+)?\s*[,;]\s*-?\d{1,3}(?:\.\d+)?/.exec(text)?.[0];
  if (point && looksLikeLocation(point)) return point;
  const rest = reading.rest.trim();
  if (!rest || rest.split(' ').length > 3) return undefined;
  return find(rest, { lang }).kind === 'not-found' ? undefined : rest;
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
  const support = help?.askingForMe?.support ?? help?.asking?.support;
  const reading = input.kind === 'text' ? readNeeds(catalog, input.text) : undefined;
  // "avec moi", "help me do it" answer the question "for me or with me?", and nothing else.
  if (reading?.forMe === false && !help?.askingForMe) delete reading.forMe;
  const search = (where: string | { lat: number; lon: number }, s = support): StepResult => {
    if (!find) return { state, outputs: [sayKey('engine:help.unavailable')] };
    const shown = present(find, state, where, s);
    // The organisation's line beside the places, or when none is near: a human at a distance too.
    // Not with a retry of the question: the first turn of the handoff gave it already.
    return { state, outputs: shown.settled ? withContact(shown.outputs, contactOutput(state.flowId ? catalog.flows.get(state.flowId) : undefined, state.lang)) : shown.outputs };
  };
  /** The answer to "for me or with me?": the places at the known place, with or without that wish. */
  const answerForMe = (forMe: boolean): StepResult => {
    setHelp(state, { ...keepWhere(remember(help, reading)), forMe });
    return help?.where ? search({ lat: help.where.lat, lon: help.where.lon }) : search(input.kind === 'text' ? input.text : '');
  };

  if (input.kind === 'location') return search({ lat: input.lat, lon: input.lon });
  if (input.kind === 'choice' && input.value === CONTINUE_VALUE) return continueAlone(ctx, state);
  if (input.kind === 'choice' && input.value.startsWith(WHERE_PREFIX)) return search(input.value.slice(WHERE_PREFIX.length));
  if (input.kind === 'choice' && help?.askingForMe && (input.value === FOR_ME_VALUE || input.value === WITH_ME_VALUE)) return answerForMe(input.value === FOR_ME_VALUE);
  if (input.kind === 'text' && saysContinue(catalog, input.text)) return continueAlone(ctx, state);

  if (hasHelp(help) && input.kind === 'text' && find && reading) {
    const waiting = !!help.asking || !!help.askingForMe;
    // "je suis sourde", "qu'on le fasse à ma place": what the person needs from a place, unless the
    // flow takes the words as an answer. The core turn is pure: trying it on a copy costs nothing.
    if (saysNeeds(reading) && (waiting || state.status === 'handoff')) {
      // "je ne sais pas lire" holds "je ne sais pas": an intent only if the other words hold one too.
      const intent = ctx.isIntent && detectIntent(reading.rest, catalog.lexicons) !== undefined;
      // A copy of the input is not the turn's input: the core then reads it without the intent.
      const tried = ctx.core(structuredClone(state), intent ? input : { ...input });
      if (intent || advanced(state, tried.state)) return afterCore(ctx, tried, remember(keepWhere(help), reading), reading, locationIn(find, input.text, reading, state.lang));
      setHelp(state, { ...remember(help, reading), ...(help.askingForMe && reading.forMe === undefined ? {} : { askingForMe: undefined }) });
      if (help.askingForMe && reading.forMe !== undefined) return answerForMe(reading.forMe);
      const place = locationIn(find, input.text, reading, state.lang);
      if (place) return search(place);
      if (help.where) return search({ lat: help.where.lat, lon: help.where.lon });
      setHelp(state, { ...state.help, asking: { ...help.asking } });
      return { state, outputs: [...reading.needs.map((n) => sayKey(`engine:help.noted.${n}`)), ...(reading.forMe ? [sayKey('engine:help.noted.forMe')] : []), sayKey('engine:help.where'), { kind: 'choices', choices: [CONTINUE_CHOICE] }] };
    }
    if (help.askingForMe) {
      if (looksLikeLocation(input.text)) return search(input.text);
      const tried = ctx.core(structuredClone(state), input);
      if (ctx.isIntent || advanced(state, tried.state)) return afterCore(ctx, tried, keepWhere(help), reading);
      // Not an answer we can read: the places without that wish, and the question is not asked again.
      return answerForMe(false);
    }
    if (help.asking) {
      const offered = pickOffered(help, input.text);
      if (offered) return search(offered);
      if (looksLikeLocation(input.text)) return search(input.text);
      // An answer to the flow's question, or a global intent, goes on; anything else is read as a
      // place. The core turn is pure, so trying it on a copy costs nothing when it is not kept.
      const tried = ctx.core(structuredClone(state), input);
      if (!ctx.isIntent && !advanced(state, tried.state)) return search(input.text);
      return afterCore(ctx, tried, keepWhere(help), reading);
    }
  }
  const result = ctx.core(state, input);
  // Any other answer leaves the help dialogue's questions behind.
  return afterCore(ctx, result, help?.asking || help?.askingForMe ? keepWhere(help) : help, reading);
}

/**
 * After the core turn: the places near what is known (or first the question "for me or with me?"),
 * else the question "where are you?", after a handoff taken. What the person said of their needs in
 * that turn ("je suis sourde, je veux parler à quelqu'un") is kept for the search.
 */
function afterCore(ctx: HelpTurnContext, result: StepResult, help: HelpState | undefined, reading?: NeedsReading, place?: string): StepResult {
  const state = result.state;
  setHelp(state, help);
  const handoff = result.outputs.find((o): o is Extract<Output, { kind: 'handoff' }> => o.kind === 'handoff' && (TAKEN.has(o.reason) || o.askWhere === true));
  const find = ctx.env.findHelp;
  if (!handoff) return result;
  setHelp(state, remember(state.help, reading));
  const flow = state.flowId ? ctx.catalog.flows.get(state.flowId) : undefined;
  // The organisation's line, for a person far from any place (or before they say where they are).
  const contact = contactOutput(flow, state.lang);
  if (!find) {
    result.outputs = withContact(result.outputs, contact);
    return result;
  }
  // Given at once, even before the person says where they are.
  const append = (outputs: Output[]) => {
    result.outputs = withContact([...result.outputs, ...outputs], contact);
    return result;
  };
  const where = state.help?.where;
  if (where) return append(present(find, state, { lat: where.lat, lon: where.lon }, handoff.support).outputs);
  if (place) return append(present(find, state, place, handoff.support).outputs);
  const known = locationFromAnswers(flow, state);
  if (known && find(known, { lang: state.lang }).kind === 'found') return append(present(find, state, known, handoff.support).outputs);
  setHelp(state, { ...state.help, asking: handoff.support ? { support: handoff.support } : {} });
  const noted = [...(state.help?.needs ?? []).map((n: HelpNeed) => sayKey(`engine:help.noted.${n}`)), ...(state.help?.forMe ? [sayKey('engine:help.noted.forMe')] : [])];
  return append([...(reading && saysNeeds(reading) ? noted : []), sayKey('engine:help.where'), { kind: 'choices', choices: [CONTINUE_CHOICE] }]);
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

/**
 * Ariane's Bot Framework bot: turns activities into engine inputs, runs one engine turn against the
 * conversation's stored state, and renders the outputs as activities.
 *
 * How a turn is kept safe (several instances, retried POSTs): botbuilder's `BotState` saves with
 * eTag `'*'` (last writer wins), which would silently lose a turn when two instances serve the same
 * conversation at once. So the bot does not use `BotState`: it reads the engine state with its eTag at
 * the start of the turn, runs the (pure, side-effect free) engine, and writes the new state
 * conditionally on that eTag (create-only for a new conversation). If another turn wrote first, the
 * store rejects the write (`ConflictError`); the bot then reloads and recomputes the turn once, on the
 * fresh state. Replies are sent only after the state is committed, so a retried turn never shows
 * replies twice, and a turn whose replies were seen is always in the state.
 *
 * After a handoff the bot asks where the person is and shows help places (`searchHelp.ts`). That
 * small sub-dialogue is not a botbuilder dialog: its state is plain JSON stored with the engine
 * state under the same key, in the same conditional write, so it gets the same guarantees.
 */
import { ActivityHandler, ActivityTypes, type Activity, type Storage, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { HELP_VALUE, detectIntent, normalize, type Catalog, type ConversationState, type Input, type Intent, type Lang, type Output, type StepResult } from '../engine';
import type { PlaceDirectory } from '../places';
import { maskPersonalData } from '../privacy';
import { IF_ABSENT } from '../store';
import { isConflict } from './KeyValueStorage';
import { botText, choiceAction, renderOutputs, type Translate } from './renderOutputs';
import { CONTINUE_VALUE, WHERE_PREFIX, askWhere, coordinatesOf, locationFromAnswers, looksLikeLocation, pickOffered, searchHelp, type HelpState } from './searchHelp';

/** The engine functions the bot needs (injected so tests and the CLI can share one engine). */
export interface BotEngine {
  converse(catalog: Catalog, state: ConversationState, input: Input): StepResult;
  initialState(lang: Lang): ConversationState;
  /** Turns a stored state (possibly from an older release) into a current one. */
  migrateState?(raw: unknown, fallbackLang: Lang): ConversationState;
}

export interface ArianeBotOptions {
  engine: BotEngine;
  /** The current catalog (a function so that flows can be reloaded without rebuilding the bot). */
  catalog: () => Catalog;
  storage: Storage;
  translate: Translate;
  logger: Logger;
  /** Languages the service speaks (locales present); others fall back to `fr`. */
  languages: readonly Lang[];
  /** Longest text accepted from a person, in characters. */
  maxTextLength?: number;
  /**
   * Called after each engine turn whose state was saved (so a recomputed turn counts once), with
   * the state before and the result, e.g. for anonymous per-node statistics. Errors are logged only.
   */
  afterTurn?: (before: ConversationState, result: StepResult) => Promise<void>;
  /** Told of every turn run and every error (metrics); must not throw. */
  observer?: TurnObserver;
  /**
   * Called once per handoff output, after the state is saved: creates the summary a mediator will
   * read and returns its code, shown to the person, and the summary, sent as the context of the
   * `handoff.initiate` event. A failure here is logged; the person still gets the handoff message
   * (without a code) rather than an error.
   */
  createHandoff?: (args: { state: ConversationState; output: HandoffOutput; catalog: Catalog; conversationId: string }) => Promise<{ code: string; summary?: unknown }>;
  /**
   * The help places (e.g. `DirectoryCache.get` of the places module). Without it, a handoff gives
   * the code and the event but no places and no "where are you?" question.
   */
  places?: () => Promise<PlaceDirectory>;
  /** The clock for opening hours (tests pass a fixed instant). */
  now?: () => Date;
}

/** What the bot reports for metrics: counts and durations, no text. */
export interface TurnObserver {
  turn(channelId: string, seconds: number, outputs: readonly Output[]): void;
  error(kind: 'turn'): void;
}

/** The engine's handoff output. */
export type HandoffOutput = Extract<Output, { kind: 'handoff' }>;

/**
 * Stored under the conversation's key: the engine state and the bot's help sub-dialogue state
 * (where the person is, whether the bot waits for a place), written together; no transcript.
 */
interface StoredState {
  state: unknown;
  help?: HelpState;
  /**
   * The turn that produced this state: the person's activity (id and what it said) and the state
   * before it. The state is saved before the replies are stored; a crash in between leaves the
   * message stored, the state advanced and no reply, and the channel runs the message again. The
   * bot then recognises the turn and recomputes its replies from `state` here (the engine is pure)
   * instead of applying the same answer a second time.
   */
  last?: LastTurn;
  eTag?: string;
}

interface LastTurn {
  activityId: string;
  input?: Input;
  state: unknown;
  help?: HelpState;
}

const INTENTS: readonly Intent[] = ['back', 'restart', 'help', 'language'];

/** Picks the service language for a BCP 47 locale (`fr-FR` → `fr`, `en-US` → `en`), `fr` by default. */
export function languageFromLocale(locale: unknown, languages: readonly Lang[]): Lang {
  if (typeof locale !== 'string' || locale === '') return 'fr';
  const lower = locale.toLowerCase();
  if (languages.includes(lower)) return lower;
  const base = lower.split(/[-_]/)[0] ?? '';
  return languages.includes(base) ? base : 'fr';
}

/**
 * Reads what the person did: a button's stable value (`value.choice`, or `value.intent`,
 * `value.flow`), else the typed text. Returns undefined for a message with nothing to read.
 */
export function inputFromActivity(activity: Partial<Activity>): Input | undefined {
  const value = activity.value as Record<string, unknown> | undefined;
  if (value && typeof value === 'object') {
    if (typeof value.choice === 'string' && value.choice !== '') return { kind: 'choice', value: value.choice };
    if (typeof value.intent === 'string' && (INTENTS as readonly string[]).includes(value.intent)) {
      return { kind: 'intent', intent: value.intent as Intent, lang: typeof value.lang === 'string' ? value.lang : undefined };
    }
    if (typeof value.flow === 'string' && value.flow !== '') return { kind: 'flow', flowId: value.flow };
  }
  const text = typeof activity.text === 'string' ? activity.text.trim() : '';
  return text === '' ? undefined : { kind: 'text', text };
}

/** See the file comment. */
export class ArianeBot extends ActivityHandler {
  private readonly maxTextLength: number;

  constructor(private readonly options: ArianeBotOptions) {
    super();
    this.maxTextLength = options.maxTextLength ?? 2000;

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const someoneElse = (context.activity.membersAdded ?? []).some((m) => m.id !== botId);
      if (someoneElse) await this.runTurn(context, { kind: 'start' });
      await next();
    });

    this.onMessage(async (context, next) => {
      const text = context.activity.text;
      if (typeof text === 'string' && text.length > this.maxTextLength) {
        await this.say(context, 'tooLong');
      } else {
        const input = inputFromActivity(context.activity);
        // The widget's or a channel's location (with the person's consent) is a place to search around.
        const coords = coordinatesOf(context.activity);
        if (input || coords) await this.runTurn(context, input, coords);
        else await this.say(context, 'textOnly');
      }
      await next();
    });
  }

  /** Runs the turn; an error never leaves the person in silence (apology + offer of human help). */
  override async run(context: TurnContext): Promise<void> {
    try {
      await super.run(context);
    } catch (err) {
      this.options.observer?.error('turn');
      await this.onError(context, err);
    }
  }

  /** Logs the error with the conversation id and sends the apology; never throws. */
  async onError(context: TurnContext, err: unknown): Promise<void> {
    this.options.logger.error(
      { err, conversationId: context.activity.conversation?.id, channelId: context.activity.channelId },
      'turn failed',
    );
    try {
      const lang = languageFromLocale(context.activity.locale, this.options.languages);
      const t = this.options.translate;
      await context.sendActivity({
        type: ActivityTypes.Message,
        text: t(botText('error'), lang),
        locale: lang,
        suggestedActions: { to: [], actions: [choiceAction(t(botText('humanHelp'), lang), HELP_VALUE)] },
      });
    } catch (sendErr) {
      this.options.logger.error({ err: sendErr, conversationId: context.activity.conversation?.id }, 'could not send the apology');
    }
  }

  private storageKey(context: TurnContext): string {
    const a = context.activity;
    const conversationId = a.conversation?.id;
    if (!conversationId) throw new Error('Activity without conversation id');
    return `state/${a.channelId ?? 'unknown'}/${conversationId}`;
  }

  private async say(context: TurnContext, key: string): Promise<void> {
    const { state } = await this.load(context);
    await context.sendActivity({ type: ActivityTypes.Message, text: this.options.translate(botText(key), state.lang), locale: state.lang });
  }

  private async load(context: TurnContext): Promise<{ state: ConversationState; help: HelpState; eTag?: string; key: string; last?: LastTurn }> {
    const key = this.storageKey(context);
    const items = await this.options.storage.read([key]);
    const stored = items[key] as StoredState | undefined;
    const fallback = languageFromLocale(context.activity.locale, this.options.languages);
    if (!stored || stored.state === undefined) return { state: this.options.engine.initialState(fallback), help: {}, key };
    const last = stored.last && typeof stored.last.activityId === 'string' && stored.last.state !== undefined ? stored.last : undefined;
    return { state: this.readState(stored.state, fallback), help: readHelp(stored.help), eTag: stored.eTag, key, last };
  }

  private readState(raw: unknown, fallback: Lang): ConversationState {
    const { engine } = this.options;
    return engine.migrateState ? engine.migrateState(raw, fallback) : (raw as ConversationState);
  }

  /** The places directory, or undefined when none is configured or it cannot be loaded (logged). */
  private async directory(context: TurnContext): Promise<PlaceDirectory | undefined> {
    if (!this.options.places) return undefined;
    try {
      return await this.options.places();
    } catch (err) {
      this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'could not load the help places');
      return undefined;
    }
  }

  /**
   * Decides the turn from the stored state: the help sub-dialogue (a location, a commune among
   * homonyms, "continue alone") or an engine turn, plus the places or the "where are you?" question
   * after a handoff. Pure but for reading the places directory; nothing is sent or stored here.
   */
  private async plan(context: TurnContext, catalog: Catalog, state: ConversationState, help: HelpState, input: Input | undefined, coords: { lat: number; lon: number } | undefined): Promise<TurnPlan> {
    const lang = state.lang;
    const t = this.options.translate;
    const search = async (where: string | { lat: number; lon: number }, support = help.asking?.support): Promise<TurnPlan> => {
      const directory = await this.directory(context);
      if (!directory) throw new Error('help places unavailable');
      const s = searchHelp(directory, where, help, { support, lang, at: this.now(), translate: t });
      return { state, help: s.help, lead: [], tail: s.activities };
    };
    if (coords) return search(coords);
    if (!input) return { state, help, lead: [], tail: [] };
    if (input.kind === 'choice' && input.value === CONTINUE_VALUE) return this.continueAlone(catalog, state, help);
    if (input.kind === 'choice' && input.value.startsWith(WHERE_PREFIX)) return search(input.value.slice(WHERE_PREFIX.length));
    if (input.kind === 'text' && sameWords(input.text, t(botText('help.continue'), lang))) return this.continueAlone(catalog, state, help);
    if (help.asking && input.kind === 'text') {
      const offered = pickOffered(help, input.text);
      if (offered) return search(offered);
      if (looksLikeLocation(input.text)) return search(input.text);
      // An answer to the flow's question, or a global intent, goes to the engine; anything else is
      // read as a place. The engine is pure, so trying it costs nothing when it is not kept.
      const tried = this.options.engine.converse(catalog, structuredClone(state), input);
      if (!detectIntent(input.text, catalog.lexicons) && !advanced(state, tried.state)) return search(input.text);
      return this.afterEngine(context, catalog, tried, { ...(help.where ? { where: help.where } : {}) });
    }
    const result = this.options.engine.converse(catalog, state, input);
    // Any other answer leaves the "where are you?" question behind.
    return this.afterEngine(context, catalog, result, help.asking ? { ...(help.where ? { where: help.where } : {}) } : help);
  }

  /**
   * After an engine turn that hands off because the person asked, is stuck or the flow says so:
   * the places near what is already known, else the question "where are you?". Repeated-failure
   * and no-match handoffs are offers (the engine shows a "talk to a person" button next to the
   * question's own buttons): asking for a place then would hide those buttons and read the next
   * answer as a place, so the location is asked once the person takes the offer.
   */
  private async afterEngine(context: TurnContext, catalog: Catalog, result: StepResult, help: HelpState): Promise<TurnPlan> {
    const handoff = result.outputs.find((o): o is HandoffOutput => o.kind === 'handoff' && (o.reason === 'asked' || o.reason === 'stuck' || o.reason === 'node'));
    const plan: TurnPlan = { state: result.state, help, result, lead: [], tail: [] };
    if (!handoff) return plan;
    const directory = await this.directory(context);
    if (!directory) return plan;
    const lang = result.state.lang;
    const o = { support: handoff.support, lang, at: this.now(), translate: this.options.translate };
    if (help.where) {
      const s = searchHelp(directory, { lat: help.where.lat, lon: help.where.lon }, help, o);
      return { ...plan, help: s.help, tail: s.activities };
    }
    const known = locationFromAnswers(catalog, result.state);
    if (known) {
      const s = searchHelp(directory, known, help, o);
      if (s.help.where) return { ...plan, help: s.help, tail: s.activities };
    }
    const ask = askWhere(handoff.support, help, lang, this.options.translate);
    return { ...plan, help: ask.help, tail: ask.activities };
  }

  /**
   * "Continue alone": back to the step where the person stopped. The engine's own "back" after a
   * handoff shows the waiting question again; a repeated-failure handoff leaves the state active,
   * so it is marked as handed off first, which makes "back" re-show that same question rather than
   * the one before. On a handoff node "back" returns to the previous question; with no procedure,
   * to the welcome.
   */
  private continueAlone(catalog: Catalog, state: ConversationState, help: HelpState): TurnPlan {
    const flow = state.flowId ? catalog.flows.get(state.flowId) : undefined;
    const node = flow && state.nodeId ? flow.nodes[state.nodeId] : undefined;
    const waiting = node !== undefined && WAITING.has(node.kind);
    const from: ConversationState = waiting && state.status !== 'handoff' ? { ...state, status: 'handoff' } : state;
    const result = this.options.engine.converse(catalog, from, { kind: 'intent', intent: 'back' });
    const lead = [{ type: ActivityTypes.Message, text: this.options.translate(botText('help.continued'), state.lang), locale: state.lang }];
    return { state: result.state, help: help.where ? { where: help.where } : {}, result, lead, tail: [] };
  }

  /** One turn with the conditional save described in the file comment; then the replies. */
  private async runTurn(context: TurnContext, input: Input | undefined, coords?: { lat: number; lon: number }): Promise<void> {
    const started = performance.now();
    if (input?.kind === 'text') input = { kind: 'text', text: maskPersonalData(input.text).text };
    let plan: TurnPlan;
    let catalog: Catalog;
    let before: ConversationState;
    const activityId = typeof context.activity.id === 'string' && context.activity.id !== '' ? context.activity.id : undefined;
    let replayed = false;
    for (let attempt = 0; ; attempt++) {
      const loaded = await this.load(context);
      const { eTag, key, last } = loaded;
      let { state, help } = loaded;
      // The same activity saying the same thing, already applied (see `StoredState.last`): replay
      // the turn from the state before it, and keep the saved state as it is.
      replayed = activityId !== undefined && last?.activityId === activityId && sameInput(last.input, input);
      if (replayed && last) {
        state = this.readState(last.state, state.lang);
        help = readHelp(last.help);
      }
      before = structuredClone(state);
      const helpBefore = help;
      catalog = this.options.catalog();
      plan = await this.plan(context, catalog, state, help, input, coords);
      if (replayed) break;
      const stored: StoredState = {
        state: plan.state,
        ...(isEmptyHelp(plan.help) ? {} : { help: plan.help }),
        ...(activityId !== undefined ? { last: { activityId, ...(input ? { input } : {}), state: before, ...(isEmptyHelp(helpBefore) ? {} : { help: helpBefore }) } } : {}),
        eTag: eTag ?? IF_ABSENT,
      };
      try {
        await this.options.storage.write({ [key]: stored });
        break;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        this.options.logger.warn({ conversationId: context.activity.conversation?.id }, 'state write conflict: turn recomputed');
      }
    }
    const result = plan.result;
    // Statistics are off the reply's critical path: started now, awaited after the replies are sent.
    const after = result && !replayed
      ? this.options.afterTurn?.(before, result).catch((err: unknown) =>
          this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'after-turn hook failed'),
        )
      : undefined;
    let outputs: Array<Output & { code?: string; summary?: unknown }> = result?.outputs ?? [];
    const create = this.options.createHandoff;
    if (result && create && outputs.some((o) => o.kind === 'handoff')) {
      const state = result.state;
      const conversationId = context.activity.conversation?.id ?? '';
      outputs = await Promise.all(
        outputs.map(async (o) => {
          if (o.kind !== 'handoff') return o;
          try {
            const { code, summary } = await create({ state, output: o, catalog, conversationId });
            return { ...o, code, ...(summary !== undefined ? { summary } : {}) };
          } catch (err) {
            this.options.logger.error({ err, conversationId }, 'could not create the handoff summary');
            return o;
          }
        }),
      );
    }
    const activities = [...plan.lead, ...(result ? renderOutputs(outputs, plan.state.lang, this.options.translate) : []), ...plan.tail];
    if (activities.length > 0) await context.sendActivities(activities);
    await after;
    this.options.observer?.turn(context.activity.channelId ?? 'unknown', (performance.now() - started) / 1000, result?.outputs ?? []);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** What a turn will store and show. */
interface TurnPlan {
  state: ConversationState;
  help: HelpState;
  /** The engine turn, when one ran. */
  result?: StepResult;
  /** Bot messages before the engine's, and after them (places, "where are you?"). */
  lead: Array<Partial<Activity>>;
  tail: Array<Partial<Activity>>;
}

/** Node kinds that wait for an answer (the engine's), i.e. a question to come back to. */
const WAITING: ReadonlySet<string> = new Set(['question', 'input', 'step', 'checklist']);

/** Did the engine take the text as a step forward (an answer, another procedure)? */
function advanced(before: ConversationState, after: ConversationState): boolean {
  return after.flowId !== before.flowId || after.nodeId !== before.nodeId || after.history.length !== before.history.length || after.lang !== before.lang;
}

/** Same input as the one recorded (a replayed activity must say what it said the first time). */
function sameInput(recorded: Input | undefined, input: Input | undefined): boolean {
  return JSON.stringify(recorded ?? null) === JSON.stringify(input ?? null);
}

function isEmptyHelp(help: HelpState): boolean {
  return !help.where && !help.asking;
}

/** Same words, ignoring case, accents and punctuation ("continuer seul" = "Continuer seul."). */
function sameWords(a: string, b: string): boolean {
  return normalize(a) === normalize(b);
}

/** The stored help state, or none when it is not what this release writes (never trust stored JSON). */
function readHelp(raw: unknown): HelpState {
  if (!raw || typeof raw !== 'object') return {};
  const h = raw as HelpState;
  const out: HelpState = {};
  const w = h.where;
  if (w && typeof w.label === 'string' && Number.isFinite(w.lat) && Number.isFinite(w.lon)) out.where = { label: w.label, lat: w.lat, lon: w.lon };
  if (h.asking && typeof h.asking === 'object') {
    const choices = Array.isArray(h.asking.choices)
      ? h.asking.choices.filter((c) => c && typeof c.label === 'string' && typeof c.query === 'string' && typeof c.departement === 'string')
      : undefined;
    out.asking = {
      ...(h.asking.support && typeof h.asking.support === 'object' && Array.isArray(h.asking.support.services) ? { support: h.asking.support } : {}),
      ...(choices?.length ? { choices } : {}),
    };
  }
  return out;
}

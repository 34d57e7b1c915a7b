/**
 * Ariane's Bot Framework bot, a plain interpreter of the engine: load the state → one engine turn →
 * save it conditionally → carry out the outputs (handoff summaries) → render them as activities.
 * Every decision of the conversation, the help-places dialogue included, is the engine's.
 *
 * How a turn is kept safe (several instances, retried POSTs): botbuilder's `BotState` saves with
 * eTag `'*'` (last writer wins), which would silently lose a turn when two instances serve one
 * conversation at once. So the bot reads the engine state with its eTag, runs the pure engine, and
 * writes the new state conditionally on that eTag (create-only for a new conversation), together
 * with the turn's handoff summaries. If another turn wrote first, the store rejects the write
 * (`ConflictError`) and the bot recomputes the turn once, on the fresh state. The replies leave only
 * with or after that write: on our Direct Line channel in the same transaction as the person's
 * message and the replies (see `TURN_COMMIT`); elsewhere the write comes first, then the replies.
 */
import { ActivityHandler, ActivityTypes, type Activity, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { HELP_VALUE, LANG_PREFIX, initialState, migrateState, type Catalog, type ConversationState, type EngineEnv, type Input, type Lang, type Output, type StepResult } from '../engine';
import { ConflictError, IF_ABSENT, type KeyValueStore, type WriteItem } from '../store';
import { languageFromLocale, languageOfLocale, readActivity } from './readActivity';
import { botText, choiceAction, renderOutputs, type Translate } from './renderOutputs';
import { DeliveryError, STATE_KEY, TURN_COMMIT, type StateKey, type TurnCommit } from './turnCommit';

/** The engine function the bot runs (injected so that tests can make the engine fail). */
export interface BotEngine {
  converse(catalog: Catalog, state: ConversationState, input: Input, env?: EngineEnv): StepResult;
}

/** A handoff summary drafted for one handoff output, stored by the bot with the turn. */
export interface HandoffDraft {
  /** The code shown to the person. */
  code: string;
  /** The summary, also sent as the context of the `handoff.initiate` event. */
  summary: unknown;
  /** The store write that keeps it (create-only: a code is never reused). */
  write: WriteItem;
}

export interface ArianeBotOptions {
  engine: BotEngine;
  /**
   * The current catalog (a function so that flows can be reloaded without rebuilding the bot); a
   * promise while it is not ready to read requests (its classifier still learning).
   */
  catalog: () => Catalog | Promise<Catalog>;
  /** Where conversation states live (under the key the turn's entry point names, see `StateKey`). */
  kv: KeyValueStore;
  /** Lifetime of a conversation state in ms (the retention period); absent = forever. */
  stateTtlMs?: number;
  translate: Translate;
  logger: Logger;
  /** Languages the service speaks (locales present); others fall back to `fr`. */
  languages: readonly Lang[];
  /**
   * What the engine needs from outside for this turn (e.g. `findHelp` over the loaded help places,
   * with the clock of this turn). A failure is logged and the turn runs without it.
   */
  engineEnv?: () => Promise<EngineEnv>;
  /**
   * Called after each turn whose state was saved (so a recomputed turn counts once), with the state
   * before and the result, e.g. for anonymous per-node statistics. Errors are logged only.
   */
  afterTurn?: (before: ConversationState, result: StepResult) => Promise<void>;
  /** Told of every turn run and every error (metrics); must not throw. */
  observer?: TurnObserver;
  /**
   * Drafts the summary a mediator will read for a handoff output. Without it, or when it throws
   * (logged), the person still gets the handoff message, without a code.
   */
  summarize?: (args: { state: ConversationState; output: HandoffOutput; catalog: Catalog; conversationId: string }) => HandoffDraft;
  /** The clock for state expiry (epoch ms). */
  now?: () => number;
}

/** What the bot reports for metrics: counts and durations, no text. */
export interface TurnObserver {
  turn(channelId: string, seconds: number, outputs: readonly Output[]): void;
  error(kind: 'turn'): void;
}

/** The engine's handoff output. */
export type HandoffOutput = Extract<Output, { kind: 'handoff' }>;

/**
 * Stored under the conversation's key: the engine state, and the turn that produced it. `last`
 * matters where the replies leave after the state is saved (`/api/messages`): a crash in between,
 * and the channel sends the activity again; the bot then recognises the turn and recomputes its
 * replies from the state before it (the engine is pure) instead of applying the answer twice.
 */
interface StoredState {
  state: unknown;
  /** The language of the last activity locale seen (see `play`). */
  locale?: Lang;
  last?: { activityId: string; input?: Input; state: unknown; locale?: Lang };
}

/** See the file comment. */
export class ArianeBot extends ActivityHandler {
  constructor(private readonly options: ArianeBotOptions) {
    super();

    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const someoneElse = (context.activity.membersAdded ?? []).some((m) => m?.id !== botId);
      if (someoneElse) await this.runTurn(context, { kind: 'start' });
      await next();
    });

    this.onMessage(async (context, next) => {
      const input = readActivity(context);
      if (input) await this.runTurn(context, input);
      else await this.sayOnly(context, 'textOnly');
      await next();
    });
  }

  /** Runs the turn; an error never leaves the person in silence (apology + offer of human help). */
  override async run(context: TurnContext): Promise<void> {
    try {
      await super.run(context);
    } catch (err) {
      // Replies the channel would not take: no apology could get through either (see DeliveryError).
      if (err instanceof DeliveryError) throw err;
      this.options.observer?.error('turn');
      await this.onError(context, err);
    }
  }

  /** Logs the error with the conversation id and sends the apology; never throws. */
  async onError(context: TurnContext, err: unknown): Promise<void> {
    this.options.logger.error({ err, conversationId: context.activity.conversation?.id, channelId: context.activity.channelId }, 'turn failed');
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

  /**
   * The turn's state key, as the entry point that authenticated it names it (`STATE_KEY`). A turn
   * from an entry point that names none (a test adapter) is kept under `state/other/…`, apart from
   * every authenticated one.
   */
  private stateKey(context: TurnContext): StateKey {
    const named = context.turnState.get(STATE_KEY) as StateKey | undefined;
    if (named) return named;
    const a = context.activity;
    const conversationId = a.conversation?.id;
    if (!conversationId) throw new Error('Activity without conversation id');
    return { key: `state/other/${encodeURIComponent(a.channelId ?? '')}/${conversationId}` };
  }

  /**
   * The stored state of the turn's conversation with its etag; `legacy` when it was found where an
   * older release kept it (the turn then creates it under `key` and deletes the old item).
   */
  private async readState(where: StateKey): Promise<{ item?: { value?: StoredState; etag: string }; legacy?: string }> {
    const keys = where.legacy ? [where.key, where.legacy] : [where.key];
    const found = await this.options.kv.get<StoredState>(keys);
    const item = found[where.key];
    if (item || !where.legacy) return { ...(item ? { item } : {}) };
    const old = found[where.legacy];
    return old ? { item: { value: old.value, etag: IF_ABSENT }, legacy: where.legacy } : {};
  }

  /** A bot sentence with no engine turn (nothing to read in the message). */
  private async sayOnly(context: TurnContext, key: string): Promise<void> {
    const stored = (await this.readState(this.stateKey(context))).item;
    const fallback = languageFromLocale(context.activity.locale, this.options.languages);
    const lang = migrateState(stored?.value?.state, fallback).lang;
    await this.commit(context, [], [{ type: ActivityTypes.Message, text: this.options.translate(botText(key), lang), locale: lang }]);
  }

  private async engineEnv(context: TurnContext): Promise<EngineEnv> {
    if (!this.options.engineEnv) return {};
    try {
      return await this.options.engineEnv();
    } catch (err) {
      this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'could not prepare the engine environment (help places)');
      return {};
    }
  }

  /** Drafts the handoff summaries of a turn; a failing draft leaves its output without a code (logged). */
  private summaries(context: TurnContext, catalog: Catalog, result: StepResult): { outputs: Array<Output & { code?: string; summary?: unknown }>; writes: WriteItem[] } {
    const summarize = this.options.summarize;
    const writes: WriteItem[] = [];
    if (!summarize || !result.outputs.some((o) => o.kind === 'handoff')) return { outputs: result.outputs, writes };
    const conversationId = context.activity.conversation?.id ?? '';
    const outputs = result.outputs.map((o) => {
      if (o.kind !== 'handoff') return o;
      try {
        const draft = summarize({ state: result.state, output: o, catalog, conversationId });
        writes.push(draft.write);
        return { ...o, code: draft.code, summary: draft.summary };
      } catch (err) {
        this.options.logger.error({ err, conversationId }, 'could not draft the handoff summary');
        return o;
      }
    });
    return { outputs, writes };
  }

  /** The turn's writes and replies: atomically where the channel offers it, else writes first. */
  private async commit(context: TurnContext, writes: WriteItem[], activities: Array<Partial<Activity>>): Promise<void> {
    const atomic = context.turnState.get(TURN_COMMIT) as TurnCommit | undefined;
    if (atomic) {
      await atomic(writes, activities);
      return;
    }
    if (writes.length) await this.options.kv.set(writes);
    if (activities.length) await context.sendActivities(activities);
  }

  /**
   * The engine's turn for `input`, with two things around it:
   *
   * - The locale. A client's locale is its interface language (Web Chat's `locale`, the widget's
   *   language switch): when an activity's locale names another language than the last one seen,
   *   and the conversation is not in it already, the engine gets a `language` intent first, then
   *   the input, and the person sees the engine's notice of the change, then its answer. Only a
   *   change counts: a person who types « français » in an English Web Chat stays in French, and
   *   the engine still follows a language typed while the locale stays the same.
   * - A stored state the engine cannot play (a state written by a faulty release, a damaged row):
   *   logged, and the person starts over, told so, with their message read afresh, instead of
   *   meeting the same error on every message. The transcript is kept.
   */
  private play(context: TurnContext, catalog: Catalog, before: ConversationState, input: Input, env: EngineEnv, seen: Lang | undefined, localeLang: Lang | undefined, hadState: boolean): StepResult {
    const engine = this.options.engine;
    const turn = (state: ConversationState): StepResult => {
      if (localeLang === undefined || localeLang === seen || localeLang === state.lang || choosesLanguage(input)) return engine.converse(catalog, state, input, env);
      const switched = engine.converse(catalog, state, { kind: 'intent', intent: 'language', lang: localeLang }, env);
      const result = engine.converse(catalog, switched.state, input, env);
      // Of the switch, only the change and the engine's word about it: the answer says what comes next.
      const at = switched.outputs.findIndex((o) => o.kind === 'language');
      const said = switched.outputs.findIndex((o, i) => i > at && o.kind === 'say');
      const notice = at < 0 ? [] : switched.outputs.slice(at, said < 0 ? at + 1 : said + 1);
      return { state: result.state, outputs: [...notice, ...result.outputs] };
    };
    if (!hadState) return turn(before);
    try {
      return turn(before);
    } catch (err) {
      // The input may be what fails (a bug of ours, met again on every retry): the same input on a
      // fresh state tells. Only when the fresh state plays it is the stored state dropped.
      let fresh: StepResult;
      try {
        fresh = turn(initialState(before.lang));
      } catch {
        throw err;
      }
      this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'the stored conversation state could not be played: starting over');
      return { state: fresh.state, outputs: [{ kind: 'say', message: botText('startOver') }, ...fresh.outputs] };
    }
  }

  /** One turn with the conditional save described in the file comment, then the replies. */
  private async runTurn(context: TurnContext, input: Input): Promise<void> {
    const started = performance.now();
    const where = this.stateKey(context);
    const key = where.key;
    const activityId = typeof context.activity.id === 'string' && context.activity.id !== '' ? context.activity.id : undefined;
    const fallback = languageFromLocale(context.activity.locale, this.options.languages);
    const env = await this.engineEnv(context);
    for (let attempt = 0; ; attempt++) {
      const { item, legacy } = await this.readState(where);
      const stored = readStored(item?.value);
      // The same activity saying the same thing, already applied (see `StoredState.last`): replay
      // the turn from the state before it, and keep the saved state as it is.
      const replayed = activityId !== undefined && stored.last?.activityId === activityId && sameInput(stored.last.input, input);
      // The one migration of what the store returned (anything unreadable becomes a fresh state).
      const before = migrateState(replayed ? stored.last?.state : stored.state, fallback);
      const seen = replayed ? stored.last?.locale : stored.locale;
      const catalog = await this.options.catalog();
      const localeLang = languageOfLocale(context.activity.locale, this.options.languages);
      const result = this.play(context, catalog, before, input, env, seen, localeLang, item !== undefined);
      const { outputs, writes } = this.summaries(context, catalog, result);
      if (!replayed) {
        const locale = localeLang ?? seen;
        const value: StoredState = {
          state: result.state,
          ...(locale !== undefined ? { locale } : {}),
          ...(activityId !== undefined ? { last: { activityId, input, state: before, ...(seen !== undefined ? { locale: seen } : {}) } } : {}),
        };
        const now = (this.options.now ?? Date.now)();
        writes.unshift({ key, value, etag: item?.etag ?? IF_ABSENT, ...(this.options.stateTtlMs !== undefined ? { expiresAt: now + this.options.stateTtlMs } : {}) });
      }
      const activities = renderOutputs(outputs, result.state.lang, this.options.translate);
      try {
        await this.commit(context, writes, activities);
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 1) throw err;
        this.options.logger.warn({ conversationId: context.activity.conversation?.id }, 'state write conflict: turn recomputed');
        continue;
      }
      // Moved: written under its key with this turn (a replayed turn writes nothing, so keeps it there).
      if (legacy !== undefined && !replayed) {
        await this.options.kv.delete([legacy]).catch((err: unknown) =>
          this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'could not delete the state kept under its former key'),
        );
      }
      if (!replayed && this.options.afterTurn) {
        await this.options.afterTurn(before, result).catch((err: unknown) =>
          this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'after-turn hook failed'),
        );
      }
      this.options.observer?.turn(context.activity.channelId ?? 'unknown', (performance.now() - started) / 1000, result.outputs);
      return;
    }
  }
}

/** Whether the input itself changes the language (the widget's switch, a language button). */
function choosesLanguage(input: Input): boolean {
  return (input.kind === 'intent' && input.intent === 'language') || (input.kind === 'choice' && input.value.startsWith(LANG_PREFIX));
}

/** The stored item as this release reads it; a state kept by an older release has its help state folded in. */
function readStored(raw: unknown): StoredState {
  if (!raw || typeof raw !== 'object') return { state: undefined };
  const s = raw as { state?: unknown; help?: unknown; locale?: unknown; last?: { activityId?: unknown; input?: Input; state?: unknown; help?: unknown; locale?: unknown } };
  // Before the engine owned the help dialogue, its state was kept beside the engine's.
  const withHelp = (state: unknown, help: unknown) =>
    help !== undefined && state && typeof state === 'object' && !('help' in state) ? { ...state, help } : state;
  const out: StoredState = { state: withHelp(s.state, s.help), ...(typeof s.locale === 'string' ? { locale: s.locale } : {}) };
  const l = s.last;
  if (l && typeof l === 'object' && typeof l.activityId === 'string' && l.state !== undefined) {
    out.last = { activityId: l.activityId, ...(l.input ? { input: l.input } : {}), state: withHelp(l.state, l.help), ...(typeof l.locale === 'string' ? { locale: l.locale } : {}) };
  }
  return out;
}

/** Same input as the one recorded (a replayed activity must say what it said the first time). */
function sameInput(recorded: Input | undefined, input: Input | undefined): boolean {
  return JSON.stringify(recorded ?? null) === JSON.stringify(input ?? null);
}

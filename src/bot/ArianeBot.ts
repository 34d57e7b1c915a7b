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
 */
import { ActivityHandler, ActivityTypes, type Activity, type Storage, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { HELP_VALUE, type Catalog, type ConversationState, type Input, type Intent, type Lang, type Output, type StepResult } from '../engine';
import { maskPersonalData } from '../privacy';
import { IF_ABSENT } from '../store';
import { isConflict } from './KeyValueStorage';
import { botText, choiceAction, renderOutputs, type Translate } from './renderOutputs';

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
   * Called once per handoff output, after the state is saved: creates the summary a mediator will
   * read and returns its code, shown to the person. A failure here is logged; the person still gets
   * the handoff message (without a code) rather than an error.
   */
  /**
   * Called after each engine turn whose state was saved (so a recomputed turn counts once), with
   * the state before and the result, e.g. for anonymous per-node statistics. Errors are logged only.
   */
  afterTurn?: (before: ConversationState, result: StepResult) => Promise<void>;
  /** Told of every turn run and every error (metrics); must not throw. */
  observer?: TurnObserver;
  createHandoff?: (args: { state: ConversationState; output: HandoffOutput; catalog: Catalog; conversationId: string }) => Promise<{ code: string }>;
}

/** What the bot reports for metrics: counts and durations, no text. */
export interface TurnObserver {
  turn(channelId: string, seconds: number, outputs: readonly Output[]): void;
  error(kind: 'turn'): void;
}

/** The engine's handoff output. */
export type HandoffOutput = Extract<Output, { kind: 'handoff' }>;

/** Stored under the conversation's key: the engine state and nothing else (no transcript). */
interface StoredState {
  state: unknown;
  eTag?: string;
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
        if (input) await this.runTurn(context, input);
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

  private async load(context: TurnContext): Promise<{ state: ConversationState; eTag?: string; key: string }> {
    const key = this.storageKey(context);
    const items = await this.options.storage.read([key]);
    const stored = items[key] as StoredState | undefined;
    const fallback = languageFromLocale(context.activity.locale, this.options.languages);
    if (!stored || stored.state === undefined) return { state: this.options.engine.initialState(fallback), key };
    const { engine } = this.options;
    const state = engine.migrateState ? engine.migrateState(stored.state, fallback) : (stored.state as ConversationState);
    return { state, eTag: stored.eTag, key };
  }

  /** One engine turn with the conditional save described in the file comment; then the replies. */
  private async runTurn(context: TurnContext, input: Input): Promise<void> {
    const started = performance.now();
    if (input.kind === 'text') input = { kind: 'text', text: maskPersonalData(input.text).text };
    let result: StepResult | undefined;
    let catalog: Catalog;
    let before: ConversationState;
    for (let attempt = 0; ; attempt++) {
      const { state, eTag, key } = await this.load(context);
      before = structuredClone(state);
      catalog = this.options.catalog();
      result = this.options.engine.converse(catalog, state, input);
      try {
        await this.options.storage.write({ [key]: { state: result.state, eTag: eTag ?? IF_ABSENT } });
        break;
      } catch (err) {
        if (!isConflict(err) || attempt >= 1) throw err;
        this.options.logger.warn({ conversationId: context.activity.conversation?.id }, 'state write conflict: turn recomputed');
      }
    }
    // Statistics are off the reply's critical path: started now, awaited after the replies are sent.
    const after = this.options.afterTurn?.(before, result).catch((err: unknown) =>
      this.options.logger.error({ err, conversationId: context.activity.conversation?.id }, 'after-turn hook failed'),
    );
    let outputs = result.outputs;
    const create = this.options.createHandoff;
    if (create && outputs.some((o) => o.kind === 'handoff')) {
      const state = result.state;
      const conversationId = context.activity.conversation?.id ?? '';
      outputs = await Promise.all(
        outputs.map(async (o) => {
          if (o.kind !== 'handoff') return o;
          try {
            const { code } = await create({ state, output: o, catalog, conversationId });
            return { ...o, code };
          } catch (err) {
            this.options.logger.error({ err, conversationId }, 'could not create the handoff summary');
            return o;
          }
        }),
      );
    }
    const activities = renderOutputs(outputs, result.state.lang, this.options.translate);
    if (activities.length > 0) await context.sendActivities(activities);
    await after;
    this.options.observer?.turn(context.activity.channelId ?? 'unknown', (performance.now() - started) / 1000, result.outputs);
  }
}

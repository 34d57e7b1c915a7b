/**
 * The Direct Line channel's `BotAdapter`: runs turns in-process (a `TurnContext` handed straight to
 * the bot) and stores each turn in one transaction: the person's message, the bot's state write and
 * handoff summaries, and the bot's replies (`Store.commitTurn`). A crash keeps all of a turn or
 * none of it, so a retried message either finds its turn stored (same id, same replies) or runs it
 * once. No connector client, no HTTP round trip, no per-turn credential objects: that is what makes
 * our Direct Line turn several times cheaper than `CloudAdapter`'s (see issue 3).
 */
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { CommittedTurn, LoggedActivity, Turn, WriteItem } from '../../store';
import { MASKED, STATE_KEY, TURN_COMMIT, type StateKey, type TurnCommit } from '../turnCommit';

/** Who the bot is in the stream. */
export interface BotIdentity {
  id: string;
  name: string;
}

/** The person's message of a turn, stored with the turn's replies. */
export interface TurnMessage {
  activity: Record<string, unknown>;
  /** The client's id (idempotent retries). */
  clientActivityId?: string;
}

/** How a turn was stored. */
export interface TurnOutcome {
  /** The stored id of the person's message (when there was one). */
  messageId?: string;
  /** The message was already stored with its turn (a retry): nothing was written this time. */
  replayed: boolean;
}

/** Where our Direct Line conversation's state lives (as every release has kept it). */
export function directLineStateKey(conversationId: string): string {
  return `state/directline/${conversationId}`;
}

/** See the file comment. */
export class DirectLineAdapter extends BotAdapter {
  constructor(
    /** Stores one turn atomically (the store's `commitTurn`). */
    private readonly commit: (turn: Turn) => Promise<CommittedTurn>,
    private readonly bot: BotIdentity,
    private readonly now: () => number = Date.now,
    /** Told of every activity stored, in order (the channel's open streams). */
    private readonly appended: (conversationId: string, activity: LoggedActivity) => void = () => undefined,
  ) {
    super();
  }

  /**
   * Runs one turn for `activity` through the middleware and `logic` (the bot's `run`); `message`,
   * when given, is stored with the turn's first commit (or alone, if the bot stores nothing).
   */
  async processActivity(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>, message?: TurnMessage): Promise<TurnOutcome> {
    const context = new TurnContext(this, activity);
    // The channel masked the person's text before handing it over: the bot need not do it again.
    context.turnState.set(MASKED, true);
    const conversationId = activity.conversation?.id;
    if (!conversationId) throw new Error('processActivity: no conversation id');
    // The conversation is the one the client's Direct Line token names (the channel checked it):
    // this namespace is reachable through Direct Line tokens only.
    context.turnState.set(STATE_KEY, { key: directLineStateKey(conversationId) } satisfies StateKey);
    let pending = message;
    let failed: unknown;
    const outcome: TurnOutcome = { replayed: false };
    const commit = async (writes: WriteItem[], activities: Array<Partial<Activity>>): Promise<ResourceResponse[]> => {
      const replies = activities
        .filter((a) => a.type !== 'delay' && a.type !== ActivityTypes.InvokeResponse && a.type !== ActivityTypes.Trace)
        .map((a) => this.stamp(a, conversationId, activity.from));
      if (!pending && replies.length === 0 && writes.length === 0) return [];
      const appends = [
        ...(pending ? [{ activity: pending.activity, ...(pending.clientActivityId ? { clientActivityId: pending.clientActivityId } : {}) }] : []),
        ...replies.map((r) => ({ activity: r, ...(pending ? { replyTo: 0 } : {}) })),
      ];
      let result: CommittedTurn;
      try {
        result = await this.commit({ conversationId, appends, kv: writes });
      } catch (err) {
        failed ??= err;
        throw err;
      }
      if (pending) {
        outcome.messageId = result.appended[0]?.id;
        outcome.replayed = result.replayed;
        pending = undefined;
      }
      if (!result.replayed) for (const a of result.appended) this.appended(conversationId, a);
      const offset = appends.length - replies.length;
      return replies.map((_, i) => ({ id: result.replayed ? '' : (result.appended[offset + i]?.id ?? '') }));
    };
    context.turnState.set(TURN_COMMIT, commit satisfies TurnCommit);
    await this.runMiddleware(context, logic);
    if (pending) {
      // A turn that could not be stored leaves nothing behind: the client's retry will run it whole.
      if (failed !== undefined) throw failed;
      // A message the bot answered with nothing (an event it ignores) is stored all the same.
      await commit([], []);
    }
    return outcome;
  }

  /** A reply as stored: the bot as sender, this conversation, the time. */
  private stamp(activity: Partial<Activity>, conversationId: string, to: Partial<Activity>['from']): Record<string, unknown> {
    const { id: _id, serviceUrl: _s, ...rest } = activity;
    return {
      ...rest,
      channelId: 'directline',
      conversation: { id: conversationId },
      from: { id: this.bot.id, name: this.bot.name, role: 'bot' },
      ...(to?.id ? { recipient: { id: to.id, role: 'user' } } : {}),
      timestamp: new Date(this.now()).toISOString(),
    };
  }

  /** Replies sent outside the bot's own commit (an apology after an error): stored as a turn of their own, after the message. */
  async sendActivities(context: TurnContext, activities: Array<Partial<Activity>>): Promise<ResourceResponse[]> {
    const commit = context.turnState.get(TURN_COMMIT) as ((writes: WriteItem[], activities: Array<Partial<Activity>>) => Promise<ResourceResponse[]>) | undefined;
    if (!commit) throw new Error('Direct Line: a turn outside processActivity');
    return commit([], activities);
  }

  async updateActivity(): Promise<ResourceResponse | void> {
    throw new Error('Direct Line: updating an activity is not supported');
  }

  async deleteActivity(): Promise<void> {
    throw new Error('Direct Line: deleting an activity is not supported');
  }

  /** Proactive turn on an existing conversation (e.g. a mediator's reply, later). */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.processActivity(activity, logic);
  }
}

/**
 * The Direct Line channel's `BotAdapter`: runs turns in-process (a `TurnContext` handed straight to
 * the bot) and appends the bot's replies to the conversation's stream in the store. No connector
 * client, no HTTP round trip, no per-turn credential objects: that is what makes our Direct Line turn
 * several times cheaper than `CloudAdapter`'s (see issue 3).
 */
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';
import type { ConversationLog } from '../../store';
import { MASKED } from '../turnCommit';

/** Who the bot is in the stream. */
export interface BotIdentity {
  id: string;
  name: string;
}

/** See the file comment. */
export class DirectLineAdapter extends BotAdapter {
  constructor(
    private readonly log: ConversationLog,
    private readonly bot: BotIdentity,
    private readonly now: () => number = Date.now,
    /**
     * True when the store applies concurrent appends in call order (SQLite queues every write of an
     * event-loop turn into one transaction and one fsync; memory is synchronous): a turn's replies
     * are then issued together and cost one commit instead of one each. PostgreSQL spreads
     * concurrent calls over connections, so there they are appended one after the other.
     */
    private readonly appendsKeepCallOrder = false,
  ) {
    super();
  }

  /** Runs one turn for `activity` through the middleware and `logic` (the bot's `run`). */
  async processActivity(activity: Partial<Activity>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const context = new TurnContext(this, activity);
    // The channel masked the person's text before storing it: the bot need not do it again.
    context.turnState.set(MASKED, true);
    await this.runMiddleware(context, logic);
  }

  /** Appends the replies, in order, each stamped with time and the bot as sender. */
  async sendActivities(context: TurnContext, activities: Array<Partial<Activity>>): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation?.id;
    if (!conversationId) throw new Error('sendActivities: no conversation id');
    const pending: Array<Promise<ResourceResponse>> = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await Promise.all(pending);
        await new Promise((r) => setTimeout(r, Math.min(Number(activity.value) || 0, 5000)));
        pending.push(Promise.resolve({ id: '' }));
        continue;
      }
      if (activity.type === ActivityTypes.InvokeResponse || activity.type === ActivityTypes.Trace) {
        pending.push(Promise.resolve({ id: '' }));
        continue;
      }
      const { id: _id, serviceUrl: _s, ...rest } = activity;
      const out = {
        ...rest,
        channelId: 'directline',
        conversation: { id: conversationId },
        from: { id: this.bot.id, name: this.bot.name, role: 'bot' },
        timestamp: new Date(this.now()).toISOString(),
      };
      // No defensive copy: every store serialises what it is given (and returns its own copy).
      const append = this.log.append(conversationId, out as Record<string, unknown>).then((l) => ({ id: l.id }));
      pending.push(append);
      if (!this.appendsKeepCallOrder) await append;
    }
    return Promise.all(pending);
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

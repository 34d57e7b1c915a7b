/**
 * How a channel can take a turn's writes and replies in one transaction. Our Direct Line adapter
 * puts a `TurnCommit` in the turn state: the person's message, the state write, the handoff
 * summaries and the replies are then stored together, so a crash keeps all of the turn or none of
 * it. Channels without one (`/api/messages`, tests) get the writes first, then the replies.
 */
import type { Activity } from 'botbuilder';
import type { WriteItem } from '../store';

/** The `turnState` key under which an adapter offers its `TurnCommit`. */
export const TURN_COMMIT = Symbol('ariane.turnCommit');

/**
 * Where a turn's conversation state lives, named by the entry point that authenticated the turn
 * (set under {@link STATE_KEY}), never read from the activity alone: a caller chooses the
 * activity's `channelId` and `conversation.id`, so a state key built from them would let an
 * anonymous `/api/messages` request drive one of our Direct Line conversations.
 */
export interface StateKey {
  key: string;
  /**
   * Where an older release kept the same conversation's state (`state/<channelId>/<conversation>`):
   * read when `key` holds nothing yet, then moved to `key`.
   */
  legacy?: string;
}

/** The `turnState` key under which an entry point puts the turn's {@link StateKey}. */
export const STATE_KEY = Symbol('ariane.stateKey');

/** The `turnState` key an adapter sets when it already masked the activity's personal data. */
export const MASKED = Symbol('ariane.masked');

/**
 * Stores `writes` (conditional on their etags: a `ConflictError` stores nothing) and `activities`
 * atomically. May be called more than once in a turn (e.g. an apology after a failure).
 */
export type TurnCommit = (writes: WriteItem[], activities: Array<Partial<Activity>>) => Promise<unknown>;

/**
 * The channel did not take the turn's replies (e.g. the Emulator's `serviceUrl` answered 500). The
 * bot does not apologise (nothing would get through) but lets it go up, so that the channel is
 * answered an error and sends the activity again; the state saved with the turn lets the bot
 * recognise it and replay the same replies (see `ArianeBot`'s `StoredState.last`).
 */
export class DeliveryError extends Error {
  constructor(readonly reason: unknown) {
    super('the channel did not take the replies');
    this.name = 'DeliveryError';
  }
}

/**
 * Storage contracts shared by every durable thing Ariane keeps: engine conversation state (through
 * the bot's botbuilder `Storage` adapter), Direct Line conversations and activity streams, handoff
 * summaries, imported help places. Implementations: memory (tests), SQLite (embedded default),
 * PostgreSQL (several instances). Nothing here imports botbuilder.
 */

/** A stored value with its version tag (optimistic concurrency). */
export interface StoredItem<T = unknown> {
  value: T;
  etag: string;
}

/**
 * One write. `etag` absent or `'*'`: unconditional. `etag: ''` ({@link IF_ABSENT}): create only, the
 * key must not hold a live item. Any other etag must equal the stored etag of a live item (a key that
 * is absent or expired has no etag, so such a write conflicts). Values are stored as JSON: what
 * `JSON.stringify` drops or changes (undefined, Dates, class instances) comes back as JSON would.
 */
export interface WriteItem {
  key: string;
  value: unknown;
  etag?: string;
  /** Epoch milliseconds after which the item may be purged and is no longer returned. */
  expiresAt?: number;
}

/** The `etag` of a create-if-absent write (see {@link WriteItem}). */
export const IF_ABSENT = '';

/**
 * Thrown when a conditional write loses a race (or an id is already taken). Along with
 * UnknownConversationError, the only store errors callers are expected to handle; anything else
 * means the store is failing.
 */
export class ConflictError extends Error {
  constructor(public readonly key: string) {
    super(`Write conflict on "${key}": it was changed by another turn or instance.`);
    this.name = 'ConflictError';
  }
}

/**
 * A JSON key-value store with eTags, expiry and prefix scans. All writes of one call are atomic: on a
 * conflict nothing of the call is written. Expired items are never returned (purge reclaims them).
 *
 * Keeping a turn safe across instances: read the item (keep its etag), compute, write with that
 * etag — or IF_ABSENT when there was none — and on ConflictError run the turn again from the read.
 * An unconditional write (`'*'`) silently overwrites whatever a concurrent turn wrote.
 */
export interface KeyValueStore {
  get<T = unknown>(keys: string[]): Promise<Record<string, StoredItem<T>>>;
  /** Returns the new etag of each key. Throws ConflictError (and writes nothing) on a stale etag. */
  set(items: WriteItem[]): Promise<Record<string, string>>;
  /** Unconditional; absent keys are ignored. */
  delete(keys: string[]): Promise<void>;
  /** Every live item whose key starts with `prefix`, in key order. */
  scan<T = unknown>(prefix: string): Promise<Array<{ key: string } & StoredItem<T>>>;
  /**
   * Adds each delta to the numeric field of that name in the JSON object at `key` (an absent or
   * expired key is `{}`, a missing or non-numeric field 0; other fields are kept), atomically across
   * turns and instances and without etag retries: for counters that many turns bump at once, where
   * read-then-conditional-set would conflict on every concurrent turn. Keeps a live item's expiry.
   * Throws (writing nothing) when the stored value is not a JSON object. Returns the new item.
   */
  increment(key: string, deltas: Record<string, number>): Promise<StoredItem<Record<string, unknown>>>;
}

/** Thrown by `append` on a conversation that does not exist (never created, or purged). */
export class UnknownConversationError extends Error {
  constructor(public readonly conversationId: string) {
    super(`Unknown conversation "${conversationId}".`);
    this.name = 'UnknownConversationError';
  }
}

/** A Direct Line conversation as stored. */
export interface ConversationRecord {
  id: string;
  userId: string;
  createdAt: number;
  /** Free JSON for the channel (locale, etc.). */
  data?: Record<string, unknown>;
}

/**
 * An activity as appended to a conversation's stream; the store assigns `id`
 * (`<conversationId>|<watermark, 7 digits>`, as Direct Line does) and the watermark (1, 2, 3… per
 * conversation, no gaps). `activity` comes back as its JSON copy (JSON.parse(JSON.stringify(activity)),
 * key order included): the store keeps it as plain JSON, readable with an SQL client. The channel
 * puts `id` into it when serving.
 */
export interface LoggedActivity {
  id: string;
  watermark: number;
  activity: Record<string, unknown>;
}

/**
 * Direct Line activity streams. `append` assigns a per-conversation, strictly increasing watermark
 * atomically, so two server instances appending to one conversation never collide or reorder.
 */
export interface ConversationLog {
  /** Throws ConflictError when a conversation with that id already exists. */
  createConversation(record: ConversationRecord): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /**
   * Appends one activity. When `clientActivityId` is given and already present in this conversation,
   * nothing is appended and the existing entry is returned with `duplicate: true` (idempotent POST).
   * Throws UnknownConversationError when the conversation does not exist (e.g. purged).
   */
  append(
    conversationId: string,
    activity: Record<string, unknown>,
    clientActivityId?: string,
  ): Promise<LoggedActivity & { duplicate: boolean }>;
  /**
   * Activities with watermark > `after` (all when undefined), oldest first, at most `limit`.
   * `watermark` is that of the last activity read, else `after ?? 0` (an unknown conversation
   * lists nothing: the channel checks existence with getConversation). An activity that cannot be
   * read back is left out (see {@link UnreadableRow}) but counts as read: the watermark moves past it.
   */
  list(conversationId: string, after: number | undefined, limit?: number): Promise<{ activities: LoggedActivity[]; watermark: number }>;
}

/** One activity of a turn (see {@link Store.commitTurn}). */
export interface TurnAppend {
  activity: Record<string, unknown>;
  /** The client's id for a person's message, as for `ConversationLog.append` (idempotent retries). */
  clientActivityId?: string;
  /**
   * Index of an earlier append of the same call that this activity answers: the store sets its
   * `replyToId` (replacing any) to the id that append gets, which is not known before the commit.
   */
  replyTo?: number;
}

/** What one turn writes, all or nothing (see {@link Store.commitTurn}). */
export interface Turn {
  conversationId: string;
  /** Appended in this order, with consecutive watermarks. */
  appends: TurnAppend[];
  /** Written as by `KeyValueStore.set`, etag conditions included. */
  kv: WriteItem[];
}

/** The outcome of {@link Store.commitTurn}. */
export interface CommittedTurn {
  /**
   * False: everything was written, and `appended` has one entry per append, in order
   * (`duplicate: false`). True: an append's clientActivityId was already in the log, so this turn was
   * committed before and nothing was written; `appended` then holds the stored entry of each such
   * append (`duplicate: true`) and `etags` is empty.
   */
  replayed: boolean;
  appended: Array<LoggedActivity & { duplicate: boolean }>;
  /** The new etag of each kv key written. */
  etags: Record<string, string>;
}

/**
 * A stored row that the store could not read back: damaged on disk, or edited by hand into text that
 * is not JSON. The store reports it (once per row and process, never its content) and reads on
 * without it: an activity is left out of `list`, a conversation's `data` is left out, a kv value comes
 * back as `null` with its etag (so the next conditional write replaces it; `increment` starts again
 * from `{}`). One damaged row must not fail its whole conversation.
 */
export interface UnreadableRow {
  table: 'kv' | 'conversations' | 'activities';
  /** The kv key, or the conversation's id. */
  key: string;
  /** The activity's watermark. */
  watermark?: number;
}

/**
 * Told that activities were appended to a conversation: `watermark` is the last one appended, or
 * undefined when the store cannot say which (after the feed lost appends, e.g. a reconnection: every
 * listener is woken once so that nothing is missed). A wake-up, not the activities: read them with
 * `ConversationLog.list`.
 */
export type AppendListener = (watermark: number | undefined) => void;

/**
 * Wake-ups on append, so that streams need not poll the store: in-process for memory and SQLite,
 * across instances for PostgreSQL (LISTEN/NOTIFY). Best effort: a wake-up may come late, twice or
 * (while the feed reconnects) be replaced by a wake-up of everyone; streams keep a slow safety poll.
 */
export interface AppendFeed {
  /** Calls `listener` after each commit appending to `conversationId` (never inside it); returns the unsubscribe. */
  subscribe(conversationId: string, listener: AppendListener): () => void;
}

/**
 * Fixed-window event counts shared by every instance, for the abuse limits (src/limits'
 * `SharedWindows`, which this implements: the two folders do not import each other).
 */
export interface LimitWindows {
  /**
   * In one atomic step: adds 1 to `key`'s count in the window that began at `windowStart` if
   * `previous × previousWeight + count + 1 ≤ limit` (`previous` being the window before's count),
   * and answers whether it did, with both counts (the new one when taken). Rows are purged once both
   * windows are over.
   */
  take(key: string, windowStart: number, windowMs: number, previousWeight: number, limit: number): Promise<{ taken: boolean; count: number; previous: number }>;
}

/** One durable store: everything Ariane keeps, behind one connection. */
export interface Store {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  readonly kv: KeyValueStore;
  readonly log: ConversationLog;
  /** Wake-ups on append (see {@link AppendFeed}); absent: streams poll. */
  readonly appends?: AppendFeed;
  /** Limit counts every instance shares (PostgreSQL only); absent: each instance counts in memory. */
  readonly limits?: LimitWindows;
  /**
   * Commits one turn atomically: appends `turn.appends` to the conversation's log (watermarks as
   * `append` gives them, consecutive within the turn) and writes `turn.kv`, in one transaction made
   * durable once (SQLite: one commit of the group commit and its fsync; PostgreSQL: one transaction).
   * Checked before anything is written, in this order:
   * - the conversation exists, else UnknownConversationError;
   * - no append's clientActivityId is in the log yet, else the turn is a replay: nothing is written
   *   and the call resolves with `replayed: true` (a retry of a turn that was committed, even one
   *   whose kv etags are stale since);
   * - every kv etag condition holds, else ConflictError (nothing appended, nothing written).
   * A clientActivityId given twice in one call, a `replyTo` that is not the index of an earlier
   * append, or a value JSON cannot hold is refused (TypeError) before anything is written.
   */
  commitTurn(turn: Turn): Promise<CommittedTurn>;
  /** Resolves when the store answers; rejects otherwise (used by /readyz). */
  ping(): Promise<void>;
  /**
   * Deletes items expired at `now` and conversations (with their activities) whose last activity —
   * or creation when they have none — is before `conversationsBefore` (epoch ms), so a conversation
   * in use is never cut short. Returns how many items and conversations were deleted.
   */
  purge(now: number, conversationsBefore?: number): Promise<number>;
  close(): Promise<void>;
}

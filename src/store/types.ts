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

/** One write. `etag` absent or `'*'`: unconditional; otherwise it must equal the stored etag. */
export interface WriteItem {
  key: string;
  value: unknown;
  etag?: string;
  /** Epoch milliseconds after which the item may be purged and is no longer returned. */
  expiresAt?: number;
}

/** Thrown (the only store error callers are expected to handle) when a conditional write loses a race. */
export class ConflictError extends Error {
  constructor(public readonly key: string) {
    super(`Write conflict on "${key}": it was changed by another turn or instance.`);
    this.name = 'ConflictError';
  }
}

/** A JSON key-value store with eTags, expiry and prefix scans. All writes of one call are atomic. */
export interface KeyValueStore {
  get<T = unknown>(keys: string[]): Promise<Record<string, StoredItem<T>>>;
  /** Returns the new etag of each key. Throws ConflictError (and writes nothing) on a stale etag. */
  set(items: WriteItem[]): Promise<Record<string, string>>;
  delete(keys: string[]): Promise<void>;
  /** Every live item whose key starts with `prefix`, in key order. */
  scan<T = unknown>(prefix: string): Promise<Array<{ key: string } & StoredItem<T>>>;
}

/** A Direct Line conversation as stored. */
export interface ConversationRecord {
  id: string;
  userId: string;
  createdAt: number;
  /** Free JSON for the channel (locale, etc.). */
  data?: Record<string, unknown>;
}

/** An activity as appended to a conversation's stream; the store assigns `id` and the watermark. */
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
  createConversation(record: ConversationRecord): Promise<void>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /**
   * Appends one activity. When `clientActivityId` is given and already present in this conversation,
   * nothing is appended and the existing entry is returned with `duplicate: true` (idempotent POST).
   */
  append(
    conversationId: string,
    activity: Record<string, unknown>,
    clientActivityId?: string,
  ): Promise<LoggedActivity & { duplicate: boolean }>;
  /** Activities with watermark > `after` (all when undefined), oldest first, at most `limit`. */
  list(conversationId: string, after: number | undefined, limit?: number): Promise<{ activities: LoggedActivity[]; watermark: number }>;
}

/** One durable store: everything Ariane keeps, behind one connection. */
export interface Store {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  readonly kv: KeyValueStore;
  readonly log: ConversationLog;
  /** Resolves when the store answers; rejects otherwise (used by /readyz). */
  ping(): Promise<void>;
  /** Deletes expired items and conversations created before `before` (epoch ms). Returns how many. */
  purge(now: number, conversationsBefore?: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The in-memory store for unit tests. It follows the same contract as the durable stores (etags,
 * expiry, atomic multi-writes, idempotent appends) so tests written against it hold in production.
 */
import { AppendListeners } from './appendFeed';
import { activityId, addDeltas, assertStorable, checkTurn, isUnconditional, newEtag, toJson } from './common';
import {
  ConflictError,
  IF_ABSENT,
  UnknownConversationError,
  type CommittedTurn,
  type ConversationLog,
  type ConversationRecord,
  type KeyValueStore,
  type LoggedActivity,
  type Store,
  type StoredItem,
  type Turn,
  type WriteItem,
} from './types';

interface MemItem {
  json: string;
  etag: string;
  expiresAt?: number;
}

interface MemConversation {
  json: string;
  userId: string;
  createdAt: number;
  updatedAt: number;
  /** Activities as JSON text, as the durable stores keep them. */
  entries: Array<{ id: string; watermark: number; json: string }>;
  byClientId: Map<string, number>;
}

/** Options for tests that need to control time. */
export interface MemoryStoreOptions {
  /** Clock in epoch ms (default Date.now): lets tests check expiry without waiting. */
  now?: () => number;
}

/** A `Store` held in this process's memory; values are copied through JSON, as a database would. */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  readonly kv: KeyValueStore;
  readonly log: ConversationLog;
  /** Wake-ups on append, in this process (the only one that sees this store). */
  readonly appends = new AppendListeners();
  private readonly items = new Map<string, MemItem>();
  private readonly conversations = new Map<string, MemConversation>();
  private readonly now: () => number;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.kv = {
      get: async <T>(keys: string[]) => this.get<T>(keys),
      set: async (items: WriteItem[]) => this.set(items),
      delete: async (keys: string[]) => {
        this.check();
        for (const key of keys) this.items.delete(key);
      },
      scan: async <T>(prefix: string) => this.scan<T>(prefix),
      increment: async (key, deltas) => {
        this.check();
        assertStorable('key', key);
        const current = this.live(key, this.now());
        const value = addDeltas(key, current && JSON.parse(current.json), deltas);
        const item = { json: toJson(value), etag: newEtag(), expiresAt: current?.expiresAt };
        this.items.set(key, item);
        return { value: JSON.parse(item.json) as Record<string, unknown>, etag: item.etag };
      },
    };
    this.log = {
      createConversation: async (record) => this.createConversation(record),
      getConversation: async (id) => {
        this.check();
        const c = this.conversations.get(id);
        return c ? (JSON.parse(c.json) as ConversationRecord) : undefined;
      },
      append: async (conversationId, activity, clientActivityId) =>
        this.commit({ conversationId, appends: [{ activity, clientActivityId }], kv: [] }).appended[0]!,
      list: async (conversationId, after, limit) => this.list(conversationId, after, limit),
    };
  }

  async ping(): Promise<void> {
    this.check();
  }

  async commitTurn(turn: Turn): Promise<CommittedTurn> {
    return this.commit(turn);
  }

  async purge(now: number, conversationsBefore?: number): Promise<number> {
    this.check();
    let count = 0;
    for (const [key, item] of this.items) {
      if (item.expiresAt !== undefined && item.expiresAt <= now) {
        this.items.delete(key);
        count++;
      }
    }
    if (conversationsBefore !== undefined) {
      for (const [id, c] of this.conversations) {
        if (c.updatedAt < conversationsBefore) {
          this.conversations.delete(id);
          count++;
        }
      }
    }
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private check(): void {
    if (this.closed) throw new Error('The store is closed.');
  }

  private live(key: string, now: number): MemItem | undefined {
    const item = this.items.get(key);
    return item && (item.expiresAt === undefined || item.expiresAt > now) ? item : undefined;
  }

  private get<T>(keys: string[]): Record<string, StoredItem<T>> {
    this.check();
    const now = this.now();
    const out: Record<string, StoredItem<T>> = {};
    for (const key of keys) {
      const item = this.live(key, now);
      if (item) out[key] = { value: JSON.parse(item.json) as T, etag: item.etag };
    }
    return out;
  }

  private set(items: WriteItem[]): Record<string, string> {
    this.check();
    return this.writeItems(this.stage(items));
  }

  /** The items a write would store; throws ConflictError on a lost condition, before anything is written. */
  private stage(items: WriteItem[]): Map<string, MemItem> {
    const now = this.now();
    const staged = new Map<string, MemItem>();
    for (const w of items) {
      assertStorable('key', w.key);
      const current = staged.get(w.key) ?? this.live(w.key, now);
      if (!isUnconditional(w.etag)) {
        const ok = w.etag === IF_ABSENT ? current === undefined : current?.etag === w.etag;
        if (!ok) throw new ConflictError(w.key);
      }
      staged.set(w.key, { json: toJson(w.value), etag: newEtag(), expiresAt: w.expiresAt });
    }
    return staged;
  }

  private writeItems(staged: Map<string, MemItem>): Record<string, string> {
    const etags: Record<string, string> = {};
    for (const [key, item] of staged) {
      this.items.set(key, item);
      etags[key] = item.etag;
    }
    return etags;
  }

  private scan<T>(prefix: string): Array<{ key: string } & StoredItem<T>> {
    this.check();
    const now = this.now();
    const out: Array<{ key: string } & StoredItem<T>> = [];
    for (const [key, item] of this.items) {
      if (key.startsWith(prefix) && (item.expiresAt === undefined || item.expiresAt > now)) {
        out.push({ key, value: JSON.parse(item.json) as T, etag: item.etag });
      }
    }
    // Binary (code unit) order, like SQLite's default collation and Postgres with COLLATE "C".
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private createConversation(record: ConversationRecord): void {
    this.check();
    assertStorable('conversation id', record.id);
    assertStorable('user id', record.userId);
    if (this.conversations.has(record.id)) throw new ConflictError(record.id);
    this.conversations.set(record.id, {
      json: toJson(record),
      userId: record.userId,
      createdAt: record.createdAt,
      updatedAt: record.createdAt,
      entries: [],
      byClientId: new Map(),
    });
  }

  /** Synchronous, so nothing can come between its checks and its writes. */
  private commit(turn: Turn): CommittedTurn {
    this.check();
    const { conversationId } = turn;
    const jsons = checkTurn(turn);
    const c = this.conversations.get(conversationId);
    if (!c) throw new UnknownConversationError(conversationId);
    const stored = turn.appends.flatMap(({ clientActivityId }) => {
      const index = clientActivityId === undefined ? undefined : c.byClientId.get(clientActivityId);
      return index === undefined ? [] : [c.entries[index]!];
    });
    if (stored.length) {
      return { replayed: true, appended: stored.map((e) => ({ id: e.id, watermark: e.watermark, activity: JSON.parse(e.json) as Record<string, unknown>, duplicate: true })), etags: {} };
    }
    const etags = this.writeItems(this.stage(turn.kv));
    const appended = turn.appends.map((append, i) => {
      const watermark = c.entries.length + 1;
      const entry = { id: activityId(conversationId, watermark), watermark, json: jsons[i]! };
      const activity = JSON.parse(entry.json) as Record<string, unknown>;
      if (append.replyTo !== undefined) {
        activity.replyToId = activityId(conversationId, watermark - i + append.replyTo);
        entry.json = JSON.stringify(activity);
      }
      c.entries.push(entry);
      if (append.clientActivityId !== undefined) c.byClientId.set(append.clientActivityId, c.entries.length - 1);
      return { id: entry.id, watermark, activity, duplicate: false };
    });
    if (appended.length) {
      c.updatedAt = this.now();
      this.appends.publish(conversationId, appended[appended.length - 1]!.watermark);
    }
    return { replayed: false, appended, etags };
  }

  private list(conversationId: string, after: number | undefined, limit?: number): { activities: LoggedActivity[]; watermark: number } {
    this.check();
    const c = this.conversations.get(conversationId);
    const from = after ?? 0;
    if (!c) return { activities: [], watermark: from };
    // Watermarks are 1..n with no gaps, so entry i has watermark i + 1.
    const start = Math.max(0, Math.min(from, c.entries.length));
    const end = limit === undefined ? c.entries.length : Math.min(c.entries.length, start + Math.max(0, limit));
    const activities = c.entries.slice(start, end).map((e) => ({
      id: e.id,
      watermark: e.watermark,
      activity: JSON.parse(e.json) as Record<string, unknown>,
    }));
    return { activities, watermark: activities.length ? activities[activities.length - 1]!.watermark : from };
  }
}

/** The append wake-ups' listeners, by conversation (internal to src/store). */
import type { AppendFeed, AppendListener } from './types';

/**
 * Listeners by conversation, told by `publish`. In-process stores publish after their commits;
 * PostgreSQL publishes what its LISTEN connection hears. A listener that throws is ignored: a
 * stream's trouble must never fail a commit or the other streams.
 */
export class AppendListeners implements AppendFeed {
  private readonly byConversation = new Map<string, Set<AppendListener>>();

  /** See AppendFeed.subscribe; `onFirst` runs when the first listener of the store arrives. */
  constructor(private readonly onFirst: () => void = () => undefined) {}

  subscribe(conversationId: string, listener: AppendListener): () => void {
    if (this.byConversation.size === 0) this.onFirst();
    let set = this.byConversation.get(conversationId);
    if (!set) this.byConversation.set(conversationId, (set = new Set()));
    // Wrapped, so that the same function subscribed twice is two subscriptions.
    const entry: AppendListener = (w) => listener(w);
    set.add(entry);
    return () => {
      const current = this.byConversation.get(conversationId);
      if (!current) return;
      current.delete(entry);
      if (current.size === 0) this.byConversation.delete(conversationId);
    };
  }

  /** Whether anyone listens (PostgreSQL keeps its LISTEN connection only then). */
  get listening(): boolean {
    return this.byConversation.size > 0;
  }

  /** Wakes the conversation's listeners, after the current event-loop turn (never inside a commit). */
  publish(conversationId: string, watermark: number | undefined): void {
    const set = this.byConversation.get(conversationId);
    if (!set) return;
    setImmediate(() => {
      for (const listener of [...set]) call(listener, watermark);
    });
  }

  /** Wakes every listener once (appends may have been missed). */
  wakeAll(): void {
    const all = [...this.byConversation.values()].flatMap((set) => [...set]);
    if (all.length) setImmediate(() => all.forEach((listener) => call(listener, undefined)));
  }
}

function call(listener: AppendListener, watermark: number | undefined): void {
  try {
    listener(watermark);
  } catch {
    // see the class comment
  }
}

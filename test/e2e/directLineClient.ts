/**
 * The official Direct Line client (`botframework-directlinejs`, the one inside Web Chat) driven from
 * Node for end-to-end tests: it talks to our server exactly as a browser page would (polling).
 */
import { ConnectionStatus, DirectLine, type Activity, type DirectLineOptions } from 'botframework-directlinejs';
import { installXhr, waitFor } from './support';

export { ConnectionStatus };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities are open JSON; tests read any field
type AnyActivity = Activity & Record<string, any>;

export class TestClient {
  readonly dl: DirectLine;
  readonly activities: AnyActivity[] = [];
  statuses: ConnectionStatus[] = [];
  private readonly subs: Array<{ unsubscribe(): void }> = [];

  constructor(baseUrl: string, options: Partial<DirectLineOptions> = {}) {
    installXhr();
    // Polling, as with `webSocket: false` in a page. directlinejs still reads a `WebSocket` service,
    // which Node 20 lacks: hand it one that fails loudly if ever used.
    const NoWebSocket = class {
      constructor() {
        throw new Error('WebSocket not expected in polling mode');
      }
    };
    this.dl = new DirectLine({ domain: `${baseUrl}/v3/directline`, webSocket: false, pollingInterval: 200, WebSocket: NoWebSocket, ...options } as DirectLineOptions);
    this.subs.push(this.dl.activity$.subscribe((a) => this.activities.push(a as AnyActivity)));
    this.subs.push(this.dl.connectionStatus$.subscribe((s) => this.statuses.push(s)));
  }

  get conversationId(): string {
    return (this.dl as unknown as { conversationId: string }).conversationId;
  }
  get token(): string {
    return (this.dl as unknown as { token: string }).token;
  }
  get watermark(): string {
    return (this.dl as unknown as { watermark: string }).watermark;
  }
  /** The user id the token carries (what directlinejs itself reads from it). */
  get userId(): string {
    const payload = JSON.parse(Buffer.from(this.token.split('.')[1]!, 'base64url').toString()) as { user: string };
    return payload.user;
  }

  botMessages(): AnyActivity[] {
    return this.activities.filter((a) => a.type === 'message' && a.from.role === 'bot');
  }

  /** Waits for the first bot message (the welcome). */
  async welcome(): Promise<AnyActivity> {
    return waitFor(() => this.botMessages()[0], 10_000, 'welcome');
  }

  /** Posts a message (typed text, or a button's stable value) and resolves with the returned id. */
  post(activity: Partial<AnyActivity>): Promise<string> {
    return new Promise((resolve, reject) => {
      this.dl
        .postActivity({ type: 'message', from: { id: this.userId }, ...activity } as Activity)
        .subscribe((id: string) => (id === 'retry' ? reject(new Error('post answered "retry"')) : resolve(id)), reject);
    });
  }

  /** Posts and waits until every reply to it has arrived (stable across a few polls). */
  async turn(activity: Partial<AnyActivity>): Promise<AnyActivity[]> {
    const id = await this.post(activity);
    return this.repliesTo(id);
  }

  async repliesTo(id: string): Promise<AnyActivity[]> {
    await waitFor(() => this.activities.find((a) => a.replyToId === id), 10_000, `replies to ${id}`);
    let count = -1;
    for (;;) {
      const replies = this.activities.filter((a) => a.replyToId === id);
      if (replies.length === count) return replies;
      count = replies.length;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  say(text: string): Promise<AnyActivity[]> {
    return this.turn({ text });
  }
  click(value: string): Promise<AnyActivity[]> {
    return this.turn({ text: value, value: { choice: value } });
  }

  end(): void {
    for (const s of this.subs) s.unsubscribe();
    try {
      this.dl.end();
    } catch {
      // already ended
    }
  }
}

/** Stable values of the buttons in `replies`. */
export function buttons(replies: AnyActivity[]): string[] {
  const last = replies.filter((a) => a.suggestedActions).pop();
  return (last?.suggestedActions?.actions ?? []).map((a: { value: { choice: string } }) => a.value.choice);
}

export function textOf(replies: AnyActivity[]): string {
  return replies.map((a) => a.text ?? '').join('\n');
}

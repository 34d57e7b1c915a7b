/**
 * Closed-loop load generators: `concurrency` workers, each doing one operation after another
 * (a Direct Line turn, an echo request) for a bounded time and count; latencies are recorded
 * after a warm-up. Runs in the benchmark process, apart from the server under test.
 */
import WebSocket from 'ws';
import { request } from './http';
import { summarise } from './stats';

export interface LoadResult {
  ops: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  /** Operations done in the whole run, warm-up included (for CPU per operation). */
  allOps: number;
}

/** Runs `op(worker)` in `concurrency` loops for `warmupMs + durationMs` (and at most `maxOps` measured ops). */
export async function closedLoop(concurrency: number, warmupMs: number, durationMs: number, op: (worker: number) => Promise<void>, maxOps = 2_000_000): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let allOps = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const worker = async (w: number) => {
    while (performance.now() < end && latencies.length < maxOps) {
      const t0 = performance.now();
      try {
        await op(w);
        allOps++;
        if (t0 >= measureFrom) latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= (e as Error).message;
        if (errors > 1000) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const seconds = (Math.min(performance.now(), end) - measureFrom) / 1000;
  const s = summarise(latencies);
  return { ops: latencies.length, seconds, perSecond: latencies.length / seconds, p50: s.p50, p99: s.p99, errors, firstError, allOps };
}

/** Bare JSON echo requests through the same client as the Direct Line turns. */
export function echoOp(port: number): (w: number) => Promise<void> {
  const body = { type: 'message', text: 'je veux mon attestation caf', conversation: { id: 'bench' } };
  return async () => {
    const r = await request(port, 'POST', '/echo', body);
    if (r.status !== 200) throw new Error(`echo ${r.status}`);
  };
}

interface Activity {
  id?: string;
  type?: string;
  text?: string;
  replyToId?: string;
  from?: { role?: string };
  suggestedActions?: { actions?: Array<{ title?: string; text?: string; value?: unknown }> };
}

/** Sentences people type to name their procedure (real requests of the understanding set's kind). */
export const SENTENCES = [
  'je veux mon attestation caf',
  'je dois renouveler mon titre de séjour',
  'je dois m inscrire à france travail',
  'attestation de droits ameli',
  'prendre rendez-vous à la préfecture',
  'demander la prime d activité',
  'faire une demande de rsa',
  'je dois m actualiser pole emploi',
  'carte grise',
  'ma première déclaration d impôts',
  'complémentaire santé solidaire',
  'créer mon compte ameli',
];

/**
 * How a conversation reads the bot's replies: `stream` is the WebSocket of `streamUrl` (what
 * `botframework-directlinejs`, hence Web Chat, uses by default); `poll` is GET …/activities after
 * each POST (what our lightweight widget does, for old phones and proxies without WebSockets).
 */
export type Transport = 'stream' | 'poll';

/** One Direct Line conversation that walks real flows: sentence → buttons → … → restart, forever. */
export class Conversation {
  private watermark = '';
  private socket: WebSocket | undefined;
  /** Activities pushed by the stream and not read yet, and who waits for the next push. */
  private pushed: Activity[] = [];
  private waiting: (() => void) | undefined;
  private next: { text: string; value?: unknown } = { text: SENTENCES[0]! };
  private turns = 0;
  private clicks = 0;
  turnsInFlow = 0;
  /** `rotate`: buttons taken in turn (load); `first`: always the first button (one complete path). */
  policy: 'rotate' | 'first' = 'rotate';
  /** Set when a reply offered no button (a flow's end, or a typed answer expected). */
  reachedEnd = false;

  private constructor(
    private readonly port: number,
    readonly id: string,
    private readonly token: string,
    private readonly seed: number,
  ) {}

  /** Starts a conversation and reads the welcome (over the stream when `transport` is `stream`). */
  static async start(port: number, seed: number, transport: Transport = 'poll'): Promise<Conversation> {
    const r = await request(port, 'POST', '/v3/directline/conversations', {});
    if (r.status !== 201) throw new Error(`start conversation: ${r.status} ${JSON.stringify(r.body)}`);
    const b = r.body as { conversationId: string; token: string; streamUrl?: string };
    const c = new Conversation(port, b.conversationId, b.token, seed);
    c.next = { text: SENTENCES[seed % SENTENCES.length]! };
    if (transport === 'stream') {
      if (!b.streamUrl) throw new Error('start conversation: no streamUrl');
      await c.openStream(b.streamUrl);
      await c.until((a) => a.from?.role === 'bot', 'the welcome');
      return c;
    }
    // The welcome (conversationUpdate turn) may land a moment after the start answers.
    for (let i = 0; i < 200; i++) {
      const replies = await c.poll();
      if (replies.some((a) => a.from?.role === 'bot')) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    return c;
  }

  private openStream(url: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      this.socket = ws;
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.on('message', (data) => {
        const text = String(data);
        if (!text) return; // keep-alive
        const set = JSON.parse(text) as { activities?: Activity[] };
        this.pushed.push(...(set.activities ?? []));
        const w = this.waiting;
        this.waiting = undefined;
        w?.();
      });
    });
  }

  /** Waits until the stream has pushed activities satisfying `ok`; returns (and consumes) what it pushed. */
  private async until(ok: (a: Activity) => boolean, what: string): Promise<Activity[]> {
    const deadline = performance.now() + 30_000;
    for (;;) {
      if (this.pushed.some(ok)) {
        const got = this.pushed;
        this.pushed = [];
        return got;
      }
      if (performance.now() > deadline) throw new Error(`stream: no ${what} after 30 s`);
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, 1000).unref();
      });
    }
  }

  /**
   * Asks for a person once and waits for the answer: the first help request loads the help places
   * and builds the geocoder (a one-off ~0.1–0.2 s of CPU), which a steady-state measure must not count.
   */
  async warmHelp(): Promise<void> {
    const saved = this.next;
    this.next = { text: 'je voudrais parler à quelqu un', value: { intent: 'help' } };
    await this.turn();
    this.next = saved;
  }

  /** Closes the stream, if any. */
  close(): void {
    this.socket?.terminate();
  }

  private auth() {
    return { authorization: `Bearer ${this.token}` };
  }

  private async poll(): Promise<Activity[]> {
    const r = await request(this.port, 'GET', `/v3/directline/conversations/${this.id}/activities?watermark=${this.watermark}`, undefined, this.auth());
    if (r.status !== 200) throw new Error(`get activities: ${r.status} ${JSON.stringify(r.body)}`);
    const b = r.body as { activities: Activity[]; watermark: string };
    this.watermark = b.watermark;
    return b.activities;
  }

  /**
   * One full turn: POST the next message, then wait until the bot's reply to it is in the stream
   * (pushed on the WebSocket, or found by polling). Returns the replies.
   */
  async turn(): Promise<Activity[]> {
    this.turns++;
    const message = { type: 'message', from: { id: 'ignored' }, locale: 'fr-FR', text: this.next.text, ...(this.next.value !== undefined ? { value: this.next.value } : {}), channelData: { clientActivityID: `bench-${this.seed}-${this.turns}` } };
    const r = await request(this.port, 'POST', `/v3/directline/conversations/${this.id}/activities`, message, this.auth());
    if (r.status !== 200) throw new Error(`post activity: ${r.status} ${JSON.stringify(r.body)}`);
    const postId = (r.body as { id: string }).id;
    if (this.socket) {
      const got = await this.until((a) => a.replyToId === postId, `reply to ${postId}`);
      const replies = got.filter((a) => a.replyToId === postId);
      this.choose(replies);
      return replies;
    }
    let replies: Activity[] = [];
    for (let i = 0; i < 500; i++) {
      const got = await this.poll();
      replies = replies.concat(got.filter((a) => a.replyToId === postId));
      if (replies.length > 0) break;
      await new Promise((res) => setTimeout(res, 2));
    }
    if (replies.length === 0) throw new Error(`no reply to ${postId}`);
    this.choose(replies);
    return replies;
  }

  /** What to send next: a button of the last question (rotating), a sentence after a restart, else restart. */
  private choose(replies: Activity[]): void {
    const actions = replies.flatMap((a) => a.suggestedActions?.actions ?? []).filter((a) => a.value !== undefined || a.text);
    this.turnsInFlow++;
    if (this.next.value && (this.next.value as { choice?: string }).choice === 'restart') {
      this.turnsInFlow = 0;
      this.next = { text: SENTENCES[(this.seed + this.turns) % SENTENCES.length]! };
      return;
    }
    if (actions.length === 0) this.reachedEnd = true;
    if (actions.length === 0 || this.turnsInFlow > 12) {
      this.next = { text: 'recommencer', value: { choice: 'restart' } };
      return;
    }
    const a = actions[this.policy === 'first' ? 0 : (this.seed + this.clicks++) % actions.length]!;
    this.next = { text: a.text ?? a.title ?? '', ...(a.value !== undefined ? { value: a.value } : {}) };
  }
}

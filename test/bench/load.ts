/**
 * Closed-loop load generators: `concurrency` workers, each doing one operation after another
 * (a Direct Line turn, an echo request) for a bounded time and count; latencies are recorded
 * after a warm-up. Runs in the benchmark process, apart from the server under test.
 */
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

/** One Direct Line conversation that walks real flows: sentence → buttons → … → restart, forever. */
export class Conversation {
  private watermark = '';
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

  /** Starts a conversation and reads the welcome. */
  static async start(port: number, seed: number): Promise<Conversation> {
    const r = await request(port, 'POST', '/v3/directline/conversations', {});
    if (r.status !== 201) throw new Error(`start conversation: ${r.status} ${JSON.stringify(r.body)}`);
    const b = r.body as { conversationId: string; token: string };
    const c = new Conversation(port, b.conversationId, b.token, seed);
    c.next = { text: SENTENCES[seed % SENTENCES.length]! };
    // The welcome (conversationUpdate turn) may land a moment after the start answers.
    for (let i = 0; i < 200; i++) {
      const replies = await c.poll();
      if (replies.some((a) => a.from?.role === 'bot')) break;
      await new Promise((res) => setTimeout(res, 10));
    }
    return c;
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

  /** One full turn: POST the next message, poll until the bot's reply to it is in the stream. Returns the replies. */
  async turn(): Promise<Activity[]> {
    this.turns++;
    const message = { type: 'message', from: { id: 'ignored' }, locale: 'fr-FR', text: this.next.text, ...(this.next.value !== undefined ? { value: this.next.value } : {}), channelData: { clientActivityID: `bench-${this.seed}-${this.turns}` } };
    const r = await request(this.port, 'POST', `/v3/directline/conversations/${this.id}/activities`, message, this.auth());
    if (r.status !== 200) throw new Error(`post activity: ${r.status} ${JSON.stringify(r.body)}`);
    const postId = (r.body as { id: string }).id;
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

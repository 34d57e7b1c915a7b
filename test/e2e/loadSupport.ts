/**
 * Helpers for the load tests against service processes (crash under load, two instances on
 * PostgreSQL): scripted conversations over the raw Direct Line 3.0 API (plain `fetch`, so that many
 * conversations run at once cheaply and every request outcome is seen), and the replies each turn
 * must get, computed by playing the same script on the real bot in memory (test/bot/botHarness).
 */
import { ActivityTypes, type Activity } from 'botbuilder';
import { SENTENCES, makeHarness, scenarioOf } from '../bot/botHarness';
import { http } from './support';

/** One turn of a script: typed text, a button's stable value, or a global intent button. */
export type Step = { text: string } | { choice: string } | { intent: 'restart' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities are open JSON in tests
export type Json = Record<string, any>;

/** The body a client POSTs for a step (Web Chat sends a button's label as text and its value). */
export function stepActivity(step: Step, clientActivityID: string): Json {
  const channelData = { clientActivityID };
  if ('text' in step) return { type: 'message', text: step.text, channelData };
  if ('choice' in step) return { type: 'message', text: step.choice, value: { choice: step.choice }, channelData };
  return { type: 'message', text: 'Recommencer', value: { intent: step.intent }, channelData };
}

/**
 * A procedure asked for in a sentence and played to its end (the flow's own French scenario), then
 * restarted (the restart button goes back to the procedure's first question) and played again, until
 * `length` steps: a conversation whose state keeps moving through many nodes.
 */
export function procedureScript(flowId: keyof typeof SENTENCES | string, length: number): Step[] {
  const sentence = SENTENCES[flowId];
  if (!sentence) throw new Error(`no sentence for ${flowId}`);
  const answers = scenarioOf(flowId, 'end').answers.map((a): Step => (typeof a === 'object' ? { choice: a.choice } : { text: String(a) }));
  const steps: Step[] = [{ text: sentence }, ...answers];
  while (steps.length < length) steps.push({ intent: 'restart' }, ...answers);
  return steps.slice(0, length);
}

/** What must be equal between an expected and an actual bot activity (ids and times differ). */
export function signature(a: Partial<Activity> | Json): string {
  const actions = (a.suggestedActions?.actions ?? []) as Array<{ title?: string; value?: unknown }>;
  return JSON.stringify({
    type: a.type,
    text: a.text ?? null,
    actions: actions.map((x) => [x.title ?? null, x.value ?? null]),
    attachments: (a.attachments ?? []).map((x: { contentType?: string; content?: unknown }) => [x.contentType, x.content ?? null]),
  });
}

/** The welcome and each step's replies, as signatures, from the real bot on an in-memory store. */
export async function expectedTranscript(steps: readonly Step[], locale = 'fr-FR'): Promise<{ welcome: string[]; replies: string[][] }> {
  const h = makeHarness();
  const keep = (xs: Array<Partial<Activity>>) => xs.filter((x) => x.type !== 'delay' && x.type !== ActivityTypes.Trace).map(signature);
  const welcome = keep(await h.join(locale));
  const replies: string[][] = [];
  for (const [i, step] of steps.entries()) {
    const body = stepActivity(step, `expected-${i}`);
    replies.push(keep(await h.turn({ type: ActivityTypes.Message, text: body.text, value: body.value })));
  }
  return { welcome, replies };
}

/** A Direct Line conversation as a client holds it. */
export interface DirectLineConversation {
  conversationId: string;
  token: string;
}

/** `POST /v3/directline/conversations` (public mode, like the widget). */
export async function startConversation(baseUrl: string, locale = 'fr-FR'): Promise<DirectLineConversation> {
  const r = await http('POST', `${baseUrl}/v3/directline/conversations`, { body: { locale } });
  if (r.status !== 201) throw new Error(`start conversation: ${r.status} ${JSON.stringify(r.body)}`);
  return { conversationId: r.body.conversationId, token: r.body.token };
}

/** What became of one POST of a user activity. */
export type PostOutcome =
  | { kind: 'acknowledged'; id: string }
  | { kind: 'refused'; status: number; body: unknown }
  /** No HTTP answer (connection reset or refused): the server may or may not have stored it. */
  | { kind: 'unanswered'; error: string };

/** POSTs one activity; never throws. */
export async function postActivity(baseUrl: string, c: DirectLineConversation, body: Json): Promise<PostOutcome> {
  try {
    const r = await http('POST', `${baseUrl}/v3/directline/conversations/${c.conversationId}/activities`, { token: c.token, body });
    if (r.status === 200 && typeof r.body?.id === 'string') return { kind: 'acknowledged', id: r.body.id };
    return { kind: 'refused', status: r.status, body: r.body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'unanswered', error: cause?.code ?? cause?.message ?? String(err) };
  }
}

/** One page of `GET …/activities?watermark=`; throws on anything but 200. */
export async function getActivities(baseUrl: string, c: DirectLineConversation, watermark?: string): Promise<{ activities: Json[]; watermark: string }> {
  const q = watermark === undefined ? '' : `?watermark=${encodeURIComponent(watermark)}`;
  const r = await http('GET', `${baseUrl}/v3/directline/conversations/${c.conversationId}/activities${q}`, { token: c.token });
  if (r.status !== 200) throw new Error(`GET activities: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The whole history from the start, page after page (a page holds at most 100 activities). */
export async function readHistory(baseUrl: string, c: DirectLineConversation): Promise<Json[]> {
  const all: Json[] = [];
  let watermark: string | undefined;
  for (;;) {
    const page = await getActivities(baseUrl, c, watermark);
    if (page.activities.length === 0) return all;
    all.push(...page.activities);
    watermark = page.watermark;
  }
}

/** The watermark number a Direct Line activity id carries (`<conversation>|<watermark>`). */
export function watermarkOf(id: string): number {
  return Number(id.split('|')[1]);
}

/** Bot activities answering `id` in a history. */
export function repliesTo(history: readonly Json[], id: string): Json[] {
  return history.filter((a) => a.from?.role === 'bot' && a.replyToId === id);
}

/** A history in short lines (watermark, who, clientActivityID or replyToId, text), for failure messages. */
export function transcript(history: readonly Json[]): string {
  return history
    .map((a) => {
      const who = a.from?.role === 'user' ? `user ${a.channelData?.clientActivityID ?? ''}` : `bot  > ${watermarkOf(String(a.replyToId ?? '|0'))}`;
      return `${watermarkOf(a.id)} ${who} ${String(a.text ?? a.name ?? a.type).slice(0, 70).replace(/\n/g, ' ')}`;
    })
    .join('\n');
}

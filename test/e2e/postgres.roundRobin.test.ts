/**
 * Scale-out under load: two service processes on one PostgreSQL, and the test as a round-robin load
 * balancer: every request of every conversation goes to the other instance than the one before
 * (start, each POST, each poll). 20 conversations take 15 turns each, all at once; every third turn
 * the client also sends the same POST to the other instance at the same moment (a client retry racing
 * the original, as after a timeout behind a load balancer).
 *
 * Checked: each POST is acknowledged, the racing pair with the same id; each clientActivityID is in
 * the conversation once; each user activity is followed by exactly the replies the bot gives when
 * the same script runs in memory (so the conversation state advanced turn by turn as the answers
 * say, whichever instance ran the turn); watermarks never go back, and the pages a client polled,
 * put end to end, are the conversation's whole history: nothing lost, duplicated or reordered.
 */
import { SENTENCES } from '../bot/botHarness';
import { describePostgres, startPostgres, testConnectTimeout, type TestPostgres } from '../support/postgres';
import {
  expectedTranscript,
  getActivities,
  postActivity,
  procedureScript,
  readHistory,
  signature,
  startConversation,
  stepActivity,
  transcript,
  watermarkOf,
  type DirectLineConversation,
  type Json,
  type Step,
} from './loadSupport';
import { startServiceProcess, tempDir, type ServiceProcess } from './support';

jest.setTimeout(120_000);

const CONVERSATIONS = 20;
const TURNS = 15;
/** Every RACE_EVERY-th turn is also POSTed to the other instance at the same time. */
const RACE_EVERY = 3;
const FLOWS = Object.keys(SENTENCES);

describePostgres('two instances on PostgreSQL under load, round-robin', () => {
  let pg: TestPostgres | undefined;
  const services: ServiceProcess[] = [];
  const dirs = [tempDir('ariane-rr-a-'), tempDir('ariane-rr-b-')];

  beforeAll(async () => {
    pg = await startPostgres();
    const env = {
      DATABASE_URL: pg.url,
      ...testConnectTimeout,
      // One test client is many people: lift the abuse limits.
      ARIANE_MAX_ACTIVITIES_PER_MINUTE: '1000000',
      ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '1000000',
      ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '1000000',
    };
    // One after the other: the first creates the schema and the token key, the second reuses them.
    for (const dir of dirs) services.push(await startServiceProcess({ ...env, ARIANE_DATA_DIR: dir.path }));
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await pg?.stop();
    for (const d of dirs) d.remove();
  });

  test('20 conversations × 15 turns alternating between the instances: nothing lost or duplicated, state advanced turn by turn', async () => {
    const scripts = FLOWS.map((flow) => procedureScript(flow, TURNS));
    const expected = await Promise.all(scripts.map((s) => expectedTranscript(s)));

    const run = async (index: number) => {
      const steps: Step[] = scripts[index % FLOWS.length]!;
      const exp = expected[index % FLOWS.length]!;
      // The balancer: each request to the other instance than the previous one.
      let requests = index;
      const next = () => services[requests++ % 2]!.url;
      const conversation: DirectLineConversation = await startConversation(next());
      const polled: Json[] = [];
      const watermarks: number[] = [];
      let watermark: string | undefined;
      const poll = async () => {
        const page = await getActivities(next(), conversation, watermark);
        watermarks.push(Number(page.watermark));
        polled.push(...page.activities);
        watermark = page.watermark;
      };
      const ids: string[] = [];
      for (const [i, step] of steps.entries()) {
        const clientActivityID = `c${index}-s${i}`;
        const body = stepActivity(step, clientActivityID);
        const outcomes = await Promise.all(i % RACE_EVERY === RACE_EVERY - 1 ? [postActivity(next(), conversation, body), postActivity(next(), conversation, body)] : [postActivity(next(), conversation, body)]);
        for (const o of outcomes) expect(o).toMatchObject({ kind: 'acknowledged', id: (outcomes[0] as { id?: string }).id });
        const id = (outcomes[0] as { id: string }).id;
        ids.push(id);
        // Read until all of this turn's replies are in (a person reads them before answering).
        const wanted = exp.replies[i]!.length;
        const end = Date.now() + 15_000;
        while (polled.filter((a) => a.replyToId === id).length < wanted) {
          if (Date.now() > end) throw new Error(`conversation ${index} step ${i}: ${wanted} replies expected\n${transcript(polled)}`);
          await poll();
          if (polled.filter((a) => a.replyToId === id).length < wanted) await new Promise((r) => setTimeout(r, 10));
        }
      }
      await poll();
      return { index, conversation, ids, polled, watermarks, exp, steps };
    };
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => run(i)));
    const elapsed = Date.now() - started;

    for (const r of results) {
      const history = await readHistory(services[r.index % 2]!.url, r.conversation);
      const historyIds = history.map((a) => a.id as string);
      const context = `conversation ${r.index}\n${transcript(history)}`;
      // Every activity once, watermarks 1..n with no gap.
      expect(new Set(historyIds).size).toBe(historyIds.length);
      expect(historyIds.map(watermarkOf)).toEqual(historyIds.map((_, i) => i + 1));
      // What the client polled, page after page across both instances, is the whole history.
      expect(r.polled.map((a) => a.id)).toEqual(historyIds);
      for (let i = 1; i < r.watermarks.length; i++) expect(r.watermarks[i]!).toBeGreaterThanOrEqual(r.watermarks[i - 1]!);
      // The welcome, then each user activity once, in order, followed by exactly its replies.
      const want = [...r.exp.welcome];
      const got: string[] = [];
      for (const [i, step] of r.steps.entries()) {
        want.push(JSON.stringify({ user: `c${r.index}-s${i}`, text: stepActivity(step, '').text }), ...r.exp.replies[i]!);
      }
      for (const a of history) {
        if (a.from?.role === 'user') got.push(JSON.stringify({ user: a.channelData?.clientActivityID, text: a.text }));
        else got.push(signature(a));
      }
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${context}\nexpected:\n${want.join('\n')}`);
      expect(got).toEqual(want);
      // The replies answer the ids the POSTs were acknowledged with.
      const users = history.filter((a) => a.from?.role === 'user');
      expect(users.map((a) => a.id)).toEqual(r.ids);
      for (const a of history.filter((x) => x.from?.role === 'bot').slice(r.exp.welcome.length)) expect(r.ids).toContain(a.replyToId);
    }
    console.log(`two instances on PostgreSQL: ${CONVERSATIONS} × ${TURNS} turns in ${elapsed} ms (${Math.round((CONVERSATIONS * TURNS * 1000) / elapsed)} turns/s)`);
  });
});

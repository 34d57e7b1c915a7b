/**
 * Two instances on one PostgreSQL (issue 17 items 4 and 5): a message posted through instance A
 * reaches a WebSocket stream open on instance B by the wake-up on append (LISTEN/NOTIFY), not by
 * polling (B's streams are set to poll once an hour); and the limits are one budget for both, not
 * one each. Both instances run in this process, each with its own store, pool and listening
 * connection, as two processes would.
 */
import WebSocket from 'ws';
import { startInProcess } from '../server/serviceHarness';
import { describePostgres, startPostgres, testConnectTimeout, type TestPostgres } from '../support/postgres';
import { http, waitFor } from './support';

jest.setTimeout(60_000);

type Frame = { activities: Array<{ id: string; type: string; text?: string; replyToId?: string; from: { role?: string } }>; watermark?: string };

describePostgres('two instances on PostgreSQL: streams and limits', () => {
  let pg: TestPostgres;
  let a: Awaited<ReturnType<typeof startInProcess>>;
  let b: Awaited<ReturnType<typeof startInProcess>>;

  beforeAll(async () => {
    pg = await startPostgres();
    const env = { DATABASE_URL: pg.url, ARIANE_MAX_TURNS_PER_IP_PER_MINUTE: '6', ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '4', ...testConnectTimeout };
    a = await startInProcess(env, { streamPollMs: 3_600_000 });
    b = await startInProcess(env, { streamPollMs: 3_600_000 });
  });
  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await pg?.stop();
  });

  test('a message posted on A, and its replies, reach the stream open on B', async () => {
    const started = await http('POST', `${a.url}/v3/directline/conversations`, { body: { locale: 'fr-FR' } });
    expect(started.status).toBe(201);
    const { conversationId, token } = started.body as { conversationId: string; token: string };
    // B's own stream URL for the conversation (a reconnect through B).
    const reconnect = await http('GET', `${b.url}/v3/directline/conversations/${conversationId}`, { token });
    expect(reconnect.body.streamUrl).toContain(new URL(b.url).host);
    const frames: Frame[] = [];
    const ws = new WebSocket(reconnect.body.streamUrl as string);
    ws.on('message', (m) => frames.push(JSON.parse(String(m)) as Frame));
    try {
      await waitFor(() => (frames.some((f) => f.activities.some((x) => /^Bonjour/.test(x.text ?? ''))) ? true : undefined), 10_000, 'the welcome on B');
      const posted = await http('POST', `${a.url}/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text: 'attestation caf' } });
      expect(posted.status).toBe(200);
      const id = posted.body.id as string;
      const reply = await waitFor(() => frames.flatMap((f) => f.activities).find((x) => x.replyToId === id), 20_000, 'the reply on B');
      expect(reply.text).toContain('Attestation CAF');
      // Everything stored reaches B, each activity once and in order (the person's message included).
      const streamed = () => frames.filter((f) => f.watermark !== undefined).flatMap((f) => f.activities).map((x) => x.id);
      const stored = (await http('GET', `${b.url}/v3/directline/conversations/${conversationId}/activities`, { token })).body.activities as Array<{ id: string }>;
      await waitFor(() => (streamed().length >= stored.length ? true : undefined), 20_000, 'every stored activity on B');
      expect(streamed()).toEqual(stored.map((x) => x.id));
      expect(streamed().filter((x) => x === id)).toHaveLength(1);
    } finally {
      ws.terminate();
    }
  });

  test('limits are one budget for both instances: conversation starts and turns per address, alternating', async () => {
    // The stream test above started one conversation and posted one message from this address.
    const starts = [];
    for (let i = 0; i < 4; i++) starts.push(await http('POST', `${(i % 2 ? b : a).url}/v3/directline/conversations`, { body: {} }));
    expect(starts.map((r) => r.status)).toEqual([201, 201, 201, 429]);
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const c = starts[i % 3]!.body as { conversationId: string; token: string };
      const via = i % 2 ? b : a;
      statuses.push((await http('POST', `${via.url}/v3/directline/conversations/${c.conversationId}/activities`, { token: c.token, body: { type: 'message', text: 'bonjour' } })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

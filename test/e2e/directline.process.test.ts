/**
 * The real service process (`node dist/main.js`, embedded SQLite store) driven by the official
 * `botframework-directlinejs` client: welcome, a whole procedure, the person's own activity echoed
 * as Web Chat needs it, idempotent retries, and a crash (`kill -9`) in the middle of a conversation
 * followed by a restart and a reconnect that continues at the same question.
 */
import { translate } from '../../src/i18n';
import { scenarioOf, type ScenarioAnswer } from '../bot/botHarness';
import { buttons, TestClient, textOf } from './directLineClient';
import { http, startServiceProcess, tempDir, type ServiceProcess } from './support';

jest.setTimeout(60_000);

describe('Direct Line with the official client against the service process', () => {
  const data = tempDir('ariane-e2e-');
  let service: ServiceProcess | undefined;
  const clients: TestClient[] = [];

  afterAll(async () => {
    for (const c of clients) c.end();
    await service?.stop();
    data.remove();
  });

  test('welcome, procedure, echo, kill -9, restart, reconnect, continue at the same question', async () => {
    service = await startServiceProcess({ ARIANE_DATA_DIR: data.path });
    const client = new TestClient(service.url, { conversationStartProperties: { locale: 'fr-FR' } });
    clients.push(client);

    // The welcome is in the stream before the person types.
    const welcome = await client.welcome();
    expect(welcome.text).toMatch(/^Bonjour/);
    expect(welcome.from).toMatchObject({ id: 'ariane', role: 'bot' });
    expect(typeof welcome.timestamp).toBe('string');
    expect(welcome.conversation?.id).toBe(client.conversationId);

    // A sentence picks the procedure; the person's activity comes back with the POST's id.
    const id = await client.post({ text: 'je voudrais mon attestation de la caf', channelData: { clientActivityID: 'client-1' } });
    const replies = await client.repliesTo(id);
    const echo = client.activities.find((a) => a.id === id)!;
    expect(echo).toMatchObject({ type: 'message', from: { id: client.userId, role: 'user' }, channelData: { clientActivityID: 'client-1' } });
    expect(textOf(replies)).toContain('Attestation CAF');
    for (const r of replies) expect(r).toMatchObject({ replyToId: id, from: { id: 'ariane', role: 'bot' } });
    expect(buttons(replies)).toEqual(['oui', 'non']);

    // The same POST again (a client retry) is processed once and gets the same id.
    const again = await http('POST', `${service.url}/v3/directline/conversations/${client.conversationId}/activities`, {
      token: client.token,
      body: { type: 'message', from: { id: client.userId }, text: 'je voudrais mon attestation de la caf', channelData: { clientActivityID: 'client-1' } },
    });
    expect(again).toMatchObject({ status: 200, body: { id } });

    // Answers from the flow's own scenario file; the server is killed in the middle.
    const answers = scenarioOf('caf-attestation', 'end').answers;
    const answer = (c: TestClient, a: ScenarioAnswer) => (typeof a === 'object' ? c.click(a.choice) : c.say(String(a)));
    const cut = 3;
    let lastBefore: Awaited<ReturnType<TestClient['say']>> = [];
    for (const a of answers.slice(0, cut)) lastBefore = await answer(client, a);
    const questionBefore = lastBefore.filter((x) => x.suggestedActions).pop()!;
    expect(questionBefore).toBeDefined();
    const watermark = client.watermark;
    const seen = client.activities.length;

    // Crash: kill -9, then restart on the same data directory and port.
    await service.kill();
    client.end();
    service = await startServiceProcess({ ARIANE_DATA_DIR: data.path, PORT: String(service.port) });

    // Reconnect to the same conversation with the token and watermark the page kept.
    const resumed = new TestClient(service.url, { token: client.token, conversationId: client.conversationId, watermark });
    clients.push(resumed);

    // Nothing was lost: reading from the start gives every activity once, in order, ending on the
    // question that was waiting when the server died.
    const replay = await http('GET', `${service.url}/v3/directline/conversations/${client.conversationId}/activities`, { token: client.token });
    expect(replay.status).toBe(200);
    const ids = replay.body.activities.map((a: { id: string }) => a.id);
    expect(ids).toEqual(client.activities.map((a) => a.id));
    expect(ids).toHaveLength(seen);
    expect(replay.body.activities[ids.length - 1].text).toBe(questionBefore.text);

    // The conversation continues at that question and the procedure finishes.
    let last: Awaited<ReturnType<TestClient['say']>> = [];
    for (const a of answers.slice(cut)) last = await answer(resumed, a);
    expect(last[last.length - 1]!.text).toBe(translate({ key: 'bot:end' }, 'fr'));
    const finalIds = resumed.activities.map((a) => a.id);
    expect(new Set(finalIds).size).toBe(finalIds.length);

    // SIGTERM: a clean stop (exit code 0).
    resumed.end();
    await service.stop();
    expect(service.child.exitCode).toBe(0);
  });
});

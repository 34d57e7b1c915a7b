/**
 * The real service process (`node dist/main.js`, embedded SQLite store) driven by the official
 * `botframework-directlinejs` client: welcome, a whole procedure, the person's own activity echoed
 * as Web Chat needs it, idempotent retries, and a crash (`kill -9`) in the middle of a conversation
 * followed by a restart and a reconnect that continues at the same question.
 */
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

    await client.click('oui');
    const question = await client.say('paiement');
    expect(textOf(question)).toMatch(/internet/);
    const watermark = client.watermark;
    const seen = client.activities.length;

    // Crash: kill -9, then restart on the same data directory and port.
    await service.kill();
    client.end();
    service = await startServiceProcess({ ARIANE_DATA_DIR: data.path, PORT: String(service.port) });

    // Reconnect to the same conversation with the token and watermark the page kept.
    const resumed = new TestClient(service.url, { token: client.token, conversationId: client.conversationId, watermark });
    clients.push(resumed);
    const next = await resumed.say('oui');
    expect(textOf(next)).toMatch(/sécurité sociale/);
    expect(buttons(next)).toEqual(['definitif', 'provisoire', 'inconnu']);

    // Nothing was lost: a client reading from the start gets every activity once, in order.
    const replay = await http('GET', `${service.url}/v3/directline/conversations/${client.conversationId}/activities`, { token: resumed.token });
    expect(replay.status).toBe(200);
    const ids = replay.body.activities.map((a: { id: string }) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, seen)).toEqual(client.activities.map((a) => a.id));
    expect(replay.body.watermark).toBe(String(ids.length));

    // And the procedure finishes.
    await resumed.say('1');
    await resumed.say("j'ai deja un compte");
    await resumed.click('done');
    await resumed.click('done');
    const end = await resumed.click('done');
    expect(textOf(end)).toMatch(/Bravo/);
  });
});

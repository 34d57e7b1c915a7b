/**
 * Scale-out: two service processes on one PostgreSQL serve the same Direct Line conversation
 * alternately (as a round-robin load balancer would send them), with nothing lost, duplicated or
 * reordered, and tokens issued by one accepted by the other (the signing key is shared through the
 * store). Starts a real, throw-away PostgreSQL (test/support/postgres).
 */
import { describePostgres, startPostgres, type TestPostgres } from '../support/postgres';
import { http, startServiceProcess, tempDir, type ServiceProcess } from './support';

jest.setTimeout(90_000);

describePostgres('two instances on PostgreSQL', () => {
  let pg: TestPostgres;
  const services: ServiceProcess[] = [];
  const dirs = [tempDir('ariane-pg-a-'), tempDir('ariane-pg-b-')];

  beforeAll(async () => {
    pg = await startPostgres();
    // One after the other: the first creates the schema and the token key, the second reuses them.
    for (const dir of dirs) services.push(await startServiceProcess({ DATABASE_URL: pg.url, ARIANE_DATA_DIR: dir.path }));
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await pg?.stop();
    for (const d of dirs) d.remove();
  });

  test('one conversation, requests alternating between the instances', async () => {
    const [a, b] = services as [ServiceProcess, ServiceProcess];
    const start = await http('POST', `${a.url}/v3/directline/conversations`, { body: { locale: 'fr-FR' } });
    expect(start.status).toBe(201);
    const { conversationId, token } = start.body as { conversationId: string; token: string };
    const path = `/v3/directline/conversations/${conversationId}`;

    // The welcome written by A is read through B, with A's token.
    const first = await http('GET', `${b.url}${path}/activities`, { token });
    expect(first.status).toBe(200);
    expect(first.body.activities[0].text).toMatch(/^Bonjour/);

    const answers = ['attestation caf', 'oui', 'paiement', 'oui', '1'];
    const ids: string[] = [];
    for (const [i, text] of answers.entries()) {
      const via = i % 2 === 0 ? b : a;
      const r = await http('POST', `${via.url}${path}/activities`, { token, body: { type: 'message', text, channelData: { clientActivityID: `c${i}` } } });
      expect(r.status).toBe(200);
      ids.push(r.body.id);
      // A client retry reaching the other instance is recognised as the same activity.
      const retry = await http('POST', `${(via === a ? b : a).url}${path}/activities`, { token, body: { type: 'message', text, channelData: { clientActivityID: `c${i}` } } });
      expect(retry.body.id).toBe(r.body.id);
    }

    // Refresh through one, reconnect through the other.
    const refreshed = await http('POST', `${a.url}/v3/directline/tokens/refresh`, { token });
    const reconnect = await http('GET', `${b.url}${path}?watermark=`, { token: refreshed.body.token });
    expect(reconnect.status).toBe(200);

    const all = await http('GET', `${a.url}${path}/activities`, { token: refreshed.body.token });
    const activities = all.body.activities as Array<{ id: string; text?: string; replyToId?: string; from: { role: string } }>;
    const allIds = activities.map((x) => x.id);
    expect(new Set(allIds).size).toBe(allIds.length);
    // Watermarks 1..n with no gaps, in order.
    expect(allIds.map((id) => Number(id.split('|')[1]))).toEqual(allIds.map((_, i) => i + 1));
    // Each user activity once, each followed by the bot's replies to it.
    const user = activities.filter((x) => x.from.role === 'user');
    expect(user.map((x) => x.text)).toEqual(answers);
    for (const id of ids) expect(activities.some((x) => x.replyToId === id)).toBe(true);
    // The conversation advanced across instances: the last question asks about the password.
    const last = activities[activities.length - 1]!;
    expect(last.text).toMatch(/mot de passe/);
  });
});

/** The Direct Line channel in-process (no HTTP): what it stores, limits and answers. */
import pino from 'pino';
import { ArianeBot, DirectLineChannel, TokenService } from '../../src/bot';
import { translate } from '../../src/i18n';
import { MemoryStore } from '../../src/store';
import { projectCatalog, realEngine } from './botHarness';

function setup(options: { activitiesPerMinute?: number; turnsPerIpPerMinute?: number; wakeUps?: boolean } = {}) {
  const { wakeUps, ...rest } = options;
  const store = new MemoryStore();
  const logger = pino({ level: 'silent' });
  const bot = new ArianeBot({ engine: realEngine, catalog: projectCatalog, kv: store.kv, translate, logger, languages: ['fr', 'en', 'ar'] });
  const channel = new DirectLineChannel({ log: store.log, commitTurn: (t) => store.commitTurn(t), bot, tokens: new TokenService('k'.repeat(32), 600), logger, ...rest, ...(wakeUps ? { appends: store.appends } : {}) });
  return { store, channel };
}

async function start(channel: DirectLineChannel) {
  const r = await channel.startConversation(undefined, { locale: 'en-GB' });
  expect(r.status).toBe(201);
  const { conversationId, token } = r.body as { conversationId: string; token: string };
  return { conversationId, auth: `Bearer ${token}` };
}

describe('DirectLineChannel', () => {
  test('the conversation locale reaches the bot: welcome in English', async () => {
    const { channel } = setup();
    const { conversationId, auth } = await start(channel);
    const list = await channel.getActivities(auth, conversationId, '');
    const first = (list.body as { activities: Array<{ text: string; locale: string }> }).activities[0]!;
    expect(first.locale).toBe('en');
    expect(first.text).not.toMatch(/Bonjour/);
  });

  test('a location (GeoCoordinates entity) is kept as two numbers; other entities are dropped', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const posted = await channel.postActivity(auth, conversationId, {
      type: 'message',
      entities: [{ type: 'mention', text: '<b>x</b>' }, { type: 'GeoCoordinates', latitude: 47.81, longitude: -1.95, name: 'chez moi' }],
    });
    expect(posted.status).toBe(200);
    const { activities } = await store.log.list(conversationId, undefined);
    const stored = activities.map((a) => a.activity).find((a) => a.entities !== undefined);
    expect(stored?.entities).toEqual([{ type: 'GeoCoordinates', latitude: 47.81, longitude: -1.95 }]);
    const bad = await channel.postActivity(auth, conversationId, { type: 'message', entities: [{ type: 'GeoCoordinates', latitude: 'x', longitude: 1 }] });
    expect(bad.status).toBe(400);
  });

  test('identifiers typed by the person are masked in the stored stream', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    await channel.postActivity(auth, conversationId, { type: 'message', text: 'my email is jean.dupont@example.com' });
    const all = await store.log.list(conversationId, undefined);
    expect(JSON.stringify(all)).not.toContain('jean.dupont@example.com');
  });

  test('a password typed on Direct Line is masked once, by the channel, and the bot still says it never needs one', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    await channel.postActivity(auth, conversationId, { type: 'message', text: 'my password is Soleil2024' });
    const all = await store.log.list(conversationId, undefined);
    expect(JSON.stringify(all)).not.toContain('Soleil2024');
    const said = all.activities.map((a) => a.activity.text).filter((t): t is string => typeof t === 'string');
    expect(said).toContain(translate({ key: 'engine:privacy.secret' }, 'en'));
  });

  test('typing is acknowledged but not stored; events are stored and reach the bot', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const before = (await store.log.list(conversationId, undefined)).activities.length;
    const typing = await channel.postActivity(auth, conversationId, { type: 'typing' });
    expect(typing.status).toBe(200);
    expect((await store.log.list(conversationId, undefined)).activities.length).toBe(before);
    const ev = await channel.postActivity(auth, conversationId, { type: 'event', name: 'webchat/join', value: { language: 'fr' } });
    expect(ev.status).toBe(200);
    expect((await store.log.list(conversationId, undefined)).activities.length).toBe(before + 1);
    expect((await channel.postActivity(auth, conversationId, { type: 'event' })).status).toBe(400);
  });

  test('too many messages in a minute: 429 with Retry-After', async () => {
    const { channel } = setup({ activitiesPerMinute: 3 });
    const { conversationId, auth } = await start(channel);
    for (let i = 0; i < 3; i++) expect((await channel.postActivity(auth, conversationId, { type: 'message', text: `m${i}` })).status).toBe(200);
    const limited = await channel.postActivity(auth, conversationId, { type: 'message', text: 'again' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers!['Retry-After'])).toBeGreaterThan(0);
  });

  test('concurrent posts on one conversation are processed in order, each once', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const texts = ['attestation caf', 'oui', 'paiement', 'oui'];
    const results = await Promise.all(texts.map((text, i) => channel.postActivity(auth, conversationId, { type: 'message', text, channelData: { clientActivityID: `c${i}` } })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const all = (await store.log.list(conversationId, undefined)).activities.map((a) => a.activity as { from: { role: string }; text?: string });
    expect(all.filter((a) => a.from.role === 'user').map((a) => a.text)).toEqual(texts);
    expect(all[all.length - 1]!.text).toMatch(/sécurité sociale|social security/);
  });

  test('a conversation that does not exist: 404; a bad watermark: 400', async () => {
    const { channel } = setup();
    const tokens = new TokenService('k'.repeat(32), 600);
    const ghost = tokens.issue('ghostconversation', 'u').token;
    expect((await channel.getActivities(`Bearer ${ghost}`, 'ghostconversation', '')).status).toBe(404);
    const { conversationId, auth } = await start(channel);
    expect((await channel.getActivities(auth, conversationId, '-1')).status).toBe(400);
    expect((await channel.getActivities(auth, conversationId, ['1', '2'])).status).toBe(400);
  });
});

describe('DirectLineChannel: one transaction per turn', () => {
  const replies = async (store: MemoryStore, conversationId: string, id: string) => (await store.log.list(conversationId, undefined)).activities.filter((a) => a.activity.replyToId === id);

  test('the message, the state and the replies are stored together: a retry of a stored message gets its id and its replies, and runs nothing', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const commits = jest.spyOn(store, 'commitTurn');
    const first = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf', channelData: { clientActivityID: 'm-1' } });
    const id = (first.body as { id: string }).id;
    expect(commits).toHaveBeenCalledTimes(1);
    const turn = commits.mock.calls[0]![0];
    // The message first, its replies after it, and the conversation state, in one call.
    // The client's id is stored sealed (see ClientIdSeal), and given back as sent.
    expect(turn.appends[0]!.clientActivityId).toMatch(/^s1\./);
    expect(JSON.stringify(await store.log.list(conversationId, undefined))).not.toContain('"m-1"');
    const echoed = (await channel.getActivities(auth, conversationId, '')).body as { activities: Array<{ id: string; channelData?: { clientActivityID?: string } }> };
    expect(echoed.activities.find((a) => a.id === id)?.channelData?.clientActivityID).toBe('m-1');
    expect(turn.appends.slice(1).every((a) => a.replyTo === 0)).toBe(true);
    expect(turn.kv.map((w) => w.key)).toEqual([`state/directline/${conversationId}`]);
    const answered = await replies(store, conversationId, id);
    expect(answered.length).toBeGreaterThan(0);
    const stateBefore = JSON.stringify((await store.kv.scan('state/'))[0]!.value);
    const retry = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf', channelData: { clientActivityID: 'm-1' } });
    expect((retry.body as { id: string }).id).toBe(id);
    expect(await replies(store, conversationId, id)).toHaveLength(answered.length);
    expect(JSON.stringify((await store.kv.scan('state/'))[0]!.value)).toBe(stateBefore);
  });

  test('a turn whose commit fails stores nothing of it: the message is not in the stream, the state has not moved, and the retry runs it once', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const before = (await store.log.list(conversationId, undefined)).activities.length;
    const stateBefore = JSON.stringify((await store.kv.scan('state/'))[0]!.value);
    const real = store.commitTurn.bind(store);
    const spy = jest.spyOn(store, 'commitTurn').mockRejectedValueOnce(new Error('disk full')).mockRejectedValueOnce(new Error('disk full'));
    await expect(channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf', channelData: { clientActivityID: 'm-2' } })).rejects.toThrow();
    expect((await store.log.list(conversationId, undefined)).activities.length).toBe(before);
    expect(JSON.stringify((await store.kv.scan('state/'))[0]!.value)).toBe(stateBefore);
    spy.mockImplementation(real);
    const retry = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf', channelData: { clientActivityID: 'm-2' } });
    const id = (retry.body as { id: string }).id;
    expect((await replies(store, conversationId, id)).length).toBeGreaterThan(0);
    const echoed = (await channel.getActivities(auth, conversationId, '')).body as { activities: Array<{ channelData?: { clientActivityID?: string } }> };
    expect(echoed.activities.filter((a) => a.channelData?.clientActivityID === 'm-2')).toHaveLength(1);
  });
});

describe('DirectLineChannel streams', () => {
  type Frame = { activities: Array<{ id: string; type: string; from?: { role?: string }; replyToId?: string }>; watermark?: string };
  /** The frames of stored activities (typing indicators come between them, with no watermark). */
  const stored = (frames: Frame[]) => frames.filter((f) => f.watermark !== undefined);
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(ok()).toBe(true);
  };

  test('what this process appends is pushed once, in order, without reading the store again', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const frames: Frame[] = [];
    const lists = jest.spyOn(store.log, 'list');
    const stop = channel.openStream(conversationId, undefined, (json) => frames.push(JSON.parse(json) as Frame), 60_000);
    await until(() => frames.length > 0);
    const welcome = frames.flatMap((f) => f.activities).length;
    expect(welcome).toBeGreaterThan(0);
    const listsAfterFirstPage = lists.mock.calls.length;
    const posted = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf' });
    const postId = (posted.body as { id: string }).id;
    await until(() => frames.some((f) => f.activities.some((a) => a.replyToId === postId)));
    const listsDuringTurn = lists.mock.calls.length - listsAfterFirstPage;
    const all = stored(frames).flatMap((f) => f.activities);
    expect(new Set(all.map((a) => a.id)).size).toBe(all.length);
    expect(all.map((a) => a.id)).toEqual((await store.log.list(conversationId, undefined)).activities.map((a) => a.id));
    expect(stored(frames).map((f) => Number(f.watermark))).toEqual([...stored(frames).map((f) => Number(f.watermark))].sort((a, b) => a - b));
    // The user's activity and the replies came from the appends themselves.
    expect(listsDuringTurn).toBe(0);
    stop();
  });

  test('an append by another instance (a gap) is read from the store, and nothing is sent twice', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const frames: Frame[] = [];
    const stop = channel.openStream(conversationId, undefined, (json) => frames.push(JSON.parse(json) as Frame), 20);
    await until(() => frames.length > 0);
    // Another instance, sharing the store, answers something this process never saw.
    await store.log.append(conversationId, { type: 'message', text: 'from elsewhere', from: { id: 'ariane', role: 'bot' } });
    await until(() => frames.some((f) => f.activities.some((a) => (a as { text?: string }).text === 'from elsewhere')));
    const posted = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf' });
    const postId = (posted.body as { id: string }).id;
    await until(() => frames.some((f) => f.activities.some((a) => a.replyToId === postId)));
    await new Promise((r) => setTimeout(r, 60)); // a few more polls: they must add nothing
    const all = stored(frames).flatMap((f) => f.activities).map((a) => a.id);
    expect(all).toEqual((await store.log.list(conversationId, undefined)).activities.map((a) => a.id));
    stop();
  });

  test('woken by the store: another instance\'s append reaches the stream with no poll, and an idle stream reads nothing', async () => {
    const { channel, store } = setup({ wakeUps: true });
    const { conversationId, auth } = await start(channel);
    const frames: Frame[] = [];
    const lists = jest.spyOn(store.log, 'list');
    // A poll an hour away: whatever arrives came from a wake-up.
    const stop = channel.openStream(conversationId, undefined, (json) => frames.push(JSON.parse(json) as Frame), 3_600_000);
    await until(() => frames.length > 0);
    const afterFirstPage = lists.mock.calls.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(lists.mock.calls.length).toBe(afterFirstPage);
    await store.log.append(conversationId, { type: 'message', text: 'from elsewhere', from: { id: 'ariane', role: 'bot' } });
    await until(() => frames.some((f) => f.activities.some((a) => (a as { text?: string }).text === 'from elsewhere')));
    // This process's own turn is pushed from its appends: its wake-ups cost no read.
    const readsBefore = lists.mock.calls.length;
    const posted = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf' });
    const postId = (posted.body as { id: string }).id;
    await until(() => frames.some((f) => f.activities.some((a) => a.replyToId === postId)));
    await new Promise((r) => setTimeout(r, 50));
    expect(lists.mock.calls.length).toBe(readsBefore);
    const all = stored(frames).flatMap((f) => f.activities).map((a) => a.id);
    expect(all).toEqual((await store.log.list(conversationId, undefined)).activities.map((a) => a.id));
    stop();
    // Stopped: unsubscribed, so later appends wake nothing.
    const readsStopped = lists.mock.calls.length;
    await store.log.append(conversationId, { type: 'message', text: 'after', from: { id: 'ariane', role: 'bot' } });
    await new Promise((r) => setTimeout(r, 50));
    expect(lists.mock.calls.length).toBe(readsStopped);
  });

  test('while a turn runs, the bot is typing on the stream (before its replies); typing is never stored', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const frames: Frame[] = [];
    const stop = channel.openStream(conversationId, undefined, (json) => frames.push(JSON.parse(json) as Frame), 60_000);
    await until(() => frames.length > 0);
    const posted = await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf' });
    const postId = (posted.body as { id: string }).id;
    await until(() => frames.some((f) => f.activities.some((a) => a.replyToId === postId)));
    const typing = frames.findIndex((f) => f.activities.some((a) => a.type === 'typing'));
    const firstReply = frames.findIndex((f) => f.activities.some((a) => a.replyToId === postId));
    expect(typing).toBeGreaterThanOrEqual(0);
    expect(typing).toBeLessThan(firstReply);
    expect(frames[typing]!.activities).toEqual([expect.objectContaining({ type: 'typing', from: expect.objectContaining({ role: 'bot' }) })]);
    expect((await store.log.list(conversationId, undefined)).activities.some((a) => a.activity.type === 'typing')).toBe(false);
    stop();
  });

  test('a stream opened at a watermark starts after it', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    await channel.postActivity(auth, conversationId, { type: 'message', text: 'attestation caf' });
    const page = await store.log.list(conversationId, undefined);
    const frames: Frame[] = [];
    const stop = channel.openStream(conversationId, 1, (json) => frames.push(JSON.parse(json) as Frame), 60_000);
    await until(() => frames.length > 0);
    expect(frames.flatMap((f) => f.activities).map((a) => a.id)).toEqual(page.activities.slice(1).map((a) => a.id));
    stop();
  });
});

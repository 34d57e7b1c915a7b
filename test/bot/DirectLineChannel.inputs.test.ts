/**
 * What the Direct Line channel accepts from a client and how it keeps it: files refused with a
 * reason, `endOfConversation` accepted, the client's `channelData` kept (masked, within a size),
 * every free field masked before it is stored or logged, refresh errors named right.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { ArianeBot, DirectLineChannel, TokenService } from '../../src/bot';
import { type BotEngine } from '../../src/bot/ArianeBot';
import { choiceValue } from '../../src/engine';
import { translate } from '../../src/i18n';
import { maskPersonalDataDeep } from '../../src/privacy';
import { MemoryStore } from '../../src/store';
import { projectCatalog, realEngine } from './botHarness';

/** Identifiers as people type them (issue 17): glued to letters, odd separators, full-width digits… */
const VARIANTS = ['secu185057800608436', 'tel0612345678', '06/12/34/56/78', '06  12  34  56  78', '０６１２３４５６７８', '3782 822463 10005', 'marie.dupont @ example.fr', 'marie.dupont(at)example.fr'];
/** …and what must survive masking: a postcode, an amount, a date. */
const NEAR_MISSES = ['33000', '12,50 €', '05/01/2026'];

function setup(options: { engine?: BotEngine } = {}) {
  const store = new MemoryStore();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: 'trace' }, sink);
  const bot = new ArianeBot({ engine: options.engine ?? realEngine, catalog: projectCatalog, kv: store.kv, translate, logger, languages: ['fr', 'en', 'ar'] });
  const tokens = new TokenService('k'.repeat(32), 600);
  const channel = new DirectLineChannel({ log: store.log, commitTurn: (t) => store.commitTurn(t), bot, tokens, logger });
  return { store, channel, tokens, lines };
}

async function start(channel: DirectLineChannel) {
  const r = await channel.startConversation(undefined, {});
  const { conversationId, token } = r.body as { conversationId: string; token: string };
  return { conversationId, auth: `Bearer ${token}` };
}

describe('files and photos', () => {
  test('an activity with attachments: 415 NotSupported, saying why in French and English, and nothing stored', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const before = (await store.log.list(conversationId, undefined)).activities.length;
    const r = await channel.postActivity(auth, conversationId, {
      type: 'message',
      text: 'voici ma carte',
      attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://example.org/carte-identite.jpg', name: 'carte.jpg' }],
    });
    expect(r.status).toBe(415);
    const { error } = r.body as { error: { code: string; message: string } };
    expect(error.code).toBe('NotSupported');
    expect(error.message).toMatch(/ne sont pas acceptés/);
    expect(error.message).toMatch(/not accepted/);
    expect((await store.log.list(conversationId, undefined)).activities.length).toBe(before);
    // An empty list is no attachment; a list that is not one is a malformed activity.
    expect((await channel.postActivity(auth, conversationId, { type: 'message', text: 'bonjour', attachments: [] })).status).toBe(200);
    expect((await channel.postActivity(auth, conversationId, { type: 'message', text: 'bonjour', attachments: 'x' })).status).toBe(400);
  });

  test('upload (Web Chat\'s paperclip): 415 NotSupported for the conversation\'s own token, the usual refusals otherwise', async () => {
    const { channel } = setup();
    const { conversationId, auth } = await start(channel);
    const r = await channel.upload(auth, conversationId);
    expect(r.status).toBe(415);
    expect((r.body as { error: { code: string } }).error.code).toBe('NotSupported');
    expect((await channel.upload(undefined, conversationId)).status).toBe(401);
    const other = await start(channel);
    expect((await channel.upload(other.auth, conversationId)).status).toBe(403);
  });
});

describe('what a client sends besides text', () => {
  test('a client endOfConversation (the widget\'s « Quitter et effacer ») is accepted and stored', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    const r = await channel.postActivity(auth, conversationId, { type: 'endOfConversation', channelData: { clientActivityID: 'bye-1' } });
    expect(r.status).toBe(200);
    const { activities } = await store.log.list(conversationId, undefined);
    expect(activities.some((a) => a.activity.type === 'endOfConversation' && a.activity.from && (a.activity.from as { role: string }).role === 'user')).toBe(true);
  });

  test('channelData keys other than ours are kept and given back (masked); too large a channelData is refused', async () => {
    const { channel } = setup();
    const { conversationId, auth } = await start(channel);
    const r = await channel.postActivity(auth, conversationId, {
      type: 'message',
      text: 'bonjour',
      channelData: { clientActivityID: 'c-1', clientTimestamp: '2026-01-05T10:00:00.000Z', displayText: 'Oui', partner: { page: '/aides', note: 'rappeler au 06 12 34 56 78' } },
    });
    expect(r.status).toBe(200);
    const id = (r.body as { id: string }).id;
    const list = (await channel.getActivities(auth, conversationId, '')).body as { activities: Array<{ id: string; channelData?: Record<string, unknown> }> };
    const echoed = list.activities.find((a) => a.id === id)!;
    expect(echoed.channelData).toEqual({ clientActivityID: 'c-1', clientTimestamp: '2026-01-05T10:00:00.000Z', displayText: 'Oui', partner: { page: '/aides', note: 'rappeler au [phone masqué]' } });
    const big = await channel.postActivity(auth, conversationId, { type: 'message', text: 'x', channelData: { blob: 'a'.repeat(5000) } });
    expect(big.status).toBe(400);
  });

  test('refresh: a token that was never valid is Forbidden; one expired long ago is TokenExpired', async () => {
    let now = Date.parse('2026-01-05T10:00:00Z');
    const store = new MemoryStore();
    const logger = pino({ level: 'silent' });
    const bot = new ArianeBot({ engine: realEngine, catalog: projectCatalog, kv: store.kv, translate, logger, languages: ['fr'] });
    const tokens = new TokenService('k'.repeat(32), 600, () => now);
    const channel = new DirectLineChannel({ log: store.log, commitTurn: (t) => store.commitTurn(t), bot, tokens, logger, now: () => now, refreshGraceSeconds: 60 });
    const { auth } = await start(channel);
    const forged = await channel.refreshToken('Bearer not.a.token');
    expect(forged.status).toBe(403);
    expect((forged.body as { error: { code: string } }).error.code).toBe('Forbidden');
    const otherKey = new TokenService('z'.repeat(32), 600, () => now).issue('c', 'u').token;
    expect(((await channel.refreshToken(`Bearer ${otherKey}`)).body as { error: { code: string } }).error.code).toBe('Forbidden');
    now += 3_600_000;
    const expired = await channel.refreshToken(auth);
    expect(expired.status).toBe(403);
    expect((expired.body as { error: { code: string } }).error.code).toBe('TokenExpired');
  });
});

describe('every free field is masked before it is stored or logged', () => {
  test('text, from.name, value, value.choice (copied into the state), channelData and clientActivityID: no typed variant reaches the store or the logs', async () => {
    const { channel, store, lines } = setup();
    const { conversationId, auth } = await start(channel);
    for (const [i, v] of VARIANTS.entries()) {
      const r = await channel.postActivity(auth, conversationId, {
        type: 'message',
        text: `mon numéro ${v}`,
        from: { id: 'ignored', name: `Marie ${v}` },
        value: { choice: v, note: [`écrit ${v}`] },
        channelData: { clientActivityID: `id-${i}-${v}`, extra: { deep: v } },
      });
      expect(r.status).toBe(200);
    }
    // The retry of a message finds its turn by the client's id, sealed as it is.
    const again = await channel.postActivity(auth, conversationId, { type: 'message', text: `mon numéro ${VARIANTS[0]}`, channelData: { clientActivityID: `id-0-${VARIANTS[0]}` } });
    const { activities } = await store.log.list(conversationId, undefined, 1000);
    expect(activities.filter((a) => a.id === (again.body as { id: string }).id)).toHaveLength(1);
    const stored = JSON.stringify({ activities, kv: await store.kv.scan('') });
    const logs = lines.join('');
    for (const v of VARIANTS) {
      expect(stored).not.toContain(v);
      expect(logs).not.toContain(v);
    }
    // What the client gets back: its own ids as sent, the rest masked.
    const list = (await channel.getActivities(auth, conversationId, '')).body as { activities: Array<{ channelData?: { clientActivityID?: string }; from?: { name?: string; role?: string } }> };
    const mine = list.activities.filter((a) => a.from?.role === 'user');
    expect(mine.map((a) => a.channelData?.clientActivityID)).toEqual([...VARIANTS.map((v, i) => `id-${i}-${v}`)]);
    expect(mine.every((a) => !VARIANTS.some((v) => (a.from?.name ?? '').includes(v)))).toBe(true);
  });

  test('the same holds when the turn fails: the error log line carries no personal data', async () => {
    const failing: BotEngine = { converse: () => { throw new Error('engine down'); } };
    const { channel, store, lines } = setup({ engine: failing });
    const { conversationId, auth } = await start(channel);
    const v = VARIANTS[1]!;
    const r = await channel.postActivity(auth, conversationId, { type: 'message', text: v, from: { name: v }, value: { choice: v }, channelData: { clientActivityID: v, x: v } });
    expect(r.status).toBe(200);
    expect(lines.join('')).toMatch(/turn failed/);
    expect(lines.join('')).not.toContain(v);
    expect(JSON.stringify(await store.log.list(conversationId, undefined))).not.toContain(v);
  });

  test('postcodes, amounts and dates survive, and so does every button value of every flow', async () => {
    const { channel, store } = setup();
    const { conversationId, auth } = await start(channel);
    for (const n of NEAR_MISSES) await channel.postActivity(auth, conversationId, { type: 'message', text: n, value: { note: n } });
    const stored = JSON.stringify(await store.log.list(conversationId, undefined, 1000));
    for (const n of NEAR_MISSES) expect(stored).toContain(n);
    // Values are masked on their way in: a button's value that looked like an identifier would break.
    const values = [...projectCatalog().flows.values()].flatMap((f) =>
      Object.values(f.nodes).flatMap((node) => (node.kind === 'question' ? node.choices.map((c) => choiceValue(c)) : [])),
    );
    expect(values.length).toBeGreaterThan(50);
    expect(maskPersonalDataDeep(values).value).toEqual(values);
  });
});

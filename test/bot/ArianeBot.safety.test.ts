/**
 * The bot's safety nets: conditional state writes with one recomputed retry on a conflict, replies
 * sent only once; an error never leaves silence; an empty message answered kindly.
 */
import { ActivityTypes } from 'botbuilder';
import pino from 'pino';
import { Writable } from 'node:stream';
import { translate } from '../../src/i18n';
import { ConflictError, MemoryStore, type KeyValueStore, type WriteItem } from '../../src/store';
import { makeHarness, projectCatalog, realEngine, texts } from './botHarness';

/** A key-value store that lets a test slip another instance's write in between a turn's read and write. */
class RacingKv implements KeyValueStore {
  writes = 0;
  conflicts = 0;
  constructor(
    private readonly inner: KeyValueStore,
    private readonly race: (inner: KeyValueStore) => Promise<void>,
    private racesLeft = 1,
  ) {}
  get<T>(keys: string[]) {
    return this.inner.get<T>(keys);
  }
  async set(items: WriteItem[]) {
    if (this.racesLeft > 0) {
      this.racesLeft--;
      await this.race(this.inner);
    }
    this.writes++;
    try {
      return await this.inner.set(items);
    } catch (err) {
      if (err instanceof ConflictError) this.conflicts++;
      throw err;
    }
  }
  delete(keys: string[]) {
    return this.inner.delete(keys);
  }
  scan<T>(prefix: string) {
    return this.inner.scan<T>(prefix);
  }
  increment(key: string, deltas: Record<string, number>) {
    return this.inner.increment(key, deltas);
  }
}

describe('ArianeBot turn safety', () => {
  test('a concurrent write between read and write: the turn is recomputed once on fresh state, replies sent once', async () => {
    const store = new MemoryStore();
    let racing: RacingKv | undefined = undefined;
    const switching: KeyValueStore = {
      get: (k) => (racing ?? store.kv).get(k),
      set: (i) => (racing ?? store.kv).set(i),
      delete: (k) => (racing ?? store.kv).delete(k),
      scan: (p) => (racing ?? store.kv).scan(p),
      increment: (k, d) => (racing ?? store.kv).increment(k, d),
    };
    const h = makeHarness({ store, kv: switching });
    await h.join();
    await h.turn('attestation caf');
    // Another instance answers "oui" for this conversation while our turn for "oui" is in flight.
    racing = new RacingKv(store.kv, async (inner) => {
      const [current] = await inner.scan<{ state: unknown }>('state/');
      const next = realEngine.converse(projectCatalog(), current!.value.state as never, { kind: 'text', text: 'oui' });
      await inner.set([{ key: current!.key, value: { state: next.state }, etag: current!.etag }]);
    });
    const replies = await h.turn('paiement');
    expect(racing.conflicts).toBe(1);
    expect(racing.writes).toBe(2);
    // Recomputed on the state where "oui" was already taken: "paiement" answers the next question.
    expect(texts(replies)).toMatch(/internet/);
    // One turn's replies, once: what was understood ("paiement" is a synonym, echoed), then the question.
    const messages = replies.filter((a) => a.type === ActivityTypes.Message);
    expect(messages.map((a) => a.text)).toEqual([expect.stringMatching(/Attestation de paiement/), expect.stringMatching(/internet/)]);
    const [item] = await store.kv.scan<{ state: { answers: Record<string, unknown> } }>('state/');
    expect(Object.values(item!.value.state.answers)).toEqual(expect.arrayContaining(['oui', 'paiement']));
  });

  test('a turn failing twice on conflicts still answers (apology), never silence', async () => {
    const store = new MemoryStore();
    const always: KeyValueStore = {
      ...store.kv,
      get: (k) => store.kv.get(k),
      scan: (p) => store.kv.scan(p),
      set: async () => {
        throw new ConflictError('x');
      },
    };
    const h = makeHarness({ kv: always });
    const replies = await h.join();
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe(translate({ key: 'bot:error' }, 'fr'));
  });

  test('an engine error: short apology, human help offered, error logged with the conversation id', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
    const h = makeHarness({
      logger,
      engine: {
        ...realEngine,
        converse: () => {
          throw new Error('boom');
        },
      },
    });
    const replies = await h.turn('bonjour');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe(translate({ key: 'bot:error' }, 'fr'));
    const help = replies[0]!.suggestedActions!.actions[0]!;
    expect(help.title).toBe(translate({ key: 'bot:humanHelp' }, 'fr'));
    expect(help.value).toEqual({ choice: 'help' });
    const logged = JSON.parse(lines.join('').trim().split('\n')[0]!) as { conversationId: string; err: { message: string } };
    expect(logged.conversationId).toBe(h.adapter.conversation.conversation.id);
    expect(logged.err.message).toBe('boom');
  });

  test('a storage failure also gets the apology', async () => {
    const store = new MemoryStore();
    const broken: KeyValueStore = {
      ...store.kv,
      get: async () => {
        throw new Error('database down');
      },
    };
    const h = makeHarness({ kv: broken });
    const replies = await h.turn('bonjour');
    expect(replies[0]!.text).toBe(translate({ key: 'bot:error' }, 'fr'));
  });

  // Over-long texts never reach the bot: Direct Line answers 413 and /api/messages 400 (one length
  // check per turn, at the channel; see test/bot/DirectLineChannel.test.ts and test/fuzz).
  test('nothing to read: a kind sentence, no engine turn', async () => {
    const h = makeHarness();
    const empty = await h.turn({ type: ActivityTypes.Message, attachments: [{ contentType: 'image/png', contentUrl: 'x' }] });
    expect(empty[0]!.text).toBe(translate({ key: 'bot:textOnly' }, 'fr'));
    expect(await h.store.kv.scan('state/')).toHaveLength(0);
  });

  test('identifiers typed by the person are masked before the engine (and the state) see them', async () => {
    const h = makeHarness();
    await h.join();
    await h.turn('mon mail est jean.dupont@example.com attestation caf');
    const [item] = await h.store.kv.scan('state/');
    expect(JSON.stringify(item!.value)).not.toContain('jean.dupont@example.com');
  });

});

describe('a turn run again (crash between saving the state and storing the replies)', () => {
  const stateOf = async (h: ReturnType<typeof makeHarness>) => {
    const all = await h.store.kv.scan<{ state: { nodeId?: string; turn: number } }>('state/');
    return all[0]!.value.state;
  };

  test('the same activity saying the same thing gets the same replies, and the answer is applied once', async () => {
    const h = makeHarness();
    await h.join('fr-FR');
    await h.turn({ type: ActivityTypes.Message, id: 'a1', text: 'attestation caf' });
    const first = await h.turn({ type: ActivityTypes.Message, id: 'a2', text: 'oui' });
    const after = await stateOf(h);
    const again = await h.turn({ type: ActivityTypes.Message, id: 'a2', text: 'oui' });
    expect(texts(again)).toBe(texts(first));
    expect(await stateOf(h)).toEqual(after);
  });

  test('a reused id with another text is a new turn, not a replay', async () => {
    const h = makeHarness();
    await h.join('fr-FR');
    await h.turn({ type: ActivityTypes.Message, id: 'a1', text: 'attestation caf' });
    await h.turn({ type: ActivityTypes.Message, id: 'a2', text: 'oui' });
    const after = await stateOf(h);
    await h.turn({ type: ActivityTypes.Message, id: 'a2', text: 'recommencer' });
    expect((await stateOf(h)).turn).toBe(after.turn + 1);
  });
});

describe('a password or a secret code typed by mistake', () => {
  test('is masked, and the person is told once, kindly, that Ariane never needs it', async () => {
    const h = makeHarness();
    await h.join();
    await h.turn('attestation caf');
    const first = await h.turn('mon mot de passe caf est Soleil2024');
    const notice = translate({ key: 'engine:privacy.secret' }, 'fr');
    expect(texts(first)).toContain(notice);
    const [item] = await h.store.kv.scan('state/');
    expect(JSON.stringify(item!.value)).not.toContain('Soleil2024');
    const second = await h.turn('mon code est 482913');
    expect(texts(second)).not.toContain(notice);
    expect(JSON.stringify((await h.store.kv.scan('state/'))[0]!.value)).not.toContain('482913');
  });

  test('a postcode or an ordinary sentence brings no such notice', async () => {
    const h = makeHarness();
    await h.join();
    const replies = await h.turn('code postal 35000, je veux mon attestation caf');
    expect(texts(replies)).not.toContain(translate({ key: 'engine:privacy.secret' }, 'fr'));
  });
});

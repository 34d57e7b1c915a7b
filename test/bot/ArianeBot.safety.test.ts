/**
 * The bot's safety nets: conditional state writes with one recomputed retry on a conflict, replies
 * sent only once; an error never leaves silence; over-long and empty messages answered kindly.
 */
import { ActivityTypes, MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import pino from 'pino';
import { Writable } from 'node:stream';
import { translate } from '../../src/i18n';
import { ConflictError } from '../../src/store';
import { KeyValueStorage } from '../../src/bot';
import { MemoryStore } from '../../src/store';
import { makeHarness, projectCatalog, realEngine, texts } from './botHarness';

/** A Storage that lets a test slip another instance's write in between a turn's read and write. */
class RacingStorage implements Storage {
  writes = 0;
  conflicts = 0;
  constructor(
    private readonly inner: Storage,
    private readonly race: (inner: Storage) => Promise<void>,
    private racesLeft = 1,
  ) {}
  read(keys: string[]) {
    return this.inner.read(keys);
  }
  async write(changes: StoreItems) {
    if (this.racesLeft > 0) {
      this.racesLeft--;
      await this.race(this.inner);
    }
    this.writes++;
    try {
      await this.inner.write(changes);
    } catch (err) {
      if (err instanceof ConflictError) this.conflicts++;
      throw err;
    }
  }
  delete(keys: string[]) {
    return this.inner.delete(keys);
  }
}

describe('KeyValueStorage: real eTags over the store', () => {
  test('read gives the eTag; a write with a stale eTag is rejected and writes nothing', async () => {
    const storage = new KeyValueStorage(new MemoryStore().kv);
    await storage.write({ k: { n: 1, eTag: '*' } });
    const first = (await storage.read(['k'])).k!;
    expect(first.n).toBe(1);
    expect(typeof first.eTag).toBe('string');
    await storage.write({ k: { n: 2, eTag: first.eTag } });
    await expect(storage.write({ k: { n: 3, eTag: first.eTag } })).rejects.toBeInstanceOf(ConflictError);
    expect((await storage.read(['k'])).k!.n).toBe(2);
    // Create-only ('' = IF_ABSENT) fails when the item exists.
    await expect(storage.write({ k: { n: 4, eTag: '' } })).rejects.toBeInstanceOf(ConflictError);
    await storage.delete(['k']);
    expect(await storage.read(['k'])).toEqual({});
  });

  test('items expire after the retention period', async () => {
    let now = 1_000;
    const storage = new KeyValueStorage(new MemoryStore({ now: () => now }).kv, { ttlMs: 500, now: () => now });
    await storage.write({ k: { n: 1 } });
    now = 1_499;
    expect((await storage.read(['k'])).k).toBeDefined();
    now = 1_500;
    expect((await storage.read(['k'])).k).toBeUndefined();
  });
});

describe('ArianeBot turn safety', () => {
  test('a concurrent write between read and write: the turn is recomputed once on fresh state, replies sent once', async () => {
    const store = new MemoryStore();
    const base = new KeyValueStorage(store.kv);
    let racing: RacingStorage | undefined = undefined;
    const h = makeHarness({
      storage: {
        read: (k) => (racing ?? base).read(k),
        write: (c) => (racing ?? base).write(c),
        delete: (k) => (racing ?? base).delete(k),
      },
    });
    await h.join();
    await h.turn('attestation caf');
    // Another instance answers "oui" for this conversation while our turn for "oui" is in flight.
    racing = new RacingStorage(base, async (inner) => {
      const key = Object.keys(await store.kv.scan('state/').then((items) => Object.fromEntries(items.map((i) => [i.key, i]))))[0]!;
      const current = (await inner.read([key]))[key]!;
      const next = realEngine.converse(
        projectCatalog(),
        current.state,
        { kind: 'text', text: 'oui' },
      );
      await inner.write({ [key]: { state: next.state, eTag: current.eTag } });
    });
    const replies = await h.turn('paiement');
    expect(racing.conflicts).toBe(1);
    expect(racing.writes).toBe(2);
    // Recomputed on the state where "oui" was already taken: "paiement" answers the next question.
    expect(texts(replies)).toMatch(/internet/);
    expect(replies.filter((a) => a.type === ActivityTypes.Message)).toHaveLength(1);
    const [item] = await store.kv.scan<{ state: { answers: Record<string, unknown> } }>('state/');
    expect(Object.values(item!.value.state.answers)).toEqual(expect.arrayContaining(['oui', 'paiement']));
  });

  test('a turn failing twice on conflicts still answers (apology), never silence', async () => {
    const store = new MemoryStore();
    const base = new KeyValueStorage(store.kv);
    const always: Storage = {
      read: (k) => base.read(k),
      write: async () => {
        throw new ConflictError('x');
      },
      delete: (k) => base.delete(k),
    };
    const h = makeHarness({ storage: always });
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
    const broken: Storage = {
      read: async () => {
        throw new Error('database down');
      },
      write: async () => undefined,
      delete: async () => undefined,
    };
    const h = makeHarness({ storage: broken });
    const replies = await h.turn('bonjour');
    expect(replies[0]!.text).toBe(translate({ key: 'bot:error' }, 'fr'));
  });

  test('too long, or nothing to read: a kind sentence, no engine turn', async () => {
    const h = makeHarness();
    const long = await h.turn('a'.repeat(2001));
    expect(long[0]!.text).toBe(translate({ key: 'bot:tooLong' }, 'fr'));
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

  test('works over botbuilder MemoryStorage too (unit-test storage)', async () => {
    const h = makeHarness({ storage: new MemoryStorage() });
    const welcome = await h.join();
    expect(welcome[0]!.text).toMatch(/^Bonjour/);
    expect(texts(await h.turn('attestation caf'))).toContain('Attestation CAF');
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

/**
 * The one contract every Store implementation must honour, run against memory, SQLite and
 * PostgreSQL (see the *.test.ts files next to this one).
 */
import { ConflictError, IF_ABSENT, UnknownConversationError, type Store } from '../../src/store';

/** A test clock the stores read instead of Date.now. */
export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

/** Opens a fresh, empty store reading the given clock. */
export type OpenStore = (clock: Clock) => Promise<Store>;

const START = Date.UTC(2026, 0, 15, 10, 0, 0);

export function storeContract(name: string, open: OpenStore): void {
  describe(`${name} store contract`, () => {
    let time = START;
    const clock: Clock = { now: () => time, advance: (ms) => (time += ms) };
    let store: Store;

    beforeEach(async () => {
      time = START;
      store = await open(clock);
    });
    afterEach(async () => {
      await store.close();
    });

    test('ping answers', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    test('set, get and delete', async () => {
      const etags = await store.kv.set([
        { key: 'state/a', value: { step: 'q1', answers: { age: 30 } } },
        { key: 'state/b', value: [1, 'two', null] },
      ]);
      expect(Object.keys(etags).sort()).toEqual(['state/a', 'state/b']);
      expect(etags['state/a']).not.toEqual(etags['state/b']);
      const got = await store.kv.get(['state/a', 'state/b', 'state/missing']);
      expect(got).toEqual({
        'state/a': { value: { step: 'q1', answers: { age: 30 } }, etag: etags['state/a'] },
        'state/b': { value: [1, 'two', null], etag: etags['state/b'] },
      });
      await store.kv.delete(['state/a', 'state/never']);
      expect(await store.kv.get(['state/a', 'state/b'])).toEqual({ 'state/b': expect.anything() });
      expect(await store.kv.get([])).toEqual({});
    });

    test('values come back as JSON would bring them back, hostile text included', async () => {
      const text = 'nul\u0000 \u202Eevil \ud800 <script>alert(1)</script> [lien](javascript:x) é 🇫🇷 ' + 'x'.repeat(20_000);
      const value = { text, date: new Date(0), gone: undefined, deep: { a: [{ b: { c: [] } }] } };
      await store.kv.set([{ key: 'hostile', value }]);
      const back = (await store.kv.get(['hostile'])).hostile!.value;
      expect(back).toEqual(JSON.parse(JSON.stringify(value)));
      // The stored copy is not the caller's object.
      value.deep.a.push({ b: { c: [] } });
      expect((await store.kv.get<typeof value>(['hostile'])).hostile!.value.deep.a).toHaveLength(1);
    });

    test('a write with the current etag wins and changes the etag', async () => {
      const { k: e1 } = await store.kv.set([{ key: 'k', value: 1 }]);
      const { k: e2 } = await store.kv.set([{ key: 'k', value: 2, etag: e1 }]);
      expect(e2).toBeDefined();
      expect(e2).not.toEqual(e1);
      expect((await store.kv.get(['k'])).k).toEqual({ value: 2, etag: e2 });
    });

    test('a write with a stale etag throws ConflictError and writes nothing', async () => {
      const { k: e1 } = await store.kv.set([{ key: 'k', value: 1 }]);
      const { k: e2 } = await store.kv.set([{ key: 'k', value: 2, etag: e1 }]);
      const err = await store.kv.set([{ key: 'k', value: 3, etag: e1 }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).key).toBe('k');
      expect((await store.kv.get(['k'])).k).toEqual({ value: 2, etag: e2 });
    });

    test('an etag on an absent key conflicts (it was deleted meanwhile)', async () => {
      const { k: e1 } = await store.kv.set([{ key: 'k', value: 1 }]);
      await store.kv.delete(['k']);
      await expect(store.kv.set([{ key: 'k', value: 2, etag: e1 }])).rejects.toBeInstanceOf(ConflictError);
      expect(await store.kv.get(['k'])).toEqual({});
    });

    test("'*' and no etag write unconditionally", async () => {
      await store.kv.set([{ key: 'k', value: 1 }]);
      const { k: e2 } = await store.kv.set([{ key: 'k', value: 2, etag: '*' }]);
      expect((await store.kv.get(['k'])).k).toEqual({ value: 2, etag: e2 });
      const { k: e3 } = await store.kv.set([{ key: 'k', value: 3 }]);
      expect((await store.kv.get(['k'])).k).toEqual({ value: 3, etag: e3 });
      await store.kv.set([{ key: 'new', value: 'x', etag: '*' }]);
      expect((await store.kv.get(['new'])).new?.value).toBe('x');
    });

    test('IF_ABSENT creates only when the key holds no live item', async () => {
      const { k: e1 } = await store.kv.set([{ key: 'k', value: 'first', etag: IF_ABSENT }]);
      await expect(store.kv.set([{ key: 'k', value: 'second', etag: IF_ABSENT }])).rejects.toBeInstanceOf(ConflictError);
      expect((await store.kv.get(['k'])).k).toEqual({ value: 'first', etag: e1 });
      await store.kv.set([{ key: 'temp', value: 'old', expiresAt: clock.now() + 1000 }]);
      clock.advance(1000);
      await store.kv.set([{ key: 'temp', value: 'new', etag: IF_ABSENT }]);
      expect((await store.kv.get(['temp'])).temp?.value).toBe('new');
    });

    test('expired items are not returned, not matched, and purged', async () => {
      const now = clock.now();
      const etags = await store.kv.set([
        { key: 'x/short', value: 1, expiresAt: now + 1000 },
        { key: 'x/long', value: 2, expiresAt: now + 60_000 },
        { key: 'x/forever', value: 3 },
      ]);
      expect(Object.keys(await store.kv.get(['x/short', 'x/long', 'x/forever']))).toHaveLength(3);
      clock.advance(999);
      expect((await store.kv.get(['x/short']))['x/short']).toBeDefined();
      clock.advance(1);
      expect(await store.kv.get(['x/short'])).toEqual({});
      expect((await store.kv.scan('x/')).map((i) => i.key)).toEqual(['x/forever', 'x/long']);
      await expect(store.kv.set([{ key: 'x/short', value: 9, etag: etags['x/short'] }])).rejects.toBeInstanceOf(ConflictError);
      expect(await store.purge(clock.now())).toBe(1);
      expect(await store.purge(clock.now())).toBe(0);
      expect(await store.purge(now + 60_000)).toBe(1);
      expect((await store.kv.scan('x/')).map((i) => i.key)).toEqual(['x/forever']);
      // Writing an item without expiresAt clears a previous expiry.
      await store.kv.set([{ key: 'y', value: 1, expiresAt: clock.now() + 10 }]);
      await store.kv.set([{ key: 'y', value: 2 }]);
      clock.advance(100);
      expect((await store.kv.get(['y'])).y?.value).toBe(2);
    });

    test('a multi-write with one stale etag writes none of its items', async () => {
      const { a: ea, b: eb } = await store.kv.set([
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
      ]);
      await store.kv.set([{ key: 'b', value: 'b2', etag: eb }]);
      const err = await store.kv
        .set([
          { key: 'a', value: 'a2', etag: ea },
          { key: 'c', value: 'c1' },
          { key: 'b', value: 'b3', etag: eb },
        ])
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).key).toBe('b');
      const got = await store.kv.get(['a', 'b', 'c']);
      expect(got.a).toEqual({ value: 'a1', etag: ea });
      expect(got.b?.value).toBe('b2');
      expect(got.c).toBeUndefined();
    });

    test('concurrent writes: a conflict fails only its own call', async () => {
      const { k: e1 } = await store.kv.set([{ key: 'k', value: 0 }]);
      const results = await Promise.allSettled([
        store.kv.set([{ key: 'k', value: 'A', etag: e1 }]),
        store.kv.set([{ key: 'k', value: 'B', etag: e1 }]),
        store.kv.set([{ key: 'other', value: 'ok' }]),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      const got = await store.kv.get(['k', 'other']);
      expect(['A', 'B']).toContain(got.k?.value);
      expect(got.other?.value).toBe('ok');
    });

    test('a value JSON cannot hold fails its own call only, writing none of its items', async () => {
      const results = await Promise.allSettled([
        store.kv.set([
          { key: 'fine', value: 1 },
          { key: 'bad', value: { n: BigInt(1) } },
        ]),
        store.kv.set([{ key: 'neighbour', value: 'ok' }]),
      ]);
      expect(results[0].status).toBe('rejected');
      expect(results[1].status).toBe('fulfilled');
      expect(Object.keys(await store.kv.get(['fine', 'bad', 'neighbour']))).toEqual(['neighbour']);
    });

    test('increment adds to counters atomically, with no lost update', async () => {
      const first = await store.kv.increment('stats:f:n', { reached: 1 });
      expect(first.value).toEqual({ reached: 1 });
      expect((await store.kv.get(['stats:f:n']))['stats:f:n']).toEqual(first);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.kv.increment('stats:f:n', i % 3 ? { reached: 1 } : { reached: 1, help: 2 })),
      );
      expect((await store.kv.get(['stats:f:n']))['stats:f:n']?.value).toEqual({ reached: 31, help: 20 });
      // Other fields are kept; a live item's expiry too; a non-object refuses.
      await store.kv.set([{ key: 'mixed', value: { label: 'x', n: 'not a number' }, expiresAt: clock.now() + 1000 }]);
      expect((await store.kv.increment('mixed', { n: 2 })).value).toEqual({ label: 'x', n: 2 });
      clock.advance(1000);
      expect(await store.kv.get(['mixed'])).toEqual({});
      expect((await store.kv.increment('mixed', { n: 1 })).value).toEqual({ n: 1 });
      await store.kv.set([{ key: 'list', value: [1] }]);
      await expect(store.kv.increment('list', { n: 1 })).rejects.toThrow(/not a JSON object/);
      expect((await store.kv.get(['list'])).list?.value).toEqual([1]);
    });

    test('a conversation whose data JSON cannot hold fails alone; writes beside it succeed', async () => {
      await store.log.createConversation({ id: 'ok', userId: 'u', createdAt: 1 });
      const results = await Promise.allSettled([
        store.log.append('ok', { text: 'before' }),
        store.log.createConversation({ id: 'bad', userId: 'u', createdAt: 1, data: { n: BigInt(1) } }),
        store.kv.set([{ key: 'beside', value: 1 }]),
        store.log.append('ok', { text: 'after' }),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(await store.log.getConversation('bad')).toBeUndefined();
      expect((await store.log.list('ok', undefined)).activities.map((a) => a.activity.text)).toEqual(['before', 'after']);
      expect((await store.kv.get(['beside'])).beside?.value).toBe(1);
    });

    test('keys and ids with a NUL character: writes refused alike, lookups find nothing', async () => {
      await expect(store.kv.set([{ key: 'a\u0000b', value: 1 }])).rejects.toThrow(/NUL/);
      await expect(store.kv.increment('a\u0000b', { n: 1 })).rejects.toThrow(/NUL/);
      expect(await store.kv.get(['a\u0000b'])).toEqual({});
      expect(await store.kv.scan('a\u0000')).toEqual([]);
      await store.kv.delete(['a\u0000b']);
      await expect(store.log.createConversation({ id: 'c\u0000', userId: 'u', createdAt: 1 })).rejects.toThrow(/NUL/);
      await expect(store.log.createConversation({ id: 'c', userId: 'u\u0000', createdAt: 1 })).rejects.toThrow(/NUL/);
      expect(await store.log.getConversation('c\u0000')).toBeUndefined();
      expect(await store.log.list('c\u0000', 3)).toEqual({ activities: [], watermark: 3 });
      await expect(store.log.append('c\u0000', { text: 'x' })).rejects.toBeInstanceOf(UnknownConversationError);
      // A client activity id is the client's choice: it still works, idempotently.
      await store.log.createConversation({ id: 'c', userId: 'u', createdAt: 1 });
      const first = await store.log.append('c', { text: 'x' }, 'id\u0000');
      expect(await store.log.append('c', { text: 'x' }, 'id\u0000')).toEqual({ ...first, duplicate: true });
      expect((await store.log.append('c', { text: 'y' }, 'id')).duplicate).toBe(false);
    });

    test('scan returns live items under a prefix, in key order', async () => {
      await store.kv.set([
        { key: 'conv/b', value: 2 },
        { key: 'conv/a', value: 1 },
        { key: 'conv/a/sub', value: 3 },
        { key: 'conv0', value: 'not under conv/' },
        { key: 'conu', value: 'before' },
        { key: 'other/a', value: 4 },
        { key: 'conv/c', value: 5, expiresAt: clock.now() + 1 },
      ]);
      clock.advance(1);
      const items = await store.kv.scan<number>('conv/');
      expect(items.map((i) => i.key)).toEqual(['conv/a', 'conv/a/sub', 'conv/b']);
      expect(items[0]).toEqual({ key: 'conv/a', value: 1, etag: expect.any(String) });
      expect((await store.kv.scan('')).length).toBe(6);
      expect(await store.kv.scan('nothing/')).toEqual([]);
    });

    test('conversations are created once and read back', async () => {
      const record = { id: 'conv-1', userId: 'dl_user', createdAt: clock.now(), data: { locale: 'fr-FR' } };
      await store.log.createConversation(record);
      expect(await store.log.getConversation('conv-1')).toEqual(record);
      await expect(store.log.createConversation({ ...record, userId: 'someone else' })).rejects.toBeInstanceOf(ConflictError);
      expect((await store.log.getConversation('conv-1'))?.userId).toBe('dl_user');
      expect(await store.log.getConversation('conv-2')).toBeUndefined();
      await store.log.createConversation({ id: 'conv-3', userId: 'u', createdAt: 5 });
      expect(await store.log.getConversation('conv-3')).toEqual({ id: 'conv-3', userId: 'u', createdAt: 5 });
    });

    test('append assigns watermarks 1, 2, 3… per conversation; list pages by watermark', async () => {
      await store.log.createConversation({ id: 'c1', userId: 'u', createdAt: clock.now() });
      await store.log.createConversation({ id: 'c2', userId: 'u', createdAt: clock.now() });
      for (let i = 1; i <= 5; i++) {
        const entry = await store.log.append('c1', { type: 'message', text: `m${i}` });
        expect(entry).toEqual({ id: `c1|${String(i).padStart(7, '0')}`, watermark: i, activity: { type: 'message', text: `m${i}` }, duplicate: false });
      }
      expect((await store.log.append('c2', { text: 'other' })).watermark).toBe(1);
      const all = await store.log.list('c1', undefined);
      expect(all.activities.map((a) => a.activity.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      expect(all.watermark).toBe(5);
      expect(all.activities[2]).toEqual({ id: 'c1|0000003', watermark: 3, activity: { type: 'message', text: 'm3' } });
      const after2 = await store.log.list('c1', 2);
      expect(after2.activities.map((a) => a.watermark)).toEqual([3, 4, 5]);
      const page = await store.log.list('c1', 0, 2);
      expect(page).toEqual({ activities: [expect.objectContaining({ watermark: 1 }), expect.objectContaining({ watermark: 2 })], watermark: 2 });
      expect(await store.log.list('c1', 5)).toEqual({ activities: [], watermark: 5 });
      expect(await store.log.list('c1', 3, 0)).toEqual({ activities: [], watermark: 3 });
      expect(await store.log.list('unknown', undefined)).toEqual({ activities: [], watermark: 0 });
      expect(await store.log.list('unknown', 7)).toEqual({ activities: [], watermark: 7 });
    });

    test('append is idempotent on clientActivityId, per conversation', async () => {
      await store.log.createConversation({ id: 'c1', userId: 'u', createdAt: clock.now() });
      await store.log.createConversation({ id: 'c2', userId: 'u', createdAt: clock.now() });
      const first = await store.log.append('c1', { text: 'bonjour' }, 'client-1');
      const again = await store.log.append('c1', { text: 'bonjour (resent)' }, 'client-1');
      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ id: first.id, watermark: first.watermark, activity: { text: 'bonjour' }, duplicate: true });
      const elsewhere = await store.log.append('c2', { text: 'bonjour' }, 'client-1');
      expect(elsewhere).toMatchObject({ watermark: 1, duplicate: false });
      await store.log.append('c1', { text: 'no client id' });
      await store.log.append('c1', { text: 'no client id' });
      const next = await store.log.append('c1', { text: 'next' }, 'client-2');
      expect(next.watermark).toBe(4);
      expect((await store.log.list('c1', undefined)).activities.map((a) => a.activity.text)).toEqual([
        'bonjour',
        'no client id',
        'no client id',
        'next',
      ]);
    });

    test('concurrent appends get distinct, gap-free watermarks; concurrent duplicates append once', async () => {
      await store.log.createConversation({ id: 'c', userId: 'u', createdAt: clock.now() });
      const entries = await Promise.all(Array.from({ length: 40 }, (_, i) => store.log.append('c', { n: i })));
      expect(entries.map((e) => e.watermark).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      const dups = await Promise.all(Array.from({ length: 5 }, () => store.log.append('c', { text: 'same' }, 'retry')));
      expect(new Set(dups.map((d) => d.id)).size).toBe(1);
      expect(dups.filter((d) => !d.duplicate)).toHaveLength(1);
      expect((await store.log.list('c', 40)).activities).toHaveLength(1);
    });

    test('activities come back as JSON would bring them back, whatever they hold (compact log format)', async () => {
      const created = clock.now();
      await store.log.createConversation({ id: 'conv|x', userId: 'dl_user', createdAt: created });
      const iso = (ms: number) => new Date(ms).toISOString();
      const activities: Array<[Record<string, unknown>, string | undefined]> = [
        // As the channel writes them: ids, user and times the row knows.
        [{ type: 'message', channelId: 'directline', conversation: { id: 'conv|x' }, from: { id: 'dl_user', role: 'user' }, recipient: { id: 'ariane', name: 'Ariane', role: 'bot' }, timestamp: iso(created + 5), text: 'bonjour', channelData: { clientActivityID: 'c-1' } }, 'c-1'],
        [{ type: 'message', text: 'D’accord', replyToId: 'conv|x|0000001', conversation: { id: 'conv|x' }, from: { id: 'ariane', role: 'bot' }, recipient: { id: 'dl_user', role: 'user' }, timestamp: iso(created - 3) }, undefined],
        // Near misses and hostile text.
        [{ id: 'conv|x|12', replyToId: 'conv|y|0000001', timestamp: '2026-02-30T10:00:00.000Z', conversation: { id: 'conv|X' }, from: { id: 'dl_user ' } }, undefined],
        [{ text: 'del \x7f, nul \u0000, lone \ud800, rtl \u202e, <script>x</script> 🇫🇷', conversation: { id: 'conv|x' }, channelData: { clientActivityID: '\x7fk' } }, '\x7fk'],
        [JSON.parse('{"__proto__":{"id":"dl_user"},"from":{"id":"dl_user"},"value":{"__proto__":1}}') as Record<string, unknown>, undefined],
        [{ text: 'x'.repeat(100_000), when: new Date(created), gone: undefined }, undefined],
      ];
      const expected = activities.map(([a]) => JSON.parse(JSON.stringify(a)) as Record<string, unknown>);
      for (const [i, [activity, clientId]] of activities.entries()) {
        const entry = await store.log.append('conv|x', activity, clientId);
        expect(JSON.stringify(entry.activity)).toBe(JSON.stringify(expected[i]));
      }
      const listed = (await store.log.list('conv|x', undefined)).activities.map((a) => a.activity);
      expect(listed.map((a) => JSON.stringify(a))).toEqual(expected.map((a) => JSON.stringify(a)));
      expect(listed).toEqual(expected);
      expect((await store.log.append('conv|x', { text: 'resent' }, 'c-1')).activity).toEqual(expected[0]);
    });

    test('a conversation purged and created again under another user reads its new activities right', async () => {
      const day = 86_400_000;
      await store.log.createConversation({ id: 'again', userId: 'first', createdAt: clock.now() });
      await store.log.append('again', { from: { id: 'first' }, timestamp: new Date(clock.now()).toISOString() }, 'c');
      clock.advance(31 * day);
      await store.purge(clock.now(), clock.now() - 30 * day);
      await store.log.createConversation({ id: 'again', userId: 'second', createdAt: clock.now() + 7 });
      const activity = { from: { id: 'second' }, recipient: { id: 'first' }, timestamp: new Date(clock.now()).toISOString(), channelData: { clientActivityID: 'c' } };
      await store.log.append('again', activity, 'c');
      await store.log.append('again', { recipient: { id: 'second' }, replyToId: 'again|0000001' });
      expect((await store.log.list('again', undefined)).activities.map((a) => a.activity)).toEqual([
        activity,
        { recipient: { id: 'second' }, replyToId: 'again|0000001' },
      ]);
    });

    test('append to an unknown conversation throws UnknownConversationError', async () => {
      await expect(store.log.append('nope', { text: 'x' })).rejects.toBeInstanceOf(UnknownConversationError);
      await expect(store.log.append('nope', { text: 'x' }, 'cid')).rejects.toBeInstanceOf(UnknownConversationError);
    });

    test('purge removes conversations idle since the cut-off, with their activities', async () => {
      const day = 86_400_000;
      await store.log.createConversation({ id: 'old', userId: 'u', createdAt: clock.now() });
      await store.log.append('old', { text: 'old message' });
      await store.log.createConversation({ id: 'old-but-active', userId: 'u', createdAt: clock.now() });
      clock.advance(31 * day);
      await store.log.append('old-but-active', { text: 'still here' });
      await store.log.createConversation({ id: 'recent', userId: 'u', createdAt: clock.now() });
      await store.kv.set([{ key: 'expired', value: 1, expiresAt: clock.now() - 1 }]);
      const purged = await store.purge(clock.now(), clock.now() - 30 * day);
      expect(purged).toBe(2); // one item + one conversation
      expect(await store.log.getConversation('old')).toBeUndefined();
      expect(await store.log.list('old', undefined)).toEqual({ activities: [], watermark: 0 });
      expect(await store.log.getConversation('old-but-active')).toBeDefined();
      expect(await store.log.getConversation('recent')).toBeDefined();
      await expect(store.log.append('old', { text: 'late' })).rejects.toBeInstanceOf(UnknownConversationError);
      // The id can be used again, starting from watermark 1.
      await store.log.createConversation({ id: 'old', userId: 'u2', createdAt: clock.now() });
      expect((await store.log.append('old', { text: 'new life' })).watermark).toBe(1);
    });

    test('a closed store refuses work', async () => {
      await store.close();
      await expect(store.kv.get(['k'])).rejects.toThrow();
      await expect(store.kv.set([{ key: 'k', value: 1 }])).rejects.toThrow();
      await expect(store.ping()).rejects.toThrow();
      store = await open(clock); // afterEach closes this one
    });
  });
}

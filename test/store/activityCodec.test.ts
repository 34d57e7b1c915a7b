/**
 * The activity log's codec (src/store/activityCodec.ts): whatever an activity holds, decoding gives
 * back exactly its JSON copy (key order included); realistic activities shrink; old rows (JSON text)
 * still read; what cannot be read says so.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { ACTIVITY_DICTIONARY_1 } from '../../src/store/activityDictionary';
import { decodeActivity, encodeActivity, FORMAT, StoredActivityError, type ActivityContext } from '../../src/store/activityCodec';

const activityId = (conversationId: string, watermark: number) => `${conversationId}|${String(watermark).padStart(7, '0')}`;

/** Activities as the v1 store wrote them for a bench conversation (real channel output). */
const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'schema-v1.json'), 'utf8')) as {
  sqlite: { rows: { conversations: Array<{ id: string; user_id: string; created_at: number }>; activities: Array<{ watermark: number; client_activity_id: string | null; activity: string }> } };
};
const conv = fixture.sqlite.rows.conversations[0]!;
const realistic = fixture.sqlite.rows.activities.map((r) => ({
  activity: JSON.parse(r.activity) as Record<string, unknown>,
  context: { conversationId: conv.id, userId: conv.user_id, createdAt: conv.created_at, clientActivityId: r.client_activity_id } as ActivityContext,
}));

/** Decoding gives JSON.parse(JSON.stringify(activity)), with the same key order; so does `copy`. */
function expectRoundTrip(activity: unknown, context: ActivityContext): Buffer {
  const expected = JSON.stringify(activity) ?? 'null';
  const encoded = encodeActivity(activity, context);
  const back = decodeActivity(encoded.stored, context);
  expect(JSON.stringify(back)).toBe(expected);
  expect(back).toEqual(JSON.parse(expected));
  expect(JSON.stringify(encoded.copy)).toBe(expected);
  return encoded.stored;
}

const MAX_DATE = 8.64e15;
const contextArb: fc.Arbitrary<ActivityContext> = fc.record(
  {
    conversationId: fc.oneof(
      fc.constantFrom('', 'c', 'a|b', 'pUxK-O2zjOSK8JDk7m_6VA', '\x7f', '\x7fc'),
      fc.string({ maxLength: 24 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
    ),
    userId: fc.oneof(fc.constantFrom('dl_Hgc1UgJHpLq61CaalIt4OA', '', '\x7fu', 'ariane'), fc.string({ maxLength: 12 })),
    createdAt: fc.oneof(
      fc.integer({ min: -MAX_DATE, max: MAX_DATE }),
      fc.constantFrom(0, Date.UTC(2026, 10, 22, 9, 10, 55), 1.5, -0.25, Number.MAX_SAFE_INTEGER + 2),
    ),
    clientActivityId: fc.oneof(fc.constant(null), fc.constantFrom('bench-0-1', '', '\x7fk'), fc.string({ maxLength: 12 })),
  },
  { requiredKeys: ['conversationId'] },
);

/** Strings a row's context makes special, their near misses, and anything else. */
function stringFor(ctx: ActivityContext): fc.Arbitrary<string> {
  const id = ctx.conversationId;
  return fc.oneof(
    fc.constantFrom(id, ctx.userId ?? 'no user', ctx.clientActivityId ?? 'no client id', `${id}|`, `${id}|0000000`, `${id}|00000001`, `${id}|12345678`, `${id}|0000001x`, `${id}|+000001`),
    fc.integer({ min: 0, max: 1e12 }).map((n) => activityId(id, n)),
    fc.integer({ min: 0, max: 999_999 }).map((n) => `${id}|${n}`),
    fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }).map((ms) => new Date(ms).toISOString()),
    fc.integer({ min: -MAX_DATE, max: MAX_DATE }).map((ms) => new Date(ms).toISOString()),
    fc.constantFrom(
      ...['2026-02-30T10:00:00.000Z', '2026-01-15T24:00:00.000Z', '2026-01-15T10:00:00.000z', '2026-01-15T10:00:00Z', '2026-01-15 10:00:00.000Z', '2026-01-15T10:00:60.000Z'],
      ...['2026-01-15T1x:00:00.000Z', '2026-01-15T10:0x:00.000Z', '2026-01-15T10:00:0x.000Z', '2026-01-15T10:00:00.00xZ', '2026-1x-15T10:00:00.000Z', '2026-01-1xT10:00:00.000Z'],
      ...['0099-01-15T10:00:00.000Z', '2024-02-29T10:00:00.000Z', '2023-02-29T10:00:00.000Z', '1900-02-29T10:00:00.000Z', '2000-02-29T10:00:00.000Z', '2026-04-31T10:00:00.000Z'],
    ),
    fc.string({ maxLength: 8 }).map((s) => `\x7f${s}`),
    fc.string({ maxLength: 8 }).map((s) => `${s}\x7f`),
    fc.string({ maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
}

const KEYS = ['type', 'id', 'replyToId', 'timestamp', 'conversation', 'from', 'recipient', 'channelData', 'text', 'value', '__proto__', 'clientActivityID', 'name', 'role'];

/** Objects whose keys are Bot Framework's (and others), in any order, holding any of the above. */
function activityFor(ctx: ActivityContext): fc.Arbitrary<Record<string, unknown>> {
  const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown; o: Record<string, unknown> }>((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, stringFor(ctx), fc.jsonValue({ maxDepth: 2 }), tie('o'), fc.array(tie('v'), { maxLength: 3 })),
    o: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), tie('v')), { maxLength: 6 })
      .map((entries) => Object.fromEntries(entries)),
  })).v;
  return fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 6 })), value), { maxLength: 10 }).map((entries) => Object.fromEntries(entries));
}

/** An activity as the Direct Line channel writes one: mostly values of the context, else near misses. */
function channelActivityFor(ctx: ActivityContext): fc.Arbitrary<Record<string, unknown>> {
  const s = stringFor(ctx);
  const mostly = (usual: fc.Arbitrary<string>) => fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: s });
  const someId = fc.integer({ min: 1, max: 1e9 }).map((n) => activityId(ctx.conversationId, n));
  const party = (id: fc.Arbitrary<string>) =>
    fc.record({ id, name: fc.option(fc.constantFrom('', 'Ariane'), { nil: undefined }), role: fc.constantFrom('user', 'bot') }, { requiredKeys: ['id', 'role'] });
  const time = fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }).map((ms) => new Date(ms).toISOString());
  return fc
    .record(
      {
        type: fc.constantFrom('message', 'event'),
        id: mostly(someId),
        channelId: fc.constant('directline'),
        conversation: fc.record({ id: mostly(fc.constant(ctx.conversationId)) }),
        from: party(mostly(fc.constant(ctx.userId ?? 'ariane'))),
        recipient: party(mostly(fc.constantFrom(ctx.userId ?? 'ariane', 'ariane'))),
        timestamp: mostly(time),
        locale: fc.constantFrom('fr-FR', 'fr', 'ar'),
        text: fc.oneof(fc.string({ maxLength: 40 }), s),
        replyToId: mostly(someId),
        channelData: fc.record({ clientActivityID: mostly(fc.constant(ctx.clientActivityId ?? 'none')), clientTimestamp: fc.option(s, { nil: undefined }) }, { requiredKeys: ['clientActivityID'] }),
      },
      { requiredKeys: ['type', 'conversation', 'from'] },
    )
    .chain((a) => fc.shuffledSubarray(Object.entries(a), { minLength: Object.keys(a).length }).map((entries) => Object.fromEntries(entries)));
}

describe('activity codec', () => {
  test('round trip: any JSON object, with strings the context makes special anywhere', () => {
    fc.assert(
      fc.property(contextArb.chain((ctx) => fc.tuple(fc.constant(ctx), activityFor(ctx))), ([ctx, activity]) => {
        expectRoundTrip(activity, ctx);
      }),
      { numRuns: 1000 },
    );
  });

  test('round trip: activities shaped like the channel writes them, tokens used', () => {
    let tokenized = 0;
    fc.assert(
      fc.property(contextArb.chain((ctx) => fc.tuple(fc.constant(ctx), channelActivityFor(ctx))), ([ctx, activity]) => {
        const stored = expectRoundTrip(activity, ctx);
        if (stored[0] === FORMAT.TOKENS || stored[0] === FORMAT.TOKENS_DEFLATE_1) tokenized++;
      }),
      { numRuns: 1000 },
    );
    expect(tokenized).toBeGreaterThan(300);
  });

  test('round trip: any JSON value at the top, and values JSON changes or drops', () => {
    fc.assert(
      fc.property(contextArb, fc.jsonValue(), (ctx, value) => {
        expectRoundTrip(value, ctx);
      }),
      { numRuns: 300 },
    );
    const ctx: ActivityContext = { conversationId: 'c', userId: 'u', createdAt: 0, clientActivityId: 'k' };
    class Card {
      constructor(readonly id: string) {}
      toJSON() {
        return { card: this.id };
      }
    }
    const bare = Object.create(null) as Record<string, unknown>;
    bare.id = 'c|0000001';
    const odd = [
      { timestamp: new Date(5), conversation: new Card('c'), from: { id: new String('u') }, gone: undefined, f: () => 1, n: NaN, big: Infinity },
      { conversation: { id: 'c', toJSON: () => ({ id: 'other' }) }, from: { id: 'u' } },
      { id: 'c|0000001', nested: bare, list: [undefined, () => 1, Symbol('s')] },
      bare,
      new Card('c'),
      { toJSON: () => 'text instead' },
      [{ id: 'c|0000001' }],
      'c',
      null,
      undefined,
      JSON.parse('{"__proto__":{"id":"u"},"from":{"__proto__":"u","id":"u"},"conversation":{"id":"c"}}') as unknown,
    ];
    for (const value of odd) expectRoundTrip(value, ctx);
  });

  test('an activity holding U+007F is stored without tokens, and comes back the same', () => {
    const ctx: ActivityContext = { conversationId: 'c', userId: 'u', createdAt: 0, clientActivityId: null };
    const activity = { conversation: { id: 'c' }, from: { id: 'u' }, text: 'del \x7f inside', timestamp: new Date(1000).toISOString() };
    const stored = expectRoundTrip(activity, ctx);
    expect([FORMAT.PLAIN, FORMAT.PLAIN_DEFLATE_1]).toContain(stored[0]);
    expect(expectRoundTrip({ ...activity, text: 'no del' }, ctx)[0]).toBe(FORMAT.TOKENS_DEFLATE_1);
  });

  test('realistic activities (a bench conversation) take a fraction of their JSON', () => {
    let json = 0;
    let stored = 0;
    for (const { activity, context } of realistic) {
      const bytes = expectRoundTrip(activity, context);
      expect(bytes[0]).toBe(FORMAT.TOKENS_DEFLATE_1);
      json += Buffer.byteLength(JSON.stringify(activity));
      stored += bytes.length;
    }
    // 4.5 KB of JSON for these 6 activities; 0.4 KB stored with dictionary 1.
    expect(stored).toBeLessThan(json / 8);
  });

  test('the bytes are standard raw deflate: zlib reads them with the dictionary', () => {
    const dictionary = Buffer.from(ACTIVITY_DICTIONARY_1, 'utf8');
    const { activity, context } = realistic[1]!;
    const stored = encodeActivity(activity, context).stored;
    const text = inflateRawSync(stored.subarray(1), { dictionary }).toString('utf8');
    const parsed = JSON.parse(text) as { conversation: { id: string }; from: { id: string } };
    expect(parsed.conversation.id).toBe('\x7fc');
    expect(parsed.from.id).toBe('\x7fu');
  });

  test('dictionary 1 is frozen: stored rows are decoded with these exact bytes', () => {
    expect(createHash('sha256').update(ACTIVITY_DICTIONARY_1, 'utf8').digest('hex')).toBe('4f22941811f3f5591f3f44de3e2cd7ec0f8ee95955d02ba603ef635d53f33cf5');
  });

  test('a row of schema version 1 (the JSON text) reads as it is', () => {
    const row = fixture.sqlite.rows.activities[0]!;
    expect(decodeActivity(row.activity, realistic[0]!.context)).toEqual(JSON.parse(row.activity));
  });

  test('what cannot be read says so: unknown format, corrupt bytes, context missing', () => {
    const { activity, context } = realistic[1]!;
    const stored = encodeActivity(activity, context).stored;
    const withFormat = (format: number) => Buffer.concat([Buffer.from([format]), stored.subarray(1)]);
    expect(() => decodeActivity(withFormat(9), context)).toThrow(/format 9, unknown to this Ariane/);
    expect(() => decodeActivity(Buffer.alloc(0), context)).toThrow(StoredActivityError);
    expect(() => decodeActivity(stored.subarray(0, stored.length - 3), context)).toThrow(StoredActivityError);
    expect(() => decodeActivity(stored, { conversationId: context.conversationId, clientActivityId: context.clientActivityId })).toThrow(/needs its (user id|creation time)/);
    expect(() => decodeActivity(Buffer.from([FORMAT.TOKENS, 0x5b, 0x5d]), context)).toThrow(/not an object/);
    // Random bytes: a clear error or some value, never another kind of failure or a hang.
    fc.assert(
      fc.property(fc.constantFrom(FORMAT.TOKENS_DEFLATE_1, FORMAT.PLAIN_DEFLATE_1, FORMAT.TOKENS), fc.uint8Array({ maxLength: 64 }), (format, bytes) => {
        try {
          decodeActivity(Buffer.concat([Buffer.from([format]), bytes]), context);
        } catch (err) {
          expect(err).toBeInstanceOf(StoredActivityError);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a value JSON cannot hold is refused by encoding, as JSON.stringify refuses it', () => {
    const ctx: ActivityContext = { conversationId: 'c', userId: 'u' };
    expect(() => encodeActivity({ n: BigInt(1) }, ctx)).toThrow(TypeError);
    const cycle: Record<string, unknown> = { conversation: { id: 'c' } };
    cycle.self = cycle;
    expect(() => encodeActivity(cycle, ctx)).toThrow(TypeError);
  });
});

/**
 * The reader of the schema-2 compact format (src/store/decodeCompactActivity.ts), which the migration
 * to plain JSON runs on every old row: it gives back exactly what the schema-2 store listed, and a
 * row it cannot read says which one.
 */
import { createHash } from 'node:crypto';
import { ACTIVITY_DICTIONARY_1 } from '../../src/store/activityDictionary';
import { decodeCompactActivity, type CompactActivityContext } from '../../src/store/decodeCompactActivity';
import { schemaV2 } from './schemaV2';

type Row = { conversation_id: string; watermark: number; client_activity_id: string | null; activity?: unknown; body?: unknown };

function rowsOf(store: 'sqlite' | 'postgres') {
  const [conversations, activities] = (
    store === 'sqlite' ? [schemaV2.sqlite.rows.conversations, schemaV2.sqlite.rows.activities] : [schemaV2.postgres.rows.ariane_conversations, schemaV2.postgres.rows.ariane_activities]
  ) as [Array<{ id: string; user_id: string; created_at: number }>, Row[]];
  return activities.flatMap((r) => {
    const bytes = (store === 'sqlite' ? r.activity : r.body) as { base64: string } | string | null;
    if (bytes === null || typeof bytes === 'string') return [];
    const c = conversations.find((x) => x.id === r.conversation_id)!;
    const context: CompactActivityContext = { conversationId: c.id, userId: c.user_id, createdAt: Number(c.created_at), clientActivityId: r.client_activity_id };
    return [{ stored: Buffer.from(bytes.base64, 'base64'), context, watermark: r.watermark }];
  });
}

test.each(['sqlite', 'postgres'] as const)('every compact row of the %s fixture reads as the schema-2 store listed it, key order included', (store) => {
  const rows = rowsOf(store);
  expect(new Set(rows.map((r) => r.stored[0]))).toEqual(new Set([1, 2, 3, 4]));
  for (const { stored, context, watermark } of rows) {
    const expected = schemaV2.expected[context.conversationId]!.find((e) => e.watermark === watermark)!;
    expect(decodeCompactActivity(stored, context)).toBe(JSON.stringify(expected.activity));
  }
});

test('dictionary 1 is frozen: old rows inflate only with these exact bytes', () => {
  expect(createHash('sha256').update(ACTIVITY_DICTIONARY_1, 'utf8').digest('hex')).toBe('4f22941811f3f5591f3f44de3e2cd7ec0f8ee95955d02ba603ef635d53f33cf5');
});

test('what cannot be read says which conversation: unknown format, corrupt bytes, not an object', () => {
  const { stored, context } = rowsOf('sqlite').find((r) => r.stored[0] === 2 && r.context.conversationId === 'v2Conversation0000000B')!;
  const cannot = /The stored activity of conversation "v2Conversation0000000B" cannot be read: /;
  expect(() => decodeCompactActivity(Buffer.concat([Buffer.from([9]), stored.subarray(1)]), context)).toThrow(new RegExp(`${cannot.source}format 9 is unknown`));
  expect(() => decodeCompactActivity(Buffer.alloc(0), context)).toThrow(cannot);
  expect(() => decodeCompactActivity(stored.subarray(0, stored.length - 3), context)).toThrow(cannot);
  expect(() => decodeCompactActivity(Buffer.from([1, 0x5b, 0x5d]), context)).toThrow(/not an object/);
});

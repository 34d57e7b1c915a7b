/**
 * Databases written by the store at schema version 2, the compact activity format
 * (fixtures/schema-v2.json: schema, rows and what that store listed, for SQLite and PostgreSQL).
 * The tests rebuild one, open it with the current code, which migrates every activity to plain JSON,
 * and check that everything reads as it did and the conversations carry on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../src/store';

type Row = Record<string, unknown>;
type Listed = Record<string, Array<{ watermark: number; activity: Record<string, unknown> }>>;

export interface SchemaV2Fixture {
  expected: Listed;
  sqlite: { schema: string[]; rows: Record<'schema_version' | 'kv' | 'conversations' | 'activities', Row[]> };
  postgres: { schema: string[]; rows: Record<'ariane_schema_version' | 'ariane_kv' | 'ariane_conversations' | 'ariane_activities', Row[]> };
}

export const schemaV2 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'schema-v2.json'), 'utf8')) as SchemaV2Fixture;

/** Inserts the fixture's `rows` into `table` through `run(sql, values)`; `{ base64 }` values go in as bytes. */
export async function insertV2Rows(table: string, rows: Row[], run: (sql: string, values: unknown[]) => unknown, dollar: boolean): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    const marks = columns.map((_, i) => (dollar ? `$${i + 1}` : '?')).join(', ');
    const values = Object.values(row).map((v) => (typeof v === 'object' && v !== null && 'base64' in v ? Buffer.from((v as { base64: string }).base64, 'base64') : v));
    await run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks})`, values);
  }
}

/**
 * What the migrated database must read as, through any store opened on it (`kv`: the fixture's kv
 * rows of that store, whose etags must survive).
 */
export async function expectSchemaV2Readable(store: Store, kv: Row[]): Promise<void> {
  const [oldId, newId] = Object.keys(schemaV2.expected) as [string, string];
  const conversations = schemaV2.sqlite.rows.conversations as Array<{ id: string; user_id: string; created_at: number }>;
  for (const c of conversations) {
    expect(await store.log.getConversation(c.id)).toEqual({ id: c.id, userId: c.user_id, createdAt: c.created_at, data: { locale: 'fr-FR' } });
  }
  for (const row of kv as Array<{ key: string; value: string; etag: string }>) {
    expect((await store.kv.get([row.key]))[row.key]).toEqual({ value: JSON.parse(row.value), etag: row.etag });
  }

  // Every activity reads exactly as the version-2 store listed it, key order included.
  for (const [id, expected] of Object.entries(schemaV2.expected)) {
    const listed = await store.log.list(id, undefined);
    expect(listed.watermark).toBe(expected.length);
    expect(listed.activities.map((a) => a.watermark)).toEqual(expected.map((e) => e.watermark));
    expect(listed.activities.map((a) => a.id)).toEqual(expected.map((e) => `${id}|${String(e.watermark).padStart(7, '0')}`));
    expect(listed.activities.map((a) => JSON.stringify(a.activity))).toEqual(expected.map((e) => JSON.stringify(e.activity)));
  }

  // Retries of messages stored by versions 1 and 2 are still recognised, the client's odd ids too.
  const expectedNew = schemaV2.expected[newId]!;
  expect(await store.log.append(oldId, { text: 'resent' }, 'bench-0-1')).toEqual({ id: `${oldId}|0000002`, watermark: 2, activity: schemaV2.expected[oldId]![1]!.activity, duplicate: true });
  for (const [clientId, watermark] of [['v2-0-1', 2], ['\x7fk', 8], ['id\u0000', 14]] as const) {
    const again = await store.log.append(newId, { text: 'resent' }, clientId);
    expect(again).toEqual({ id: `${newId}|${String(watermark).padStart(7, '0')}`, watermark, activity: expectedNew[watermark - 1]!.activity, duplicate: true });
  }

  // Both conversations carry on.
  const reply = { type: 'message', text: 'Très bien.', from: { id: 'ariane', role: 'bot' } };
  expect((await store.log.append(oldId, reply)).watermark).toBe(8);
  const turn = await store.commitTurn({ conversationId: newId, appends: [{ activity: { text: 'oui' }, clientActivityId: 'v2-0-9' }, { activity: reply, replyTo: 0 }], kv: [] });
  expect(turn.appended.map((a) => a.watermark)).toEqual([15, 16]);
  expect((await store.log.list(newId, 13)).activities.map((a) => a.activity)).toEqual([
    expectedNew[13]!.activity,
    { text: 'oui' },
    { ...reply, replyToId: `${newId}|0000015` },
  ]);
}

/**
 * Databases written by the store at schema version 1, before the compact activity format
 * (fixtures/schema-v1.json: the schema it created and the rows it wrote, for SQLite and PostgreSQL).
 * The tests rebuild one, open it with the current code and check that everything still reads and
 * the conversation carries on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../src/store';

type Row = Record<string, unknown>;

export interface SchemaV1Fixture {
  sqlite: { schema: string[]; rows: Record<'schema_version' | 'kv' | 'conversations' | 'activities', Row[]> };
  postgres: { schema: string[]; rows: Record<'ariane_schema_version' | 'ariane_kv' | 'ariane_conversations' | 'ariane_activities', Row[]> };
}

export const schemaV1 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'schema-v1.json'), 'utf8')) as SchemaV1Fixture;

/** Inserts `rows` into `table` through `run(sql, values)`, with `?` or `$n` placeholders. */
export async function insertRows(table: string, rows: Row[], run: (sql: string, values: unknown[]) => unknown, dollar: boolean): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    const marks = columns.map((_, i) => (dollar ? `$${i + 1}` : '?')).join(', ');
    await run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${marks})`, Object.values(row));
  }
}

/**
 * What the version-1 rows must read as, through any store opened on the rebuilt database (`etag`:
 * the one its kv row holds; each store wrote its own).
 */
export async function expectSchemaV1Readable(store: Store, etag: string): Promise<void> {
  const conversation = schemaV1.sqlite.rows.conversations[0] as { id: string; user_id: string; created_at: number };
  const id = conversation.id;
  const texts = schemaV1.sqlite.rows.activities.map((r) => JSON.parse(r.activity as string) as Record<string, unknown>);

  expect(await store.log.getConversation(id)).toEqual({ id, userId: conversation.user_id, createdAt: conversation.created_at, data: { locale: 'fr-FR' } });
  const state = schemaV1.sqlite.rows.kv[0] as { key: string; value: string };
  expect((await store.kv.get([state.key]))[state.key]).toEqual({ value: JSON.parse(state.value), etag });

  const listed = await store.log.list(id, undefined);
  expect(listed.watermark).toBe(6);
  expect(listed.activities).toEqual(texts.map((activity, i) => ({ id: `${id}|000000${i + 1}`, watermark: i + 1, activity })));

  // The person's retry of a message stored by version 1 is still recognised.
  const again = await store.log.append(id, { text: 'resent' }, 'bench-0-1');
  expect(again).toEqual({ id: `${id}|0000002`, watermark: 2, activity: texts[1], duplicate: true });

  // The conversation carries on, old and new rows side by side.
  const reply = {
    type: 'message',
    text: 'Recevez-vous une aide de la CAF ?',
    channelId: 'directline',
    conversation: { id },
    from: { id: 'ariane', name: 'Ariane', role: 'bot' },
    recipient: { id: conversation.user_id, role: 'user' },
    replyToId: `${id}|0000002`,
    timestamp: new Date(conversation.created_at + 60_000).toISOString(),
  };
  expect(await store.log.append(id, reply)).toEqual({ id: `${id}|0000007`, watermark: 7, activity: reply, duplicate: false });
  expect((await store.log.list(id, 5)).activities.map((a) => a.activity)).toEqual([texts[5], reply]);
}

/**
 * Reads an activity stored in the compact format of store schema version 2, for the migration to
 * plain JSON (schema 3) and nothing else: no code writes that format any more.
 *
 * The format: a first byte (1 to 4), then either the JSON as UTF-8 or that JSON raw-deflated against
 * ACTIVITY_DICTIONARY_1. Formats 1 and 2 hold "tokens", short strings starting with U+007F in place
 * of what the row knows: `conversation.id`, `from.id` / `recipient.id` (the conversation's user),
 * `channelData.clientActivityID` (the row's), `id` / `replyToId` (`<conversation id>|<watermark>`,
 * the watermark in base 36) and an ISO `timestamp` (milliseconds since the conversation's creation in
 * base 36, or `T` + epoch milliseconds). A value written with tokens held no U+007F of its own.
 */
import { inflateRawSync } from 'node:zlib';
import { ACTIVITY_DICTIONARY_1 } from './activityDictionary';
import { activityId } from './common';

/** What a version-2 row's encoding used besides its bytes: its conversation row and its own columns. */
export interface CompactActivityContext {
  conversationId: string;
  /** The conversation's `user_id`. */
  userId: string;
  /** The conversation's `created_at`, epoch ms. */
  createdAt: number;
  /** The row's `client_activity_id` column, as stored (null when none). */
  clientActivityId: string | null;
}

const TOKENS = 1;
const TOKENS_DEFLATE = 2;
const PLAIN = 3;
const PLAIN_DEFLATE = 4;

let dictionary: Buffer | undefined;

/**
 * The JSON text of a version-2 stored activity: exactly what the version-2 store returned for it
 * (JSON.stringify of its value, key order included). Throws an Error naming the row when the bytes
 * cannot be read (unknown format, corrupt deflate or JSON).
 */
export function decodeCompactActivity(stored: Uint8Array, context: CompactActivityContext): string {
  const where = `activity of conversation "${context.conversationId}"`;
  const format = stored[0];
  const payload = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).subarray(1);
  let text: string;
  let value: unknown;
  try {
    if (format === TOKENS_DEFLATE || format === PLAIN_DEFLATE) {
      dictionary ??= Buffer.from(ACTIVITY_DICTIONARY_1, 'utf8');
      text = inflateRawSync(payload, { dictionary }).toString('utf8');
    } else if (format === TOKENS || format === PLAIN) {
      text = payload.toString('utf8');
    } else {
      throw new Error(`format ${format ?? 'none'} is unknown`);
    }
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`The stored ${where} cannot be read: ${err instanceof Error ? err.message : String(err)}.`, { cause: err });
  }
  if (format === PLAIN || format === PLAIN_DEFLATE) return text;
  if (!isRecord(value)) throw new Error(`The stored ${where} cannot be read: not an object.`);
  expandTokens(value, context);
  return JSON.stringify(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.charCodeAt(0) === 0x7f;
}

/** Puts back, in place, what the version-2 encoder replaced with tokens. */
function expandTokens(activity: Record<string, unknown>, context: CompactActivityContext): void {
  const { id, replyToId, timestamp, conversation, from, recipient, channelData } = activity;
  if (isToken(id)) activity.id = activityId(context.conversationId, parseInt(id.slice(1), 36));
  if (isToken(replyToId)) activity.replyToId = activityId(context.conversationId, parseInt(replyToId.slice(1), 36));
  if (isToken(timestamp)) {
    const ms = timestamp.charCodeAt(1) === 84 /* T */ ? parseInt(timestamp.slice(2), 36) : context.createdAt + parseInt(timestamp.slice(1), 36);
    activity.timestamp = new Date(ms).toISOString();
  }
  if (isRecord(conversation) && isToken(conversation.id)) conversation.id = context.conversationId;
  for (const account of [from, recipient]) {
    if (isRecord(account) && isToken(account.id)) account.id = context.userId;
  }
  if (isRecord(channelData) && isToken(channelData.clientActivityID) && context.clientActivityId !== null) {
    channelData.clientActivityID = context.clientActivityId;
  }
}

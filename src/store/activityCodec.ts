/**
 * How the activity log stores an activity: compact bytes instead of the activity's JSON text, which
 * cost ~600-880 B per activity (18 KB per conversation) because every activity repeats the
 * conversation id, the user id, ids derived from watermarks, ISO timestamps and the same Bot
 * Framework keys and bot sentences.
 *
 * Two steps, both exact: decoding gives back what JSON.parse(JSON.stringify(activity)) gives, key
 * order included, whatever the activity holds.
 * 1. Fields the row already knows hold short tokens instead: `conversation.id`, `from.id` and
 *    `recipient.id` when they are the conversation's id or user id, `channelData.clientActivityID`
 *    when it is the row's, `id` and `replyToId` of the form `<conversation id>|<watermark>`, and an
 *    ISO `timestamp` (as milliseconds since the conversation's creation). A token starts with U+007F
 *    (DEL), which JSON.stringify writes as one byte; an activity holding DEL anywhere is stored
 *    without tokens, so a token is never ambiguous.
 * 2. The JSON is deflated against a preset dictionary of what activities are made of: Bot Framework
 *    keys and card structure, the bot's own sentences, the flows' common words
 *    (activityDictionary.ts), by DictionaryDeflate (cheaper per call than zlib for short values).
 *
 * Stored value: a first byte saying the format (FORMAT), then the payload. Rows written before this
 * codec hold the activity's JSON as text: `decodeActivity` reads both, so databases need no rewrite.
 * A new dictionary (or any other change of format) takes new format bytes; old ones stay readable.
 */
import { activityId } from './common';
import { ACTIVITY_DICTIONARY_1 } from './activityDictionary';
import { DictionaryDeflate } from './DictionaryDeflate';

/**
 * What a stored activity's row knows besides its value; decoding needs the same context as encoding.
 * A field left undefined is simply not used to shorten the activity.
 */
export interface ActivityContext {
  conversationId: string;
  /** The conversation's user id (its record's `userId`). */
  userId?: string;
  /** The conversation's creation time, epoch ms (its record's `createdAt`). */
  createdAt?: number;
  /** The row's client activity id column, as stored (null when none). */
  clientActivityId?: string | null;
}

/**
 * First byte of a stored activity. "Tokens": the Bot Framework fields the row knows hold tokens
 * (see the file comment); without, the JSON is the activity's own (it contains U+007F somewhere, so
 * tokens would be ambiguous, or it is not an object).
 */
export const FORMAT = {
  /** Compact JSON with tokens, UTF-8 (when deflate does not make it smaller). */
  TOKENS: 1,
  /** Compact JSON with tokens, raw deflate against ACTIVITY_DICTIONARY_1. */
  TOKENS_DEFLATE_1: 2,
  /** JSON without tokens, UTF-8. */
  PLAIN: 3,
  /** JSON without tokens, raw deflate against ACTIVITY_DICTIONARY_1. */
  PLAIN_DEFLATE_1: 4,
} as const;

/** Thrown when a stored activity cannot be read (unknown format, corrupt bytes, missing context). */
export class StoredActivityError extends Error {
  override name = 'StoredActivityError';
}

const TOKEN = '\x7f';
const TOKEN_CODE = 0x7f;
const ISO_LENGTH = 24; // 2026-01-15T10:00:00.000Z
const WATERMARK_DIGITS = /^\d{7,15}$/;

let deflater: DictionaryDeflate | undefined;
/** Built on first use: indexing the dictionary takes a moment that startup need not pay. */
function dictionaryDeflate(): DictionaryDeflate {
  return (deflater ??= new DictionaryDeflate(Buffer.from(ACTIVITY_DICTIONARY_1, 'utf8')));
}

/** An activity ready to store, with the JSON copy of it that a store hands back to its caller. */
export interface EncodedActivity {
  stored: Buffer;
  /** What decoding `stored` gives: JSON.parse(JSON.stringify(activity)). */
  copy: Record<string, unknown>;
  /** The context it was encoded with. */
  context: ActivityContext;
}

/**
 * Encodes an activity for storage. Throws what JSON.stringify throws (BigInt, cycles) before
 * anything is stored.
 */
export function encodeActivity(activity: unknown, context: ActivityContext): EncodedActivity {
  const tokens = withTokens(activity, context);
  const withTokensJson = tokens && JSON.stringify(tokens.activity);
  // JSON.stringify leaves U+007F as it is: one count tells whether the activity has its own, which
  // a token could be mistaken for. Then it is stored without tokens (rare).
  const tokenized = withTokensJson !== undefined && countTokenChars(withTokensJson) === tokens!.count;
  const json = tokenized ? withTokensJson : (JSON.stringify(activity) ?? 'null');
  const copy = JSON.parse(json) as Record<string, unknown>;
  if (tokenized) putBack(copy, tokens!.originals);
  let stored = dictionaryDeflate().deflate(json, 1);
  const size = Buffer.byteLength(json);
  if (stored.length - 1 < size) {
    stored[0] = tokenized ? FORMAT.TOKENS_DEFLATE_1 : FORMAT.PLAIN_DEFLATE_1;
  } else {
    stored = Buffer.allocUnsafe(1 + size);
    stored[0] = tokenized ? FORMAT.TOKENS : FORMAT.PLAIN;
    stored.write(json, 1, 'utf8');
  }
  return { stored, copy, context };
}

/**
 * The activity a stored value holds: bytes written by `encodeActivity` with the same context, or
 * (rows written before this codec) the activity's JSON text. Throws StoredActivityError otherwise.
 */
export function decodeActivity(stored: string | Uint8Array, context: ActivityContext): Record<string, unknown> {
  if (typeof stored === 'string') return JSON.parse(stored) as Record<string, unknown>;
  const format = stored[0];
  let text: string;
  try {
    if (format === FORMAT.TOKENS_DEFLATE_1 || format === FORMAT.PLAIN_DEFLATE_1) text = dictionaryDeflate().inflate(stored, 1);
    else if (format === FORMAT.TOKENS || format === FORMAT.PLAIN) text = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('utf8', 1);
    else throw new StoredActivityError(`A stored activity of ${context.conversationId} has format ${format ?? 'none'}, unknown to this Ariane (written by a newer version?).`);
  } catch (err) {
    if (err instanceof StoredActivityError) throw err;
    throw new StoredActivityError(`A stored activity of ${context.conversationId} is corrupt: ${err instanceof Error ? err.message : String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StoredActivityError(`A stored activity of ${context.conversationId} is corrupt: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (format === FORMAT.TOKENS || format === FORMAT.TOKENS_DEFLATE_1) {
    if (!isRecord(value)) throw new StoredActivityError(`A stored activity of ${context.conversationId} is corrupt: not an object.`);
    expandTokens(value, context);
  }
  return value as Record<string, unknown>;
}

/**
 * Whether two contexts shorten activities alike (a store re-encodes when the conversation it finds at
 * write time differs from the one it encoded against).
 */
export function sameContext(a: ActivityContext, b: ActivityContext): boolean {
  return a.conversationId === b.conversationId && a.userId === b.userId && a.createdAt === b.createdAt && (a.clientActivityId ?? null) === (b.clientActivityId ?? null);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/*
 * The fields that get tokens, where the Direct Line channel puts what the row knows. Anything else
 * is left as it is (the dictionary takes care of the rest). Only values exactly equal to what the
 * token gives back are replaced, so decoding is exact whatever the activity holds.
 */

/** The fields with a token, in the order of `Tokens.originals`. */
type Field = 'id' | 'replyToId' | 'timestamp' | 'conversation' | 'from' | 'recipient' | 'channelData';

/** An activity with tokens, how many, and the strings they replaced. */
interface Tokens {
  activity: Record<string, unknown>;
  count: number;
  originals: Array<[Field, string]>;
}

/**
 * A shallow copy of `activity` with tokens, or undefined when no field gets one. Only plain objects
 * (as JSON.parse makes, or literals) are copied: anything with its own JSON conversion is left to it.
 */
function withTokens(activity: unknown, context: ActivityContext): Tokens | undefined {
  if (!isPlain(activity)) return undefined;
  const { conversationId, userId, clientActivityId } = context;
  let out: Tokens | undefined;
  const set = (field: Field, value: unknown, original: string) => {
    out ??= { activity: { ...activity }, count: 0, originals: [] };
    out.activity[field] = value;
    out.count++;
    out.originals.push([field, original]);
  };
  const { id, replyToId, timestamp, conversation, from, recipient, channelData } = activity;
  const idT = idToken(id, conversationId);
  if (idT !== undefined) set('id', idT, id as string);
  const replyT = idToken(replyToId, conversationId);
  if (replyT !== undefined) set('replyToId', replyT, replyToId as string);
  const timeT = timeToken(timestamp, context.createdAt);
  if (timeT !== undefined) set('timestamp', timeT, timestamp as string);
  if (isPlain(conversation) && conversation.id === conversationId) set('conversation', { ...conversation, id: `${TOKEN}c` }, conversationId);
  if (userId !== undefined) {
    if (isPlain(from) && from.id === userId) set('from', { ...from, id: `${TOKEN}u` }, userId);
    if (isPlain(recipient) && recipient.id === userId) set('recipient', { ...recipient, id: `${TOKEN}u` }, userId);
  }
  if (typeof clientActivityId === 'string' && isPlain(channelData) && channelData.clientActivityID === clientActivityId) {
    set('channelData', { ...channelData, clientActivityID: `${TOKEN}k` }, clientActivityId);
  }
  return out;
}

/** Gives the JSON copy of a tokenized activity its original strings back. */
function putBack(copy: Record<string, unknown>, originals: Array<[Field, string]>): void {
  for (const [field, original] of originals) {
    switch (field) {
      case 'id':
      case 'replyToId':
      case 'timestamp':
        copy[field] = original;
        break;
      case 'conversation':
      case 'from':
      case 'recipient':
        (copy[field] as Record<string, unknown>).id = original;
        break;
      case 'channelData':
        (copy[field] as Record<string, unknown>).clientActivityID = original;
        break;
    }
  }
}

/** An object whose JSON is its own enumerable properties (no class, no toJSON). */
function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** How many U+007F characters `text` holds. */
function countTokenChars(text: string): number {
  let n = 0;
  for (let i = text.indexOf(TOKEN); i >= 0; i = text.indexOf(TOKEN, i + 1)) n++;
  return n;
}

/** Puts back what `withTokens` replaced, in place. */
function expandTokens(activity: Record<string, unknown>, context: ActivityContext): void {
  const missing = (what: string) => new StoredActivityError(`A stored activity of ${context.conversationId} needs its ${what} to be read.`);
  const { id, replyToId, timestamp, conversation, from, recipient, channelData } = activity;
  if (isToken(id)) activity.id = activityId(context.conversationId, parseInt(id.slice(1), 36));
  if (isToken(replyToId)) activity.replyToId = activityId(context.conversationId, parseInt(replyToId.slice(1), 36));
  if (isToken(timestamp)) {
    if (timestamp.charCodeAt(1) === 84 /* T */) activity.timestamp = new Date(parseInt(timestamp.slice(2), 36)).toISOString();
    else if (context.createdAt === undefined) throw missing('creation time');
    else activity.timestamp = new Date(context.createdAt + parseInt(timestamp.slice(1), 36)).toISOString();
  }
  if (isRecord(conversation) && isToken(conversation.id)) conversation.id = context.conversationId;
  for (const account of [from, recipient]) {
    if (isRecord(account) && isToken(account.id)) {
      if (context.userId === undefined) throw missing('user id');
      account.id = context.userId;
    }
  }
  if (isRecord(channelData) && isToken(channelData.clientActivityID)) {
    if (typeof context.clientActivityId !== 'string') throw missing('client activity id');
    channelData.clientActivityID = context.clientActivityId;
  }
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.charCodeAt(0) === TOKEN_CODE;
}

/** `<conversation id>|<watermark>` as DEL + the watermark in base 36. */
function idToken(value: unknown, conversationId: string): string | undefined {
  if (typeof value !== 'string' || value.length < conversationId.length + 8 || !value.startsWith(conversationId) || value[conversationId.length] !== '|') return undefined;
  const digits = value.slice(conversationId.length + 1);
  if (!WATERMARK_DIGITS.test(digits)) return undefined;
  const watermark = Number(digits);
  return activityId(conversationId, watermark) === value ? TOKEN + watermark.toString(36) : undefined;
}

/**
 * An ISO timestamp as DEL + milliseconds since the conversation's creation in base 36 (may be
 * negative: another instance's clock), or DEL T + epoch milliseconds when the creation is unknown.
 * Only strings exactly as Date#toISOString writes them (years 100 to 9999) get a token; they are
 * read digit by digit rather than with Date.parse + toISOString, which cost twice as much.
 */
function timeToken(value: unknown, createdAt: number | undefined): string | undefined {
  if (typeof value !== 'string' || value.length !== ISO_LENGTH) return undefined;
  const ms = isoMilliseconds(value);
  if (ms === undefined) return undefined;
  return createdAt !== undefined && Number.isSafeInteger(createdAt) ? TOKEN + (ms - createdAt).toString(36) : `${TOKEN}T${ms.toString(36)}`;
}

/** Epoch ms of `YYYY-MM-DDTHH:mm:ss.sssZ` when it is what toISOString gives for them, else undefined. */
function isoMilliseconds(s: string): number | undefined {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || s.charCodeAt(19) !== 46 || s.charCodeAt(23) !== 90) {
    return undefined; // - - T : : . Z
  }
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const milli = digits(s, 20, 3);
  // digits() gives -1 for a non-digit: every field is checked against its lower bound too.
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || milli < 0) {
    return undefined;
  }
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31)) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, milli);
}

/** The decimal number of `length` digits at `start`, or -1 when one is not a digit. */
function digits(s: string, start: number, length: number): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

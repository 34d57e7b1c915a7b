/** Small helpers shared by the store implementations (internal to src/store). */
import { randomBytes } from 'node:crypto';
import type { Turn, UnreadableRow } from './types';

/**
 * A fresh etag. Random rather than a counter so that etags from different instances or restarts
 * never repeat: a stale etag must never match by coincidence.
 */
export function newEtag(): string {
  return randomBytes(9).toString('base64url');
}

/** The Direct Line-style activity id for a watermark (sortable, readable in logs). */
export function activityId(conversationId: string, watermark: number): string {
  return `${conversationId}|${String(watermark).padStart(7, '0')}`;
}

/** Serialises a value as stored; `null` stands for values JSON cannot represent (undefined). */
export function toJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** Whether a write's etag asks for an unconditional write. */
export function isUnconditional(etag: string | undefined): boolean {
  return etag === undefined || etag === '*';
}

/**
 * The smallest string greater than every string that starts with `prefix`, in code point order (the
 * order of SQLite's BINARY and PostgreSQL's "C" collations), or undefined when there is none (empty
 * prefix, or only U+10FFFF): lets a prefix scan be an index range `key >= prefix AND key < bound`.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate range: those code points cannot stand alone in a stored string.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}

/**
 * A write refused for its content (not a race, not a failing store). Thrown before the write touches
 * anything, which the SQLite batch relies on.
 */
export class RefusedWrite extends TypeError {
  override name = 'RefusedWrite';
}

/** The object an `increment` writes: `current` (stored JSON or undefined) plus the deltas. */
export function addDeltas(key: string, current: unknown, deltas: Record<string, number>): Record<string, unknown> {
  if (current !== undefined && (typeof current !== 'object' || current === null || Array.isArray(current))) {
    throw new RefusedWrite(`Cannot increment "${key}": its value is not a JSON object.`);
  }
  const next: Record<string, unknown> = { ...(current as Record<string, unknown> | undefined) };
  for (const [field, delta] of Object.entries(deltas)) {
    if (!Number.isFinite(delta)) throw new RefusedWrite(`Cannot increment "${key}.${field}" by ${delta}.`);
    const before = next[field];
    next[field] = (typeof before === 'number' && Number.isFinite(before) ? before : 0) + delta;
  }
  return next;
}

/**
 * Refuses a key or id that contains U+0000: PostgreSQL text cannot hold it, and every store refuses
 * it alike so that code tested on memory or SQLite behaves the same on PostgreSQL. (Values are JSON,
 * where U+0000 is escaped, so they may contain it.)
 */
export function assertStorable(what: string, text: string): void {
  if (text.includes('\u0000')) throw new RefusedWrite(`The ${what} contains a NUL character, which the store cannot keep.`);
}

/**
 * Checks what `commitTurn` can refuse before touching the store (RefusedWrite, or what JSON.stringify
 * throws) and returns the JSON of each append's activity, captured as the activity is at the call.
 */
export function checkTurn(turn: Turn): string[] {
  const clientIds = new Set<string>();
  const jsons = turn.appends.map(({ activity, clientActivityId, replyTo }, i) => {
    if (clientActivityId !== undefined) {
      if (clientIds.has(clientActivityId)) throw new RefusedWrite(`The client activity id "${clientActivityId}" appears twice in one turn.`);
      clientIds.add(clientActivityId);
    }
    if (replyTo !== undefined && !(Number.isInteger(replyTo) && replyTo >= 0 && replyTo < i)) {
      throw new RefusedWrite(`Append ${i} of a turn replies to ${replyTo}, which is not an earlier append of that turn.`);
    }
    return toJson(activity);
  });
  for (const w of turn.kv) assertStorable('key', w.key);
  return jsons;
}

/**
 * Parses stored JSON text; for a row that cannot be parsed (see UnreadableRow) it reports the row,
 * once per process, and returns undefined (JSON text never parses to undefined).
 */
export class StoredJson {
  private readonly reported = new Set<string>();

  constructor(private readonly report: ((row: UnreadableRow) => void) | undefined) {}

  parse(text: unknown, row: UnreadableRow): unknown {
    if (typeof text === 'string') {
      try {
        return JSON.parse(text);
      } catch {
        // reported below; the parser's message quotes the text, which must not reach the logs
      }
    }
    const id = `${row.table}\u0000${row.key}\u0000${row.watermark ?? ''}`;
    if (!this.reported.has(id)) {
      // Bounded: a store damaged everywhere must not grow this set without end.
      if (this.reported.size >= 10_000) this.reported.clear();
      this.reported.add(id);
      try {
        this.report?.(row);
      } catch {
        // a failing report must not fail the read
      }
    }
    return undefined;
  }
}

/**
 * Server-side sessions for mediators and admins. The browser holds only a random id (32 bytes from
 * the crypto RNG) in an HttpOnly cookie; the store holds the session under `session/<SHA-256 of the
 * id>`, so a copy of the database does not hand out live sessions. A session ends at logout
 * (deleted), after `idleMs` without a request, or `maxMs` after sign-in, whichever comes first; the
 * stored item expires with it, so the retention purge removes it. Plain JSON in the KeyValueStore:
 * memory, SQLite and PostgreSQL alike, shared by every instance on one database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, IF_ABSENT, type KeyValueStore } from '../store';

/** The store key prefix of sessions. */
export const SESSION_PREFIX = 'session/';

/** Who a session is for. */
export type SessionKind = 'mediator' | 'admin';

/** A session as stored (plain JSON). */
export interface SessionRecord {
  v: 1;
  kind: SessionKind;
  /** The mediator's login; `admin` for the admin session. */
  subject: string;
  /**
   * What the subject's credentials were when the session began (an account's generation, a token's
   * fingerprint): a session whose credentials changed since (password reset, account disabled,
   * admin token rotated) is refused by the caller that compares it.
   */
  generation: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms of the last request that used it (updated at most every {@link TOUCH_EVERY_MS}). */
  lastSeenAt: number;
}

/** How long sessions last. */
export interface SessionOptions {
  /** Ends after this long without a request. */
  idleMs: number;
  /** Ends this long after sign-in, used or not. */
  maxMs: number;
  /** Clock in epoch ms (tests). */
  now?: () => number;
}

/**
 * A used session's last-seen time is written at most this often, so that reading pages does not
 * write to the store on every request; the idle limit is thus exact to within this much.
 */
export const TOUCH_EVERY_MS = 60_000;

/** A session id as the cookie carries it: 32 random bytes, base64url. */
const ID_RE = /^[A-Za-z0-9_-]{43}$/;

/** The store key of a session id (its hash, never the id itself). */
export function sessionKey(id: string): string {
  return SESSION_PREFIX + createHash('sha256').update(id).digest('base64url');
}

/** Creates, reads, touches and ends sessions in a KeyValueStore. */
export class Sessions {
  private readonly now: () => number;

  constructor(
    private readonly kv: KeyValueStore,
    private readonly options: SessionOptions,
  ) {
    if (!(options.idleMs > 0) || !(options.maxMs > 0)) throw new RangeError('Sessions need positive idle and maximum lifetimes');
    this.now = options.now ?? Date.now;
  }

  private expiry(s: SessionRecord): number {
    return Math.min(s.lastSeenAt + this.options.idleMs, s.createdAt + this.options.maxMs);
  }

  /** Starts a session; returns its id (for the cookie, shown nowhere else). */
  async create(kind: SessionKind, subject: string, generation: string): Promise<string> {
    const now = this.now();
    const record: SessionRecord = { v: 1, kind, subject, generation, createdAt: now, lastSeenAt: now };
    for (;;) {
      const id = randomBytes(32).toString('base64url');
      try {
        await this.kv.set([{ key: sessionKey(id), value: record, etag: IF_ABSENT, expiresAt: this.expiry(record) }]);
        return id;
      } catch (err) {
        // Two equal draws of 256 random bits do not happen; a conflict here would be a store fault.
        if (!(err instanceof ConflictError)) throw err;
      }
    }
  }

  /**
   * The live session of that kind for `id`, or undefined (unknown, malformed, ended, another kind).
   * Counts as a use: the idle limit starts again.
   */
  async read(id: string | undefined, kind: SessionKind): Promise<SessionRecord | undefined> {
    if (!id || !ID_RE.test(id)) return undefined;
    const key = sessionKey(id);
    const item = (await this.kv.get<SessionRecord>([key]))[key];
    const s = item?.value;
    const now = this.now();
    if (!item || !s || s.v !== 1 || s.kind !== kind || this.expiry(s) <= now) return undefined;
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) {
      const touched: SessionRecord = { ...s, lastSeenAt: now };
      try {
        // Conditional: a logout that deleted it meanwhile must not be undone by this write.
        await this.kv.set([{ key, value: touched, etag: item.etag, expiresAt: this.expiry(touched) }]);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }
    return s;
  }

  /** Ends a session (logout). Unknown ids are ignored. */
  async revoke(id: string | undefined): Promise<void> {
    if (!id || !ID_RE.test(id)) return;
    await this.kv.delete([sessionKey(id)]);
  }

}

/**
 * Ends every session of `subject` (an account disabled or its password reset); returns how many.
 * (Those sessions would be refused anyway, their generation being stale: this removes them now.)
 */
export async function revokeSessionsOf(kv: KeyValueStore, kind: SessionKind, subject: string): Promise<number> {
  const all = await kv.scan<SessionRecord>(SESSION_PREFIX);
  const keys = all.filter((s) => s.value.kind === kind && s.value.subject === subject).map((s) => s.key);
  if (keys.length) await kv.delete(keys);
  return keys.length;
}

/**
 * The store for several Ariane instances behind a load balancer: PostgreSQL through a `pg` Pool.
 *
 * Concurrency is decided by the database, never by one instance's memory:
 * - a conditional write is one `UPDATE … WHERE etag = $old` (or an `INSERT … ON CONFLICT` for
 *   create-if-absent) whose row count says whether it won; a multi-item write runs in a transaction
 *   rolled back on the first conflict, so nothing of it is written;
 * - `append` takes the conversation row's lock with `UPDATE … SET last_watermark = last_watermark + 1
 *   RETURNING`, so appends to one conversation from any instance are serialised and get watermarks
 *   1, 2, 3… with no gap; the idempotency check on `clientActivityId` runs after that lock, so it
 *   sees a concurrent duplicate, and a unique index backs it.
 * - a turn (`commitTurn`) is one transaction: the conversation row's lock, then the kv rows' in key
 *   order, as every instance takes them.
 * Schema migrations run at start under a `pg_advisory_lock`, so instances starting together migrate
 * once.
 *
 * Every instance hears every append (`appends`): the transaction that appends also sends
 * `NOTIFY ariane_appends` (payload: the conversation id and the last watermark), delivered at its
 * commit, and each store keeps one connection outside the pool that LISTENs; when it is lost it
 * reconnects with backoff, then wakes every listener once, since appends may have gone unheard.
 * The abuse limits count in `ariane_limits` (`limits`), one statement per check.
 *
 * Activities are stored as `json` (`ariane_activities.activity`): the exact text given, readable
 * with psql and the JSON operators (`activity->>'text'`, `activity::jsonb @> …`). Not `jsonb`: the
 * log must give back exactly the JSON it was given, and jsonb reorders keys and refuses the `\u0000`
 * escape, which a client can put in an activity (the JSON operators refuse a row holding it too:
 * read such a row as `activity::text`).
 */
import { Client, Pool, type Notification, type PoolClient, type PoolConfig } from 'pg';
import { AppendListeners } from './appendFeed';
import { activityId, addDeltas, assertStorable, checkTurn, isUnconditional, newEtag, prefixUpperBound, StoredJson, toJson } from './common';
import { decodeCompactActivity } from './decodeCompactActivity';
import {
  ConflictError,
  IF_ABSENT,
  UnknownConversationError,
  type CommittedTurn,
  type ConversationLog,
  type AppendFeed,
  type ConversationRecord,
  type KeyValueStore,
  type LimitWindows,
  type LoggedActivity,
  type Store,
  type StoredItem,
  type Turn,
  type UnreadableRow,
  type WriteItem,
} from './types';

/** How to reach PostgreSQL. */
export interface PostgresStoreOptions {
  connectionString: string;
  /** Pool size (default 10). */
  max?: number;
  /** Clock in epoch ms (default Date.now), for expiry tests. */
  now?: () => number;
  /** Extra pg pool settings (TLS, timeouts). */
  pool?: Omit<PoolConfig, 'connectionString' | 'max'>;
  /**
   * Told of each stored row that cannot be read back and is skipped (see UnreadableRow): kv values
   * and conversation data are text; activities are `json`, which PostgreSQL checks on write.
   */
  onUnreadable?: (row: UnreadableRow) => void;
  /**
   * Told when the connection that hears other instances' appends is lost (streams then rely on their
   * safety poll until it is back; it reconnects by itself).
   */
  onFeedLost?: (err: unknown) => void;
}

/**
 * Schema migrations, applied in order, in one transaction under the migration lock; index + 1 is the
 * schema version. Never edit a shipped one.
 */
const MIGRATIONS: Array<string | ((client: PoolClient) => Promise<void>)> = [
  `CREATE TABLE ariane_kv (
     key TEXT COLLATE "C" PRIMARY KEY,
     value TEXT NOT NULL,
     etag TEXT NOT NULL,
     expires_at BIGINT
   );
   CREATE INDEX ariane_kv_expires ON ariane_kv (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE ariane_conversations (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     data TEXT,
     last_watermark INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX ariane_conversations_updated ON ariane_conversations (updated_at);
   CREATE TABLE ariane_activities (
     conversation_id TEXT NOT NULL REFERENCES ariane_conversations (id) ON DELETE CASCADE,
     watermark INTEGER NOT NULL,
     client_activity_id TEXT,
     activity TEXT NOT NULL,
     PRIMARY KEY (conversation_id, watermark)
   );
   CREATE UNIQUE INDEX ariane_activities_client ON ariane_activities (conversation_id, client_activity_id)
     WHERE client_activity_id IS NOT NULL;`,
  // Activities are stored as the bytes of activityCodec.ts in `body`; rows of version 1 keep their
  // JSON text in `activity` and stay readable. Metadata changes only: no table rewrite (NOT VALID:
  // the rows already there all have their text).
  `ALTER TABLE ariane_activities ADD COLUMN body BYTEA;
   ALTER TABLE ariane_activities ALTER COLUMN activity DROP NOT NULL;
   ALTER TABLE ariane_activities ADD CONSTRAINT ariane_activities_content CHECK (activity IS NOT NULL OR body IS NOT NULL) NOT VALID;`,
  // Version 3: every activity is JSON in `activity` (type json); `body` goes.
  activitiesToJson,
  // Version 4: the abuse limits' counts, shared by every instance (src/limits): one row per key and
  // fixed window. UNLOGGED: counts of the last two minutes need neither crash safety nor replicas,
  // and a check then writes no WAL. Rows are purged once both of their windows are over.
  `CREATE UNLOGGED TABLE ariane_limits (
     key TEXT COLLATE "C" NOT NULL,
     window_start BIGINT NOT NULL,
     count INTEGER NOT NULL,
     expires_at BIGINT NOT NULL,
     PRIMARY KEY (key, window_start)
   );
   CREATE INDEX ariane_limits_expires ON ariane_limits (expires_at);`,
];

/** The schema version this code expects. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The largest watermark: `integer` columns. A conversation reaches it after 2^31 activities, 68
 * years at the default rate limit, so the columns stay 32-bit (widening them would rewrite both
 * tables under an exclusive lock at upgrade).
 */
const MAX_WATERMARK = 2 ** 31 - 1;

/** Advisory lock key for migrations ("ARIA" in ASCII). */
const MIGRATION_LOCK = 0x41524941;

const LIVE = '(expires_at IS NULL OR expires_at > $NOW)';

/** The NOTIFY channel of appends; payload `<conversation id> <last watermark>`. */
const APPENDS_CHANNEL = 'ariane_appends';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more: longer ids are left to the safety poll. */
const MAX_NOTIFY_ID_BYTES = 7900;

/** Longest wait between two attempts to get the LISTEN connection back. */
const MAX_LISTEN_BACKOFF_MS = 30_000;

/**
 * One limit check (see LimitWindows.take): both windows' counts read, and this window's row inserted
 * or bumped only if the estimate leaves room. The bump's condition is evaluated by ON CONFLICT on the
 * row's latest version, under its lock, so two instances cannot both take the last place.
 * $1 key, $2 window start, $3 previous window's start, $4 expiry, $5 previous window's weight, $6 limit.
 */
const TAKE = `WITH prev AS (
    SELECT COALESCE((SELECT count FROM ariane_limits WHERE key = $1 AND window_start = $3), 0) AS n
  ), cur AS (
    SELECT COALESCE((SELECT count FROM ariane_limits WHERE key = $1 AND window_start = $2), 0) AS n
  ), up AS (
    INSERT INTO ariane_limits AS l (key, window_start, count, expires_at)
    SELECT $1, $2, 1, $4 FROM prev WHERE prev.n * $5::float8 + 1 <= $6
    ON CONFLICT (key, window_start) DO UPDATE SET count = l.count + 1
      WHERE l.count + 1 + (SELECT n FROM prev) * $5::float8 <= $6
    RETURNING count
  )
  SELECT (SELECT count FROM up) AS taken, (SELECT n FROM prev) AS previous, (SELECT n FROM cur) AS current`;

/** A `Store` in PostgreSQL; open it with `PostgresStore.open`. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly kv: KeyValueStore;
  readonly log: ConversationLog;
  readonly appends: AppendFeed;
  readonly limits: LimitWindows;
  private readonly pool: Pool;
  private readonly options: PostgresStoreOptions;
  private readonly listeners: AppendListeners;
  /** The LISTEN connection (outside the pool), while it is up or being opened. */
  private listenClient: Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private listenBackoffMs = 0;
  /** When expired limit rows were last swept (the callers' epoch ms). */
  private lastSweep = 0;
  private readonly now: () => number;
  private readonly stored: StoredJson;
  private closed = false;

  /** Connects, migrates the schema (once across instances), and returns the store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const store = new PostgresStore(options);
    try {
      await store.migrate();
    } catch (err) {
      await store.pool.end().catch(() => undefined);
      throw new Error(`PostgreSQL store (${describeTarget(options.connectionString)}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return store;
  }

  private constructor(options: PostgresStoreOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.stored = new StoredJson(options.onUnreadable);
    this.pool = new Pool({
      // Without a timeout, a request to an unreachable server waits forever: /readyz must answer.
      connectionTimeoutMillis: 5000,
      ...options.pool,
      connectionString: options.connectionString,
      max: options.max ?? 10,
    });
    // An idle client losing its connection must not crash the process: the pool drops it and the
    // next query opens a new one (or fails, and that failure reaches the caller).
    this.pool.on('error', () => undefined);
    this.kv = {
      get: (keys) => this.get(keys),
      set: (items) => this.set(items),
      delete: async (keys) => {
        const storable = keys.filter(hasNoNul);
        if (storable.length) await this.pool.query('DELETE FROM ariane_kv WHERE key = ANY($1)', [storable]);
      },
      scan: (prefix) => this.scan(prefix),
      increment: (key, deltas) => this.increment(key, deltas),
    };
    this.log = {
      createConversation: (record) => this.createConversation(record),
      getConversation: (id) => this.getConversation(id),
      append: (conversationId, activity, clientActivityId) => this.append(conversationId, activity, clientActivityId),
      list: (conversationId, after, limit) => this.list(conversationId, after, limit),
    };
    // The LISTEN connection opens with the first stream, not before: commands and tests that never
    // stream hold no extra connection.
    this.listeners = new AppendListeners(() => this.listen());
    this.appends = this.listeners;
    this.limits = { take: (key, windowStart, windowMs, weight, limit) => this.take(key, windowStart, windowMs, weight, limit) };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async commitTurn(turn: Turn): Promise<CommittedTurn> {
    const activities = checkTurn(turn);
    const values = turn.kv.map((w) => toJson(w.value));
    const { conversationId } = turn;
    if (!hasNoNul(conversationId)) throw new UnknownConversationError(conversationId);
    const appends = turn.appends.map(({ clientActivityId, replyTo }) => ({ clientActivityId: storedClientId(clientActivityId), replyTo }));
    // Row locks in the same order as set(): kv keys sorted (stable for repeated keys).
    const order = turn.kv.map((_, i) => i).sort((x, y) => (turn.kv[x]!.key < turn.kv[y]!.key ? -1 : turn.kv[x]!.key > turn.kv[y]!.key ? 1 : 0));
    const items = order.map((i) => turn.kv[i]!);
    const itemValues = order.map((i) => values[i]!);
    const clientIds = appends.flatMap((a) => (a.clientActivityId === undefined ? [] : [a.clientActivityId]));
    const now = this.now();
    return this.transaction(async (client) => {
      // Takes the conversation row's lock until COMMIT (turns of one conversation are serialised) and
      // reserves the watermarks; a replay or a conflict rolls back, so none is spent.
      const next = await client.query<{ last_watermark: number }>(
        'UPDATE ariane_conversations SET last_watermark = last_watermark + $2, updated_at = CASE WHEN $2 > 0 THEN $3 ELSE updated_at END WHERE id = $1 RETURNING last_watermark',
        [conversationId, appends.length, now],
      );
      const row = next.rows[0];
      if (!row) throw new UnknownConversationError(conversationId);
      if (clientIds.length) {
        // Runs after the lock, in a new snapshot: it sees a turn committed by a racing instance.
        const { rows } = await client.query<{ watermark: number; client_activity_id: string; activity: Record<string, unknown> }>(
          'SELECT watermark, client_activity_id, activity FROM ariane_activities WHERE conversation_id = $1 AND client_activity_id = ANY($2)',
          [conversationId, clientIds],
        );
        if (rows.length) {
          const byId = new Map(rows.map((r) => [r.client_activity_id, r]));
          const appended = clientIds.flatMap((id) => {
            const r = byId.get(id);
            return r ? [{ id: activityId(conversationId, r.watermark), watermark: r.watermark, activity: r.activity, duplicate: true }] : [];
          });
          throw new Replayed({ replayed: true, appended, etags: {} });
        }
      }
      const etags = await this.writeItems(client, items, itemValues);
      const first = row.last_watermark - appends.length + 1;
      const appended = appends.map(({ replyTo }, i) => {
        const watermark = first + i;
        const activity = JSON.parse(activities[i]!) as Record<string, unknown>;
        if (replyTo !== undefined) {
          activity.replyToId = activityId(conversationId, first + replyTo);
          activities[i] = JSON.stringify(activity);
        }
        return { id: activityId(conversationId, watermark), watermark, activity, duplicate: false };
      });
      if (appends.length) {
        // The NOTIFY goes out at COMMIT, so no instance is woken for a turn that rolls back.
        await client.query(
          `WITH inserted AS (
             INSERT INTO ariane_activities (conversation_id, watermark, client_activity_id, activity)
             SELECT $1, t.watermark, t.client_id, t.activity::json FROM unnest($2::int[], $3::text[], $4::text[]) AS t (watermark, client_id, activity)
           )
           SELECT pg_notify($5, $6) WHERE $6 IS NOT NULL`,
          [conversationId, appended.map((a) => a.watermark), appends.map((a) => a.clientActivityId ?? null), activities, APPENDS_CHANNEL, notifyPayload(conversationId, row.last_watermark)],
        );
      }
      return { replayed: false, appended, etags };
    }).catch((err: unknown) => {
      if (err instanceof Replayed) return err.turn;
      // Should PostgreSQL still break a lock cycle, the rolled-back turn lost a race: say so.
      if ((err as { code?: string }).code === '40P01') throw new ConflictError(items[0]?.key ?? conversationId);
      throw err;
    });
  }

  async purge(now: number, conversationsBefore?: number): Promise<number> {
    // Limit counts are not items: swept, not counted.
    await this.pool.query('DELETE FROM ariane_limits WHERE expires_at <= $1', [now]);
    let count = (await this.pool.query('DELETE FROM ariane_kv WHERE expires_at <= $1', [now])).rowCount ?? 0;
    if (conversationsBefore !== undefined) {
      // Activities go with their conversation (ON DELETE CASCADE).
      count += (await this.pool.query('DELETE FROM ariane_conversations WHERE updated_at < $1', [conversationsBefore])).rowCount ?? 0;
    }
    return count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.listenRetry);
    const listening = this.listenClient;
    this.listenClient = undefined;
    await Promise.all([this.pool.end(), listening?.end().catch(() => undefined)]);
  }

  /**
   * Opens the LISTEN connection; when it fails or is lost, tries again after a backoff (0.5 s,
   * doubling up to 30 s). Each time it is listening, every listener is woken once: appends made
   * while nobody listened would otherwise wait for the streams' safety poll.
   */
  private listen(): void {
    if (this.closed || this.listenClient || this.listenRetry) return;
    const { connectionString, pool } = this.options;
    const client = new Client({ connectionTimeoutMillis: 5000, ...pool, connectionString });
    this.listenClient = client;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.listenClient === client) this.listenClient = undefined;
      if (this.closed) return;
      this.options.onFeedLost?.(err ?? new Error('the LISTEN connection ended'));
      this.listenBackoffMs = Math.min(MAX_LISTEN_BACKOFF_MS, this.listenBackoffMs ? this.listenBackoffMs * 2 : 500);
      this.listenRetry = setTimeout(() => {
        this.listenRetry = undefined;
        this.listen();
      }, this.listenBackoffMs);
      this.listenRetry.unref();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message: Notification) => {
      if (message.channel !== APPENDS_CHANNEL || !message.payload) return;
      const space = message.payload.lastIndexOf(' ');
      const watermark = Number(message.payload.slice(space + 1));
      this.listeners.publish(message.payload.slice(0, space), space > 0 && Number.isInteger(watermark) ? watermark : undefined);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${APPENDS_CHANNEL}`))
      .then(() => {
        if (lost) return;
        this.listenBackoffMs = 0;
        this.listeners.wakeAll();
      }, onLost);
  }

  private async take(key: string, windowStart: number, windowMs: number, weight: number, limit: number): Promise<{ taken: boolean; count: number; previous: number }> {
    assertStorable('key', key);
    const { rows } = await this.pool.query<{ taken: number | null; previous: number; current: number }>(TAKE, [key, windowStart, windowStart - windowMs, windowStart + 2 * windowMs, weight, limit]);
    // Between hourly purges, a flood of keys must not pile up rows: at most once a minute, by each
    // instance, what is over by the caller's clock (the one the windows are counted in).
    if (windowStart - this.lastSweep >= 60_000) {
      this.lastSweep = windowStart;
      this.pool.query('DELETE FROM ariane_limits WHERE expires_at <= $1', [windowStart]).catch(() => undefined);
    }
    const row = rows[0]!;
    return row.taken !== null ? { taken: true, count: row.taken, previous: row.previous } : { taken: false, count: row.current, previous: row.previous };
  }

  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS ariane_schema_version (version INTEGER NOT NULL)');
        const { rows } = await client.query<{ version: number }>('SELECT version FROM ariane_schema_version');
        const current = rows[0]?.version ?? 0;
        if (current > MIGRATIONS.length) {
          throw new Error(`The database has Ariane schema version ${current}, newer than this Ariane (${MIGRATIONS.length}): upgrade Ariane.`);
        }
        if (current < MIGRATIONS.length) {
          await client.query('BEGIN');
          try {
            for (let v = current; v < MIGRATIONS.length; v++) {
              const migration = MIGRATIONS[v]!;
              if (typeof migration === 'string') await client.query(migration);
              else await migration(client);
            }
            await client.query('DELETE FROM ariane_schema_version');
            await client.query('INSERT INTO ariane_schema_version (version) VALUES ($1)', [MIGRATIONS.length]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  /** Runs `fn` in a transaction on one pooled client; rolls back when it throws. */
  private async transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError; // the connection is unusable: do not return it to the pool
      }
      throw err;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  private async get<T>(keys: string[]): Promise<Record<string, StoredItem<T>>> {
    const out: Record<string, StoredItem<T>> = {};
    // A key PostgreSQL cannot hold was never written: looking it up finds nothing (no SQL error).
    keys = keys.filter(hasNoNul);
    if (!keys.length) return out;
    const { rows } = await this.pool.query<{ key: string; value: string; etag: string }>(
      `SELECT key, value, etag FROM ariane_kv WHERE key = ANY($1) AND ${LIVE.replace('$NOW', '$2')}`,
      [keys, this.now()],
    );
    for (const r of rows) out[r.key] = { value: (this.stored.parse(r.value, { table: 'kv', key: r.key }) ?? null) as T, etag: r.etag };
    return out;
  }

  private async set(items: WriteItem[]): Promise<Record<string, string>> {
    if (!items.length) return {};
    for (const w of items) assertStorable('key', w.key);
    if (items.length === 1) return this.writeItems(this.pool, items);
    // Row locks are taken in key order by every instance, so two multi-writes cannot deadlock
    // (the sort is stable: repeated keys keep their order).
    const ordered = [...items].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
    return this.transaction((client) => this.writeItems(client, ordered)).catch((err: unknown) => {
      // Should PostgreSQL still break a lock cycle, the rolled-back call lost a race: say so.
      if ((err as { code?: string }).code === '40P01') throw new ConflictError(ordered[0]!.key);
      throw err;
    });
  }

  /**
   * Writes items one statement each (`values`: their JSON, when already made); throws ConflictError at
   * the first lost condition.
   */
  private async writeItems(db: Pool | PoolClient, items: WriteItem[], values?: string[]): Promise<Record<string, string>> {
    const now = this.now();
    const etags: Record<string, string> = {};
    for (const [i, w] of items.entries()) {
      const etag = newEtag();
      const args: unknown[] = [w.key, values ? values[i]! : toJson(w.value), etag, w.expiresAt ?? null];
      let sql: string;
      if (isUnconditional(w.etag)) {
        sql = `INSERT INTO ariane_kv (key, value, etag, expires_at) VALUES ($1, $2, $3, $4)
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, etag = EXCLUDED.etag, expires_at = EXCLUDED.expires_at`;
      } else if (w.etag === IF_ABSENT) {
        // An expired row counts as absent and is replaced.
        sql = `INSERT INTO ariane_kv (key, value, etag, expires_at) VALUES ($1, $2, $3, $4)
          ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, etag = EXCLUDED.etag, expires_at = EXCLUDED.expires_at
          WHERE ariane_kv.expires_at IS NOT NULL AND ariane_kv.expires_at <= $5`;
        args.push(now);
      } else {
        sql = `UPDATE ariane_kv SET value = $2, etag = $3, expires_at = $4
          WHERE key = $1 AND etag = $5 AND ${LIVE.replace('$NOW', '$6')}`;
        args.push(w.etag, now);
      }
      const result = await db.query(sql, args);
      if (result.rowCount !== 1) throw new ConflictError(w.key);
      etags[w.key] = etag;
    }
    return etags;
  }

  private async increment(key: string, deltas: Record<string, number>): Promise<StoredItem<Record<string, unknown>>> {
    assertStorable('key', key);
    const now = this.now();
    return this.transaction(async (client) => {
      // Make sure a row exists, then lock it: concurrent increments queue on the lock, none is lost.
      await client.query(
        `INSERT INTO ariane_kv (key, value, etag, expires_at) VALUES ($1, '{}', $2, NULL) ON CONFLICT (key) DO NOTHING`,
        [key, newEtag()],
      );
      const { rows } = await client.query<{ value: string; expires_at: string | null }>(
        'SELECT value, expires_at FROM ariane_kv WHERE key = $1 FOR UPDATE',
        [key],
      );
      const row = rows[0]!;
      const live = row.expires_at === null || Number(row.expires_at) > now;
      const value = addDeltas(key, live ? this.stored.parse(row.value, { table: 'kv', key }) : undefined, deltas);
      const etag = newEtag();
      const json = toJson(value);
      await client.query('UPDATE ariane_kv SET value = $2, etag = $3, expires_at = $4 WHERE key = $1', [
        key,
        json,
        etag,
        live ? row.expires_at : null,
      ]);
      return { value: JSON.parse(json) as Record<string, unknown>, etag };
    });
  }

  private async scan<T>(prefix: string): Promise<Array<{ key: string } & StoredItem<T>>> {
    if (!hasNoNul(prefix)) return [];
    const bound = prefixUpperBound(prefix);
    const now = this.now();
    const { rows } =
      bound === undefined
        ? await this.pool.query<{ key: string; value: string; etag: string }>(
            `SELECT key, value, etag FROM ariane_kv WHERE key >= $1 AND ${LIVE.replace('$NOW', '$2')} ORDER BY key`,
            [prefix, now],
          )
        : await this.pool.query<{ key: string; value: string; etag: string }>(
            `SELECT key, value, etag FROM ariane_kv WHERE key >= $1 AND key < $2 AND ${LIVE.replace('$NOW', '$3')} ORDER BY key`,
            [prefix, bound, now],
          );
    return rows.map((r) => ({ key: r.key, value: (this.stored.parse(r.value, { table: 'kv', key: r.key }) ?? null) as T, etag: r.etag }));
  }

  private async createConversation(record: ConversationRecord): Promise<void> {
    assertStorable('conversation id', record.id);
    assertStorable('user id', record.userId);
    const result = await this.pool.query(
      `INSERT INTO ariane_conversations (id, user_id, created_at, updated_at, data) VALUES ($1, $2, $3, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [record.id, record.userId, record.createdAt, record.data === undefined ? null : toJson(record.data)],
    );
    if (result.rowCount !== 1) throw new ConflictError(record.id);
  }

  private async getConversation(id: string): Promise<ConversationRecord | undefined> {
    if (!hasNoNul(id)) return undefined;
    const { rows } = await this.pool.query<{ id: string; user_id: string; created_at: string; data: string | null }>(
      'SELECT id, user_id, created_at, data FROM ariane_conversations WHERE id = $1',
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const record: ConversationRecord = { id: row.id, userId: row.user_id, createdAt: Number(row.created_at) };
    if (row.data !== null) {
      const data = this.stored.parse(row.data, { table: 'conversations', key: id });
      if (data !== undefined) record.data = data as Record<string, unknown>;
    }
    return record;
  }

  private async append(
    conversationId: string,
    activity: Record<string, unknown>,
    clientActivityId: string | undefined,
  ): Promise<LoggedActivity & { duplicate: boolean }> {
    if (clientActivityId !== undefined) {
      return (await this.commitTurn({ conversationId, appends: [{ activity, clientActivityId }], kv: [] })).appended[0]!;
    }
    // No idempotency check needed (bot replies): one statement, atomic on its own. The UPDATE locks
    // the conversation row, so the watermark it returns is ours alone.
    const json = toJson(activity);
    if (!hasNoNul(conversationId)) throw new UnknownConversationError(conversationId);
    const { rows } = await this.pool.query<{ watermark: number }>(
      `WITH c AS (
         UPDATE ariane_conversations SET last_watermark = last_watermark + 1, updated_at = $2 WHERE id = $1 RETURNING last_watermark
       )
       , inserted AS (
         INSERT INTO ariane_activities (conversation_id, watermark, client_activity_id, activity)
         SELECT $1, last_watermark, NULL, $3::json FROM c RETURNING watermark
       )
       SELECT watermark, CASE WHEN $5 THEN pg_notify($4, $1 || ' ' || watermark) END AS notified FROM inserted`,
      [conversationId, this.now(), json, APPENDS_CHANNEL, Buffer.byteLength(conversationId) <= MAX_NOTIFY_ID_BYTES],
    );
    const watermark = rows[0]?.watermark;
    if (watermark === undefined) throw new UnknownConversationError(conversationId);
    return { id: activityId(conversationId, watermark), watermark, activity: JSON.parse(json) as Record<string, unknown>, duplicate: false };
  }

  private async list(conversationId: string, after: number | undefined, limit?: number): Promise<{ activities: LoggedActivity[]; watermark: number }> {
    const from = after ?? 0;
    // No activity is past the integer column's range: a client's larger watermark finds nothing
    // (sent as a parameter, PostgreSQL would refuse it as out of range).
    if (!hasNoNul(conversationId) || from >= MAX_WATERMARK) return { activities: [], watermark: from };
    // pg parses json columns (JSON.parse).
    const { rows } = await this.pool.query<{ watermark: number; activity: Record<string, unknown> }>(
      'SELECT watermark, activity FROM ariane_activities WHERE conversation_id = $1 AND watermark > $2 ORDER BY watermark LIMIT $3',
      [conversationId, from, limit === undefined ? null : Math.max(0, limit)],
    );
    const activities = rows.map((r) => ({ id: activityId(conversationId, r.watermark), watermark: r.watermark, activity: r.activity }));
    return { activities, watermark: activities.length ? activities[activities.length - 1]!.watermark : from };
  }
}

/** What NOTIFY says of an append, or null when the id is too long for a payload (see MAX_NOTIFY_ID_BYTES). */
function notifyPayload(conversationId: string, watermark: number): string | null {
  return Buffer.byteLength(conversationId) <= MAX_NOTIFY_ID_BYTES ? `${conversationId} ${watermark}` : null;
}

/** Whether PostgreSQL text can hold this string (it cannot hold U+0000). */
function hasNoNul(text: string): boolean {
  return !text.includes('\u0000');
}

/** host:port/database of a connection string, without user or password (for error messages). */
function describeTarget(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'unparsable DATABASE_URL';
  }
}

/** The client chooses its activity ids: one with NUL (which text columns refuse) is stored JSON-escaped. */
function storedClientId(clientActivityId: string | undefined): string | undefined {
  return clientActivityId === undefined || hasNoNul(clientActivityId) ? clientActivityId : JSON.stringify(clientActivityId);
}

/** Carries a replayed turn out of its transaction so that it rolls back. */
class Replayed extends Error {
  constructor(readonly turn: CommittedTurn) {
    super('replayed turn');
  }
}

/**
 * Migration to version 3: each activity stored in the compact format of version 2 (`body`) becomes
 * its JSON text in `activity`, in pages of the primary key; then `activity` becomes `json` and `body`
 * goes. A row that cannot be read rolls the migration back (it runs in the migration transaction),
 * and the error names it.
 */
async function activitiesToJson(client: PoolClient): Promise<void> {
  let after: [string, number] = ['', -1];
  for (;;) {
    const { rows } = await client.query<{ conversation_id: string; watermark: number; client_activity_id: string | null; body: Buffer; user_id: string; created_at: string }>(
      `SELECT a.conversation_id, a.watermark, a.client_activity_id, a.body, c.user_id, c.created_at
       FROM ariane_activities a JOIN ariane_conversations c ON c.id = a.conversation_id
       WHERE a.body IS NOT NULL AND (a.conversation_id, a.watermark) > ($1, $2)
       ORDER BY a.conversation_id, a.watermark LIMIT 500`,
      after,
    );
    if (!rows.length) break;
    const texts = rows.map((r) => {
      try {
        return decodeCompactActivity(r.body, { conversationId: r.conversation_id, userId: r.user_id, createdAt: Number(r.created_at), clientActivityId: r.client_activity_id });
      } catch (err) {
        throw new Error(
          `${(err as Error).message} Migrating to Ariane schema version 3 stopped, changing nothing: restore a backup, or delete that row ` +
            `(DELETE FROM ariane_activities WHERE conversation_id = '${r.conversation_id.replace(/'/g, "''")}' AND watermark = ${r.watermark}) and start again.`,
          { cause: err },
        );
      }
    });
    await client.query(
      `UPDATE ariane_activities a SET activity = t.activity, body = NULL
       FROM unnest($1::text[], $2::int[], $3::text[]) AS t (conversation_id, watermark, activity)
       WHERE a.conversation_id = t.conversation_id AND a.watermark = t.watermark`,
      [rows.map((r) => r.conversation_id), rows.map((r) => r.watermark), texts],
    );
    const last = rows[rows.length - 1]!;
    after = [last.conversation_id, last.watermark];
  }
  await client.query(`ALTER TABLE ariane_activities
    DROP CONSTRAINT ariane_activities_content,
    DROP COLUMN body,
    ALTER COLUMN activity SET NOT NULL,
    ALTER COLUMN activity TYPE json USING activity::json`);
}

/**
 * The embedded default store: one SQLite file, `<dataDir>/ariane.db`, through better-sqlite3.
 *
 * Durability: a write's promise resolves only once its transaction is committed AND the WAL file
 * has been fsynced, so an acknowledged turn survives `kill -9` and also an OS crash or power cut
 * (what `synchronous=FULL` gives). But FULL fsyncs inside COMMIT, on the event loop thread: in a
 * store benchmark here (50 concurrent conversations), COMMIT took 73 % of the thread's time and the
 * event loop stalled up to 250-430 ms; every HTTP request would wait behind each fsync. So SQLite runs with `synchronous=NORMAL` (WAL commits are written, not fsynced; WAL
 * and database are fsynced at each checkpoint) and the store fsyncs the WAL itself with `fs.fsync`
 * on libuv's thread pool, the event loop staying free meanwhile. The WAL is append-only between
 * checkpoints, so one fsync makes every earlier commit durable: writes committed while an fsync is
 * in flight wait for the next one (group commit), and a reader can only ever build on data that
 * will be durable before its own write is acknowledged.
 *
 * Checkpoints (copying the WAL back into the database file, two fsyncs) would also stall the event
 * loop every ~4 MB of WAL when SQLite runs them inside a COMMIT: they run instead in a worker thread
 * with its own connection (PASSIVE, so they never block writers), and should that worker fail, SQLite's
 * automatic checkpoints are switched back on.
 *
 * Speed: writes are also grouped before the commit: every write requested during one turn of the
 * event loop is queued and run in a single transaction on the next `setImmediate`. Reads run at
 * once on committed data (better-sqlite3 is synchronous), so a caller that awaited its write always
 * reads it back.
 *
 * A conflict must fail only its own call, yet savepoints per write cost ~100 µs each here (measured:
 * 4.6 ms vs 0.14 ms for a batch of 42). So every write checks its conditions before it writes
 * anything and throws its expected errors (ConflictError, UnknownConversationError) only then; an
 * unexpected error (I/O, constraint) aborts the batch, which is then replayed one transaction per
 * write so that only the faulty write fails.
 *
 * The write lock: another process (an admin's `sqlite3`, an `ariane` command) may hold it. SQLite's
 * busy_timeout would wait for it inside the call, on the event loop, freezing every request; so the
 * connection never waits (busy_timeout 0 once open), and a batch that finds the lock taken goes back
 * to the head of the queue and is retried on a timer (5 ms, doubling to 100 ms) for up to
 * `lockTimeoutMs`; writes queued meanwhile join it, in order. Reads need no lock (WAL). `ping` takes
 * the lock for an instant (an empty BEGIN IMMEDIATE transaction, no I/O), so `/readyz` says not
 * ready while another process holds it.
 *
 * Deleted data leaves the files (the retention purge must erase, not just hide): `secure_delete`
 * zeroes what a delete or an update frees, and after a purge a TRUNCATE checkpoint (in the worker)
 * copies the zeroed pages over the database file's old ones and empties the WAL, whose frames not yet
 * overwritten still held older images of those pages. A VACUUM after each purge would also erase,
 * but rewrites the whole file with writes blocked meanwhile (costs measured: README, Privacy).
 * Databases written before (schema 1-3) are vacuumed once.
 *
 * Every value is plain JSON text (kv values, conversation data, activities), readable with `sqlite3`
 * and SQLite's JSON functions. A turn (`commitTurn`) is one write of the batch: all of it or none of
 * it commits, and one fsync acknowledges it.
 */
import { closeSync, existsSync, fsync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { AppendListeners } from './appendFeed';
import { activityId, addDeltas, assertStorable, checkTurn, isUnconditional, newEtag, prefixUpperBound, RefusedWrite, StoredJson, toJson } from './common';
import { decodeCompactActivity } from './decodeCompactActivity';
import {
  ConflictError,
  IF_ABSENT,
  UnknownConversationError,
  type CommittedTurn,
  type ConversationLog,
  type ConversationRecord,
  type KeyValueStore,
  type LoggedActivity,
  type Store,
  type StoredItem,
  type Turn,
  type TurnAppend,
  type UnreadableRow,
  type WriteItem,
} from './types';

/** Where and how to open the SQLite store. */
export interface SqliteStoreOptions {
  /** Directory of `ariane.db` (created if missing). */
  dataDir: string;
  /** Clock in epoch ms (default Date.now), for expiry tests. */
  now?: () => number;
  /** Run checkpoints in a worker thread (default true); false leaves them to SQLite, in COMMIT. */
  checkpointWorker?: boolean;
  /** How the WAL file is fsynced (default `fs.fsync`); tests inject a slow or failing one. */
  syncFile?: (fd: number, done: (err: NodeJS.ErrnoException | null) => void) => void;
  /**
   * How long a write waits for the write lock held by another process before it fails (default
   * 15 s). The event loop is never blocked meanwhile.
   */
  lockTimeoutMs?: number;
  /** Told of each stored row that cannot be read back and is skipped (see UnreadableRow). */
  onUnreadable?: (row: UnreadableRow) => void;
}

/** First and longest pause between two tries of a batch that found the write lock taken. */
const LOCK_RETRY_FIRST_MS = 5;
const LOCK_RETRY_MAX_MS = 100;

/**
 * Schema migrations, applied in order, all in one transaction; index + 1 is the schema version.
 * Never edit a shipped one.
 */
const MIGRATIONS: Array<string | ((db: Database.Database) => void)> = [
  `CREATE TABLE kv (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     etag TEXT NOT NULL,
     expires_at INTEGER
   ) WITHOUT ROWID;
   CREATE INDEX kv_expires ON kv (expires_at) WHERE expires_at IS NOT NULL;
   CREATE TABLE conversations (
     id TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     data TEXT,
     last_watermark INTEGER NOT NULL DEFAULT 0
   ) WITHOUT ROWID;
   CREATE INDEX conversations_updated ON conversations (updated_at);
   CREATE TABLE activities (
     conversation_id TEXT NOT NULL,
     watermark INTEGER NOT NULL,
     client_activity_id TEXT,
     activity TEXT NOT NULL,
     PRIMARY KEY (conversation_id, watermark)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX activities_client ON activities (conversation_id, client_activity_id)
     WHERE client_activity_id IS NOT NULL;`,
  // Version 2 changed no table: activities.activity held a BLOB in the compact format (see
  // decodeCompactActivity.ts; SQLite keeps a BLOB as given in a TEXT column), next to the JSON text
  // of older rows. The version told an older Ariane, which reads only text, to refuse to open.
  `-- activities.activity: BLOB (activityCodec) or JSON text (schema version 1)`,
  // Version 3: every activity is JSON text again, readable with an SQL client.
  activitiesToJson,
  // Version 4 changed no table: deleted content is zeroed (secure_delete), and a database of an
  // earlier version is vacuumed once before this version is recorded (see migrate). An older Ariane
  // would delete without zeroing: the version makes it refuse to open.
  `-- deletes are secure (secure_delete); versions 1-3 vacuumed once`,
];

/** The first schema version whose deletes are secure. */
const SECURE_DELETE_VERSION = 4;

/** The schema version this code expects. */
export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

interface Pending {
  run: () => unknown;
  /** When it was queued (Date.now), for the lock timeout. */
  queuedAt: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: boolean; value: unknown };

type Stmt = Database.Statement<unknown[], unknown>;

/** A `Store` in one SQLite file; open it with `SqliteStore.open`. */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly kv: KeyValueStore;
  readonly log: ConversationLog;
  /**
   * Wake-ups on append, in this process: the one that serves the database (another process writing
   * to it, such as an `ariane` command, is caught by the streams' safety poll).
   */
  readonly appends = new AppendListeners();
  /** Path of the database file. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly s: Record<string, Stmt>;
  private queue: Pending[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;
  /** Runs what it can of a batch: one outcome per write run, in order; the rest found the lock taken. */
  private readonly runBatch: (batch: Pending[]) => Outcome[];
  /** While another process holds the write lock: the timer of the next try and how many came before. */
  private lockWait: { timer: NodeJS.Timeout; tries: number } | undefined;
  private readonly lockTimeoutMs: number;
  private readonly probeLock: () => void;
  private readonly stored: StoredJson;
  /** Purges waiting for the worker's TRUNCATE checkpoint, oldest first. */
  private truncations: Array<(emptied: boolean) => void> = [];
  /** A purge's WAL could not be emptied (another process was reading): the next purge tries again. */
  private walToErase = false;
  /** Open descriptor of the WAL file, fsynced before writes are acknowledged. */
  private readonly walFd: number;
  private readonly syncFile: NonNullable<SqliteStoreOptions['syncFile']>;
  /** Committed writes waiting for the next fsync, and whether one is in flight. */
  private unsynced: Array<{ pending: Pending; outcome: Outcome }> = [];
  private syncing = false;
  private drained: Array<() => void> = [];
  private checkpointer: Worker | undefined;

  /** Opens (creating and migrating if needed) `<dataDir>/ariane.db`. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    return new SqliteStore(options);
  }

  private constructor(options: SqliteStoreOptions) {
    this.file = join(options.dataDir, 'ariane.db');
    this.now = options.now ?? Date.now;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 15_000;
    this.stored = new StoredJson(options.onUnreadable);
    let db: Database.Database;
    try {
      mkdirSync(options.dataDir, { recursive: true });
    } catch (err) {
      throw new Error(`Cannot open the SQLite database ${this.file}: ${err instanceof Error ? err.message : String(err)} (check the data directory exists and is writable).`);
    }
    refuseLostFile(this.file);
    try {
      db = new Database(this.file);
    } catch (err) {
      throw new Error(`Cannot open the SQLite database ${this.file}: ${err instanceof Error ? err.message : String(err)} (check the data directory exists and is writable).`);
    }
    this.db = db;
    try {
      db.pragma('journal_mode = WAL');
      // Not FULL: the store fsyncs the WAL itself, off the event loop (see the file comment).
      db.pragma('synchronous = NORMAL');
      // While opening, nothing else runs yet: waiting a little for another process's lock is harmless.
      db.pragma('busy_timeout = 5000');
      // After a burst, give back WAL space beyond 64 MB when the WAL restarts.
      db.pragma('journal_size_limit = 67108864');
      // Keep the B-tree pages of active conversations in memory (16 MB; the default is 2 MB).
      db.pragma('cache_size = -16000');
      // Zero what deletes and updates free (see the file comment).
      db.pragma('secure_delete = ON');
      checkIntegrity(db, this.file);
      migrate(db);
      // The WAL exists once a transaction ran (migrate). It keeps its inode while this connection
      // is open (reset after a checkpoint, never deleted), so one descriptor serves every fsync.
      this.walFd = openSync(`${this.file}-wal`, 'r+');
      // From now on, never wait for a lock on the event loop (see the file comment).
      db.pragma('busy_timeout = 0');
    } catch (err) {
      db.close();
      if (isDamage(err)) throw damaged(this.file, err instanceof Error ? err.message : String(err));
      if (isBusy(err)) throw new Error(`The SQLite database ${this.file} stayed locked by another process for 5 s while opening: start again once that process is done.`);
      throw err;
    }
    this.syncFile = options.syncFile ?? fsync;
    if (options.checkpointWorker !== false) this.startCheckpointer();
    this.s = prepareAll(db);
    const runBatch = db.transaction((batch: Pending[]) =>
      batch.map((p) => {
        try {
          return { ok: true, value: p.run() };
        } catch (error) {
          // Expected errors are thrown before the write touched anything: the batch goes on.
          if (error instanceof ConflictError || error instanceof UnknownConversationError || error instanceof RefusedWrite) {
            return { ok: false, value: error };
          }
          throw error;
        }
      }),
    );
    const runOne = db.transaction((p: Pending) => p.run());
    this.runBatch = (batch) => {
      try {
        return runBatch.immediate(batch);
      } catch (error) {
        if (isBusy(error)) return [];
        // Rolled back as a whole: replay each write alone so that only the faulty one fails.
        const outcomes: Outcome[] = [];
        for (const p of batch) {
          try {
            outcomes.push({ ok: true, value: runOne.immediate(p) });
          } catch (error) {
            if (isBusy(error)) break;
            outcomes.push({ ok: false, value: error });
          }
        }
        return outcomes;
      }
    };
    const probe = db.transaction(() => undefined);
    this.probeLock = () => probe.immediate();

    this.kv = {
      get: async <T>(keys: string[]) => this.get<T>(keys),
      set: (items: WriteItem[]) => {
        // Serialised before queueing: a value JSON cannot hold is refused without touching the batch.
        let jsons: string[];
        try {
          items.forEach((w) => assertStorable('key', w.key));
          jsons = items.map((w) => toJson(w.value));
        } catch (err) {
          return Promise.reject(err);
        }
        return this.write(() => this.setNow(items, jsons));
      },
      delete: (keys: string[]) =>
        this.write(() => {
          for (const key of keys) this.s.kvDelete!.run(key);
        }),
      scan: async <T>(prefix: string) => this.scan<T>(prefix),
      increment: (key, deltas) =>
        this.write(() => {
          assertStorable('key', key);
          // Runs inside the batch transaction: no other write can come between the read and the write.
          const row = this.s.kvGetFull!.get(key, this.now()) as { value: string; expires_at: number | null } | undefined;
          const value = addDeltas(key, row && this.stored.parse(row.value, { table: 'kv', key }), deltas);
          const etag = newEtag();
          const json = toJson(value);
          this.s.kvUpsert!.run(key, json, etag, row?.expires_at ?? null);
          return { value: JSON.parse(json) as Record<string, unknown>, etag };
        }),
    };
    this.log = {
      createConversation: (record) =>
        this.write(() => {
          assertStorable('conversation id', record.id);
          assertStorable('user id', record.userId);
          this.createNow(record);
        }),
      getConversation: async (id) => this.getConversation(id),
      append: (conversationId, activity, clientActivityId) =>
        this.commitTurn({ conversationId, appends: [{ activity, clientActivityId }], kv: [] }).then((turn) => turn.appended[0]!),
      list: async (conversationId, after, limit) => this.list(conversationId, after, limit),
    };
  }

  /** Rejects while another process holds the write lock (writes wait), after a few short tries. */
  async ping(): Promise<void> {
    this.check();
    this.s.ping!.get();
    for (let tries = 0; ; tries++) {
      if (!this.lockWait) {
        try {
          this.probeLock();
          return;
        } catch (error) {
          if (!isBusy(error)) throw error;
        }
      }
      if (tries === 3) {
        const oldest = this.queue[0];
        const waiting = oldest ? `: writes have waited ${((Date.now() - oldest.queuedAt) / 1000).toFixed(1)} s` : '';
        throw new Error(`The database ${this.file} is locked by another process${waiting}.`);
      }
      await new Promise((done) => setTimeout(done, 25 * 2 ** tries));
    }
  }

  commitTurn(turn: Turn): Promise<CommittedTurn> {
    // Serialised before queueing: the caller's objects are captured as they are at the call, and a
    // value JSON cannot hold is refused without touching the batch.
    let activities: string[];
    let values: string[];
    try {
      activities = checkTurn(turn);
      values = turn.kv.map((w) => toJson(w.value));
    } catch (err) {
      return Promise.reject(err);
    }
    const { conversationId } = turn;
    const appends = turn.appends.map(({ clientActivityId, replyTo }) => ({ clientActivityId, replyTo }));
    const items = turn.kv.map((w) => ({ ...w }));
    return this.write(() => this.commitNow(conversationId, appends, activities, items, values)).then((committed) => {
      // Once durable, as the caller learns it: a stream woken now reads the turn from the database.
      const last = committed.replayed ? undefined : committed.appended[committed.appended.length - 1];
      if (last) this.appends.publish(conversationId, last.watermark);
      return committed;
    });
  }

  /** Resolves once the purged rows are out of the database file and the WAL (see the file comment). */
  async purge(now: number, conversationsBefore?: number): Promise<number> {
    const count = await this.write(() => {
      let count = this.s.purgeKv!.run(now).changes;
      if (conversationsBefore !== undefined) {
        this.s.purgeActivities!.run(conversationsBefore);
        count += this.s.purgeConversations!.run(conversationsBefore).changes;
      }
      return count;
    });
    if (count > 0 || this.walToErase) this.walToErase = !(await this.emptyWal());
    return count;
  }

  /**
   * A TRUNCATE checkpoint: the whole WAL copied into the database file, which is fsynced, then the
   * WAL cut to 0 bytes. In the worker, which may wait for the lock (writers meanwhile wait for it
   * asynchronously); without one, here, giving up at once if busy. False when it could not be done.
   */
  private emptyWal(): Promise<boolean> {
    const worker = this.checkpointer;
    if (worker) {
      return new Promise((done) => {
        this.truncations.push(done);
        worker.postMessage('truncate');
      });
    }
    if (this.closed) return Promise.resolve(false);
    try {
      return Promise.resolve((this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>)[0]?.busy === 0);
    } catch {
      return Promise.resolve(false);
    }
  }

  /**
   * Commits and fsyncs what is queued, then closes: every write accepted before close settles (one
   * waiting for another process's lock, within its lock timeout).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.lockWait) this.flush();
    this.closed = true;
    if (!this.idle()) await new Promise<void>((done) => this.drained.push(done));
    const worker = this.checkpointer;
    this.checkpointer = undefined;
    if (worker) await worker.terminate();
    for (const done of this.truncations.splice(0)) done(false);
    closeSync(this.walFd);
    this.db.close();
  }

  /** Moves checkpoints off the event loop (see the file comment); falls back to SQLite's own. */
  private startCheckpointer(): void {
    const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: this.file } });
    worker.unref(); // a store left open must not keep the process alive
    this.checkpointer = worker;
    const fallBack = () => {
      if (this.checkpointer !== worker) return;
      this.checkpointer = undefined;
      for (const done of this.truncations.splice(0)) done(false);
      if (!this.closed) this.db.pragma('wal_autocheckpoint = 1000');
    };
    worker.on('message', (m: unknown) => {
      if (this.checkpointer !== worker || this.closed) return;
      if (typeof m === 'object' && m !== null && 'emptied' in m) {
        this.truncations.shift()?.((m as { emptied: boolean }).emptied);
        return;
      }
      if (m === 'ready') this.db.pragma('wal_autocheckpoint = 0');
      else if (typeof m === 'object' && m !== null && (m as { log: number }).log >= 1000) {
        // Under steady writes a checkpoint running beside the writer never catches up, and the WAL
        // restarts from its beginning only after a complete one. Once the WAL passes ~4 MB, finish
        // here: the worker already copied and fsynced nearly everything, so this is short.
        try {
          this.db.pragma('wal_checkpoint(PASSIVE)');
        } catch {
          // Busy (the worker is checkpointing): the next report tries again.
        }
      }
    });
    worker.on('error', fallBack);
    worker.on('exit', fallBack);
  }

  private check(): void {
    if (this.closed) throw new Error('The store is closed.');
  }

  /**
   * Queues a write for the next group commit. `run` must throw its expected errors (ConflictError,
   * UnknownConversationError, RefusedWrite) before it writes anything; any other error makes the
   * whole batch roll back and replay one write at a time.
   */
  private write<T>(run: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, queuedAt: Date.now(), resolve: resolve as (v: unknown) => void, reject });
      // While the lock is taken elsewhere, the waiting batch's timer runs this write too.
      if (!this.lockWait) this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.lockWait) clearTimeout(this.lockWait.timer);
    const tries = this.lockWait ? this.lockWait.tries + 1 : 0;
    this.lockWait = undefined;
    const batch = this.queue;
    if (!batch.length) return this.notifyIdle();
    this.queue = [];
    let results: Outcome[];
    try {
      results = this.runBatch(batch);
    } catch (error) {
      // The COMMIT itself failed (disk full, I/O error): nothing of the batch is written.
      for (const p of batch) p.reject(error);
      return this.notifyIdle();
    }
    results.forEach((outcome, i) => this.unsynced.push({ pending: batch[i]!, outcome }));
    if (results.length < batch.length) this.waitForLock(batch.slice(results.length), tries);
    this.sync();
  }

  /**
   * Another process holds the write lock: `waiting` goes back to the head of the queue for a later
   * try, on a timer (the event loop stays free); writes that waited beyond the lock timeout fail.
   */
  private waitForLock(waiting: Pending[], tries: number): void {
    const now = Date.now();
    const expired = waiting.filter((p) => now - p.queuedAt >= this.lockTimeoutMs);
    if (expired.length) {
      const error = new Error(`The database ${this.file} stayed locked by another process for ${(this.lockTimeoutMs / 1000).toFixed(1)} s: the write was not made.`);
      for (const p of expired) p.reject(error);
    }
    this.queue = waiting.filter((p) => now - p.queuedAt < this.lockTimeoutMs).concat(this.queue);
    if (!this.queue.length) return;
    const pause = Math.min(LOCK_RETRY_MAX_MS, LOCK_RETRY_FIRST_MS * 2 ** tries);
    this.lockWait = { timer: setTimeout(() => this.flush(), pause), tries };
  }

  /** Nothing queued, waiting for the lock, committing or fsyncing. */
  private idle(): boolean {
    return !this.queue.length && !this.lockWait && !this.syncing && !this.unsynced.length;
  }

  /** Resolves `close` once idle. */
  private notifyIdle(): void {
    if (this.idle()) for (const done of this.drained.splice(0)) done();
  }

  /** Fsyncs the WAL for every committed write waiting, one fsync at a time (group commit). */
  private sync(): void {
    if (this.syncing) return;
    if (!this.unsynced.length) return this.notifyIdle();
    this.syncing = true;
    const group = this.unsynced;
    this.unsynced = [];
    this.syncFile(this.walFd, (err) => {
      this.syncing = false;
      for (const { pending, outcome } of group) {
        // If the fsync failed, durability is unknown: the write is not acknowledged.
        if (err) pending.reject(new Error(`The store could not make a write durable: ${err.message}`, { cause: err }));
        else if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.value);
      }
      this.sync();
    });
  }

  private get<T>(keys: string[]): Record<string, StoredItem<T>> {
    this.check();
    const now = this.now();
    const out: Record<string, StoredItem<T>> = {};
    for (const key of keys) {
      const row = this.s.kvGet!.get(key, now) as { value: string; etag: string } | undefined;
      if (row) out[key] = { value: (this.stored.parse(row.value, { table: 'kv', key }) ?? null) as T, etag: row.etag };
    }
    return out;
  }

  private setNow(items: WriteItem[], jsons: string[]): Record<string, string> {
    return this.writeItems(items, jsons, this.planItems(items));
  }

  /**
   * Checks every condition (against earlier items of this call too) and gives each key its new etag;
   * throws ConflictError before anything is written, so no savepoint is needed.
   */
  private planItems(items: WriteItem[]): Map<string, string> {
    const now = this.now();
    const planned = new Map<string, string>();
    for (const w of items) {
      if (!isUnconditional(w.etag)) {
        const current = planned.has(w.key)
          ? planned.get(w.key)
          : (this.s.kvEtag!.get(w.key, now) as { etag: string } | undefined)?.etag;
        const ok = w.etag === IF_ABSENT ? current === undefined : current === w.etag;
        if (!ok) throw new ConflictError(w.key);
      }
      planned.set(w.key, newEtag());
    }
    return planned;
  }

  private writeItems(items: WriteItem[], jsons: string[], planned: Map<string, string>): Record<string, string> {
    const etags: Record<string, string> = {};
    for (const [i, w] of items.entries()) {
      // Repeated keys: the last write wins and its etag is the one planned last.
      const etag = planned.get(w.key)!;
      this.s.kvUpsert!.run(w.key, jsons[i]!, etag, w.expiresAt ?? null);
      etags[w.key] = etag;
    }
    return etags;
  }

  private scan<T>(prefix: string): Array<{ key: string } & StoredItem<T>> {
    this.check();
    const now = this.now();
    const bound = prefixUpperBound(prefix);
    const rows = (bound === undefined ? this.s.kvScanOpen!.all(prefix, now) : this.s.kvScan!.all(prefix, bound, now)) as Array<{
      key: string;
      value: string;
      etag: string;
    }>;
    return rows.map((r) => ({ key: r.key, value: (this.stored.parse(r.value, { table: 'kv', key: r.key }) ?? null) as T, etag: r.etag }));
  }

  private createNow(record: ConversationRecord): void {
    // toJson(data) may throw (BigInt…): before the insert, so nothing is written.
    const data = record.data === undefined ? null : toJson(record.data);
    const changes = this.s.convInsert!.run(
      record.id,
      record.userId,
      record.createdAt,
      record.createdAt,
      data,
    ).changes;
    if (changes !== 1) throw new ConflictError(record.id);
  }

  private getConversation(id: string): ConversationRecord | undefined {
    this.check();
    const row = this.s.convGet!.get(id) as { id: string; user_id: string; created_at: number; data: string | null } | undefined;
    if (!row) return undefined;
    const record: ConversationRecord = { id: row.id, userId: row.user_id, createdAt: row.created_at };
    if (row.data !== null) {
      const data = this.stored.parse(row.data, { table: 'conversations', key: id });
      if (data !== undefined) record.data = data as Record<string, unknown>;
    }
    return record;
  }

  /** A turn, inside the batch: every check (see Store.commitTurn) comes before the first write. */
  private commitNow(
    conversationId: string,
    appends: Array<Omit<TurnAppend, 'activity'>>,
    activities: string[],
    items: WriteItem[],
    values: string[],
  ): CommittedTurn {
    const conversation = this.s.convWatermark!.get(conversationId) as { last_watermark: number } | undefined;
    if (!conversation) throw new UnknownConversationError(conversationId);
    const stored: CommittedTurn['appended'] = [];
    for (const { clientActivityId } of appends) {
      if (clientActivityId === undefined) continue;
      const row = this.s.actByClient!.get(conversationId, clientActivityId) as { watermark: number; activity: string } | undefined;
      if (row) {
        // Only its id matters to a replay: an unreadable one is still the turn committed before.
        const activity = (this.stored.parse(row.activity, { table: 'activities', key: conversationId, watermark: row.watermark }) ?? {}) as Record<string, unknown>;
        stored.push({ id: activityId(conversationId, row.watermark), watermark: row.watermark, activity, duplicate: true });
      }
    }
    if (stored.length) return { replayed: true, appended: stored, etags: {} };
    const etags = this.writeItems(items, values, this.planItems(items));
    if (!appends.length) return { replayed: false, appended: [], etags };
    this.s.convAdvance!.run(appends.length, this.now(), conversationId);
    const first = conversation.last_watermark + 1;
    const appended = appends.map(({ clientActivityId, replyTo }, i) => {
      const watermark = first + i;
      let json = activities[i]!;
      const activity = JSON.parse(json) as Record<string, unknown>;
      if (replyTo !== undefined) {
        activity.replyToId = activityId(conversationId, first + replyTo);
        json = JSON.stringify(activity);
      }
      this.s.actInsert!.run(conversationId, watermark, clientActivityId ?? null, json);
      return { id: activityId(conversationId, watermark), watermark, activity, duplicate: false };
    });
    return { replayed: false, appended, etags };
  }

  private list(conversationId: string, after: number | undefined, limit?: number): { activities: LoggedActivity[]; watermark: number } {
    this.check();
    const from = after ?? 0;
    const rows = this.s.actList!.all(conversationId, from, limit === undefined ? -1 : Math.max(0, limit)) as Array<{ watermark: number; activity: string }>;
    const activities: LoggedActivity[] = [];
    for (const r of rows) {
      const activity = this.stored.parse(r.activity, { table: 'activities', key: conversationId, watermark: r.watermark });
      if (activity !== undefined) activities.push({ id: activityId(conversationId, r.watermark), watermark: r.watermark, activity: activity as Record<string, unknown> });
    }
    return { activities, watermark: rows.length ? rows[rows.length - 1]!.watermark : from };
  }
}

/**
 * The checkpoint worker's code (plain JS: it must run the same under ts-jest and from dist/). Every
 * 200 ms, a PASSIVE checkpoint: cheap when the WAL holds nothing new, never blocks a writer.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
db.pragma('wal_autocheckpoint = 0');
parentPort.on('message', (m) => {
  if (m !== 'truncate') return;
  let emptied = false;
  try {
    emptied = db.pragma('wal_checkpoint(TRUNCATE)')[0].busy === 0;
  } catch {
    // Busy beyond the timeout: the purge that asked tries again next time.
  }
  parentPort.postMessage({ emptied });
});
parentPort.postMessage('ready');
setInterval(() => {
  try {
    parentPort.postMessage(db.pragma('wal_checkpoint(PASSIVE)')[0]);
  } catch {
    // Busy (the main thread is finishing a checkpoint): try again next time.
  }
}, 200);
`;

/**
 * Refuses to open a store that is plainly lost, rather than start an empty one in its place: a 0-byte
 * file (SQLite leaves none once it has created its schema: truncated, or replaced by an empty file),
 * or a write-ahead log without its database (SQLite would build a database from the log alone).
 */
function refuseLostFile(file: string): void {
  let size: number | undefined;
  try {
    size = statSync(file).size;
  } catch {
    // absent
  }
  if (size === 0) {
    throw new Error(`The SQLite database ${file} is empty (0 bytes): it was truncated or replaced. Stop Ariane and restore it from a backup, or delete it (with its -wal and -shm files) to start with an empty store.`);
  }
  if (size === undefined && existsSync(`${file}-wal`)) {
    throw new Error(`The SQLite database ${file} is missing, but its write-ahead log ${file}-wal is there: restore the database from a backup, or delete ${file}-wal and ${file}-shm to start with an empty store.`);
  }
}

/**
 * PRAGMA quick_check: every page of every table and index is read and its structure checked
 * (integrity_check would also compare indexes with their tables, at a higher cost). A damaged
 * database otherwise opens and fails the requests that reach the damaged pages.
 */
function checkIntegrity(db: Database.Database, file: string): void {
  const rows = db.pragma('quick_check') as Array<{ quick_check: string }>;
  if (rows.length === 1 && rows[0]!.quick_check === 'ok') return;
  throw damaged(file, `quick_check: ${rows.map((r) => r.quick_check).join('; ')}`);
}

/** SQLite's words for a file whose content is not a sound database. */
function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** The one-line refusal for a damaged database, with what to do. */
function damaged(file: string, detail: string): Error {
  const short = detail.replace(/\s+/g, ' ').trim();
  return new Error(
    `The SQLite database ${file} is damaged (${short.length > 160 ? `${short.slice(0, 160)}…` : short}): stop Ariane and restore it from a backup ` +
      '(remove the -wal and -shm files beside it first), or move the three files aside to start with an empty store.',
  );
}

/** Brings the schema to SQLITE_SCHEMA_VERSION; refuses a database written by a newer version. */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const before = (db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined)?.version ?? 0;
  // Up to date: no write, so the store opens even while another process holds the write lock.
  if (before === MIGRATIONS.length) return;
  if (before > 0 && before < SECURE_DELETE_VERSION) {
    // What older versions deleted may still sit in free pages: the database is rewritten once
    // (VACUUM, which needs as much free disk; its cost is in the README), then the WAL that carried
    // the copy is emptied. Before the migration records the version, so a scrub cut short runs again.
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  db.transaction(() => {
    const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
    const current = row?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`The database ${db.name} has schema version ${current}, newer than this Ariane (${MIGRATIONS.length}): upgrade Ariane.`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      const migration = MIGRATIONS[v]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    if (!row) db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length);
    else if (current !== MIGRATIONS.length) db.prepare('UPDATE schema_version SET version = ?').run(MIGRATIONS.length);
  }).immediate();
}

/**
 * Migration to version 3: rewrites each activity stored in the compact format of version 2 (a BLOB)
 * as its JSON text, in pages of the primary key (an open SELECT cannot run beside the UPDATEs).
 * Inside the migration transaction: a row that cannot be read rolls the whole migration back, and the
 * error names it. A row whose conversation is gone is deleted: nothing can list it (the purge removes
 * a conversation and its activities together), and its tokens cannot be read without that row.
 */
function activitiesToJson(db: Database.Database): void {
  const page = db.prepare(
    `SELECT a.conversation_id, a.watermark, a.client_activity_id, a.activity, c.user_id, c.created_at
     FROM activities a LEFT JOIN conversations c ON c.id = a.conversation_id
     WHERE typeof(a.activity) = 'blob' AND (a.conversation_id, a.watermark) > (?, ?)
     ORDER BY a.conversation_id, a.watermark LIMIT 500`,
  );
  const update = db.prepare('UPDATE activities SET activity = ? WHERE conversation_id = ? AND watermark = ?');
  const orphan = db.prepare('DELETE FROM activities WHERE conversation_id = ? AND watermark = ?');
  type Row = { conversation_id: string; watermark: number; client_activity_id: string | null; activity: Buffer; user_id: string | null; created_at: number | null };
  let after: [string, number] = ['', -1];
  for (;;) {
    const rows = page.all(...after) as Row[];
    if (!rows.length) return;
    for (const r of rows) {
      if (r.user_id === null) {
        orphan.run(r.conversation_id, r.watermark);
        continue;
      }
      let json: string;
      try {
        json = decodeCompactActivity(r.activity, { conversationId: r.conversation_id, userId: r.user_id, createdAt: r.created_at!, clientActivityId: r.client_activity_id });
      } catch (err) {
        throw new Error(
          `${(err as Error).message} Migrating ${db.name} to schema version 3 stopped, changing nothing: restore a backup, or delete that row ` +
            `(DELETE FROM activities WHERE conversation_id = '${r.conversation_id.replace(/'/g, "''")}' AND watermark = ${r.watermark}) and start again.`,
          { cause: err },
        );
      }
      update.run(json, r.conversation_id, r.watermark);
    }
    const last = rows[rows.length - 1]!;
    after = [last.conversation_id, last.watermark];
  }
}

function prepareAll(db: Database.Database): Record<string, Stmt> {
  const live = '(expires_at IS NULL OR expires_at > ?)';
  const sql: Record<string, string> = {
    ping: 'SELECT 1',
    kvGet: `SELECT value, etag FROM kv WHERE key = ? AND ${live}`,
    kvGetFull: `SELECT value, expires_at FROM kv WHERE key = ? AND ${live}`,
    kvScan: `SELECT key, value, etag FROM kv WHERE key >= ? AND key < ? AND ${live} ORDER BY key`,
    kvScanOpen: `SELECT key, value, etag FROM kv WHERE key >= ? AND ${live} ORDER BY key`,
    kvUpsert: `INSERT INTO kv (key, value, etag, expires_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag, expires_at = excluded.expires_at`,
    // An expired row counts as absent: it has no etag.
    kvEtag: `SELECT etag FROM kv WHERE key = ? AND ${live}`,
    kvDelete: 'DELETE FROM kv WHERE key = ?',
    purgeKv: 'DELETE FROM kv WHERE expires_at <= ?',
    purgeActivities: 'DELETE FROM activities WHERE conversation_id IN (SELECT id FROM conversations WHERE updated_at < ?)',
    purgeConversations: 'DELETE FROM conversations WHERE updated_at < ?',
    convInsert: `INSERT INTO conversations (id, user_id, created_at, updated_at, data) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO NOTHING`,
    convGet: 'SELECT id, user_id, created_at, data FROM conversations WHERE id = ?',
    convWatermark: 'SELECT last_watermark FROM conversations WHERE id = ?',
    convAdvance: 'UPDATE conversations SET last_watermark = last_watermark + ?, updated_at = ? WHERE id = ?',
    actByClient: 'SELECT watermark, activity FROM activities WHERE conversation_id = ? AND client_activity_id = ?',
    actInsert: 'INSERT INTO activities (conversation_id, watermark, client_activity_id, activity) VALUES (?, ?, ?, ?)',
    actList: 'SELECT watermark, activity FROM activities WHERE conversation_id = ? AND watermark > ? ORDER BY watermark LIMIT ?',
  };
  const out: Record<string, Stmt> = {};
  for (const [name, text] of Object.entries(sql)) out[name] = db.prepare(text);
  return out;
}

/** Whether SQLite refused for a lock held by another connection (SQLITE_BUSY and its extended codes). */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Timing of store calls, for metrics (a Prometheus histogram of store latency) without the store
 * knowing about metrics: wrap the store once where objects are built.
 */
import { ConflictError, type ConversationLog, type KeyValueStore, type Store } from './types';

/** How a store call ended: a lost race is not an error of the store. */
export type StoreOutcome = 'ok' | 'conflict' | 'error';

/** Called after every store call with its name (`kv.set`, `log.append`, `commitTurn`…) and duration. */
export type StoreObserver = (operation: string, milliseconds: number, outcome: StoreOutcome) => void;

function timed<A extends unknown[], R>(name: string, observe: StoreObserver, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const start = performance.now();
    try {
      const result = await fn(...args);
      observe(name, performance.now() - start, 'ok');
      return result;
    } catch (err) {
      observe(name, performance.now() - start, err instanceof ConflictError ? 'conflict' : 'error');
      throw err;
    }
  };
}

/**
 * A `Store` that behaves exactly like `store` and reports each call to `observe`. An observer that
 * throws is ignored: metrics must never fail a turn.
 */
export function observeStore(store: Store, observe: StoreObserver): Store {
  const safe: StoreObserver = (op, ms, outcome) => {
    try {
      observe(op, ms, outcome);
    } catch {
      // see above
    }
  };
  const kv: KeyValueStore = {
    get: timed('kv.get', safe, (keys) => store.kv.get(keys)) as KeyValueStore['get'],
    set: timed('kv.set', safe, (items) => store.kv.set(items)),
    delete: timed('kv.delete', safe, (keys) => store.kv.delete(keys)),
    scan: timed('kv.scan', safe, (prefix) => store.kv.scan(prefix)) as KeyValueStore['scan'],
    increment: timed('kv.increment', safe, (key, deltas) => store.kv.increment(key, deltas)),
  };
  const log: ConversationLog = {
    createConversation: timed('log.createConversation', safe, (record) => store.log.createConversation(record)),
    getConversation: timed('log.getConversation', safe, (id) => store.log.getConversation(id)),
    append: timed('log.append', safe, (id, activity, clientActivityId) => store.log.append(id, activity, clientActivityId)),
    list: timed('log.list', safe, (id, after, limit) => store.log.list(id, after, limit)),
  };
  const limits = store.limits;
  return {
    kind: store.kind,
    kv,
    log,
    // Wake-ups are not store calls: passed through as they are.
    ...(store.appends ? { appends: store.appends } : {}),
    ...(limits ? { limits: { take: timed('limits.take', safe, (key: string, start: number, ms: number, weight: number, limit: number) => limits.take(key, start, ms, weight, limit)) } } : {}),
    commitTurn: timed('commitTurn', safe, (turn) => store.commitTurn(turn)),
    ping: timed('ping', safe, () => store.ping()),
    purge: timed('purge', safe, (now, before) => store.purge(now, before)),
    close: () => store.close(),
  };
}

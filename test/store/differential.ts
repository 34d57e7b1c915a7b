/**
 * Differential testing: random sequences of store operations run on the memory store (the
 * reference) and on a durable store must give the same observable results. Etags are random, so
 * they are compared through labels given in order of appearance, which keeps "which write produced
 * the stored etag" comparable.
 */
import fc from 'fast-check';
import { IF_ABSENT, type CommittedTurn, type Store } from '../../src/store';

const KEYS = ['a', 'a/1', 'a/2', 'b', 'b/1'];
const CONVS = ['c1', 'c2'];

type Op =
  | { op: 'set'; items: Array<{ key: string; value: number; etag: 'none' | 'star' | 'absent' | 'latest' | 'stale'; ttl?: number }> }
  | { op: 'delete'; keys: string[] }
  | { op: 'get'; keys: string[] }
  | { op: 'scan'; prefix: string }
  | { op: 'increment'; key: string; by: number }
  | { op: 'advance'; ms: number }
  | { op: 'purge'; idleMs?: number }
  | { op: 'create'; id: string }
  | { op: 'append'; id: string; text: string; clientId?: string }
  | { op: 'list'; id: string; after?: number; limit?: number }
  | { op: 'turn'; id: string; texts: string[]; clientId?: string; items: SetItem[] };

type SetItem = { key: string; value: number; etag: 'none' | 'star' | 'absent' | 'latest' | 'stale'; ttl?: number };

const setItemArb: fc.Arbitrary<SetItem> = fc.record(
  {
    key: fc.constantFrom(...KEYS),
    value: fc.integer({ min: 0, max: 9 }),
    etag: fc.constantFrom('none' as const, 'star' as const, 'absent' as const, 'latest' as const, 'stale' as const),
    ttl: fc.integer({ min: 1, max: 50 }),
  },
  { requiredKeys: ['key', 'value', 'etag'] },
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), items: fc.array(setItemArb, { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('delete' as const), keys: fc.subarray(KEYS, { minLength: 1 }) }),
  fc.record({ op: fc.constant('get' as const), keys: fc.subarray(KEYS, { minLength: 1 }) }),
  fc.record({ op: fc.constant('scan' as const), prefix: fc.constantFrom('', 'a', 'a/', 'b', 'z') }),
  fc.record({ op: fc.constant('increment' as const), key: fc.constantFrom(...KEYS), by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('purge' as const), idleMs: fc.integer({ min: 0, max: 60 }) }, { requiredKeys: ['op'] }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('create' as const), id: fc.constantFrom(...CONVS) }) },
  {
    weight: 4,
    arbitrary: fc.record(
      { op: fc.constant('append' as const), id: fc.constantFrom(...CONVS), text: fc.string({ maxLength: 5 }), clientId: fc.constantFrom('x', 'y') },
      { requiredKeys: ['op', 'id', 'text'] },
    ),
  },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        op: fc.constant('turn' as const),
        id: fc.constantFrom(...CONVS, 'none'),
        texts: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
        clientId: fc.constantFrom('x', 'y', 'z'),
        items: fc.array(setItemArb, { maxLength: 2 }),
      },
      { requiredKeys: ['op', 'id', 'texts', 'items'] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      { op: fc.constant('list' as const), id: fc.constantFrom(...CONVS), after: fc.integer({ min: 0, max: 6 }), limit: fc.integer({ min: 0, max: 4 }) },
      { requiredKeys: ['op', 'id'] },
    ),
  },
);

/** Random operation sequences. */
export const opsArb = fc.array(opArb, { minLength: 1, maxLength: 25 });

/** Runs `ops` on a store reading `clock`; returns what an observer could see, etags as labels. */
export async function observe(store: Store, clock: { now: () => number; advance: (ms: number) => void }, ops: Op[]): Promise<unknown[]> {
  const labels = new Map<string, number>();
  const label = (etag: string) => {
    if (!labels.has(etag)) labels.set(etag, labels.size);
    return `e${labels.get(etag)}`;
  };
  const seen = new Map<string, string[]>(); // every etag each key has had, oldest first
  const remember = (key: string, etag: string) => seen.set(key, [...(seen.get(key) ?? []), etag]);
  const out: unknown[] = [];
  const settle = async (p: Promise<unknown>) =>
    p.then(
      (v) => ({ ok: v }),
      (e: unknown) => ({ error: (e as Error).name }),
    );
  const writeItems = (items: SetItem[]) =>
    items.map((i) => {
      const history = seen.get(i.key) ?? [];
      const etag =
        i.etag === 'none' ? undefined
        : i.etag === 'star' ? '*'
        : i.etag === 'absent' ? IF_ABSENT
        : i.etag === 'latest' ? history[history.length - 1] ?? 'never-seen'
        : history[0] ?? 'never-seen';
      return { key: i.key, value: { v: i.value }, etag, expiresAt: i.ttl === undefined ? undefined : clock.now() + i.ttl };
    });
  for (const o of ops) {
    switch (o.op) {
      case 'set': {
        const items = writeItems(o.items);
        const r = await settle(store.kv.set(items));
        if ('ok' in r) for (const [k, e] of Object.entries(r.ok as Record<string, string>)) remember(k, e);
        // Labels in the order of the items (the key order of the returned record means nothing).
        const keys = [...new Set(o.items.map((i) => i.key))];
        out.push(['set', 'ok' in r ? Object.fromEntries(keys.map((k) => [k, label((r.ok as Record<string, string>)[k]!)])) : r]);
        break;
      }
      case 'delete':
        out.push(['delete', await settle(store.kv.delete(o.keys))]);
        break;
      case 'get': {
        const got = await store.kv.get(o.keys);
        out.push(['get', Object.fromEntries(Object.entries(got).sort().map(([k, i]) => [k, { value: i.value, etag: label(i.etag) }]))]);
        break;
      }
      case 'scan':
        out.push(['scan', (await store.kv.scan(o.prefix)).map((i) => [i.key, i.value, label(i.etag)])]);
        break;
      case 'increment': {
        const r = await settle(store.kv.increment(o.key, { n: o.by }));
        if ('ok' in r) remember(o.key, (r.ok as { etag: string }).etag);
        out.push(['increment', 'ok' in r ? { value: (r.ok as { value: unknown }).value, etag: label((r.ok as { etag: string }).etag) } : r]);
        break;
      }
      case 'advance':
        clock.advance(o.ms);
        out.push(['advance']);
        break;
      case 'purge':
        out.push(['purge', await store.purge(clock.now(), o.idleMs === undefined ? undefined : clock.now() - o.idleMs)]);
        break;
      case 'create':
        out.push(['create', await settle(store.log.createConversation({ id: o.id, userId: 'u', createdAt: clock.now() }))]);
        break;
      case 'append':
        out.push(['append', await settle(store.log.append(o.id, { text: o.text }, o.clientId))]);
        break;
      case 'list':
        out.push(['list', await store.log.list(o.id, o.after, o.limit)]);
        break;
      case 'turn': {
        // The first text is the person's message (with the client id), the others reply to it.
        const appends = o.texts.map((text, i) => (i === 0 ? { activity: { text }, clientActivityId: o.clientId } : { activity: { text }, replyTo: 0 }));
        const r = await settle(store.commitTurn({ conversationId: o.id, appends, kv: writeItems(o.items) }));
        if (!('ok' in r)) {
          out.push(['turn', r]);
          break;
        }
        const turn = r.ok as CommittedTurn;
        for (const [k, e] of Object.entries(turn.etags)) remember(k, e);
        const keys = [...new Set(o.items.map((i) => i.key))];
        out.push(['turn', { ...turn, etags: turn.replayed ? {} : Object.fromEntries(keys.map((k) => [k, label(turn.etags[k]!)])) }]);
        break;
      }
    }
  }
  return out;
}

/** Empties a store through its own API (between runs that share one store). */
export async function emptyStore(store: Store): Promise<void> {
  await store.kv.delete((await store.kv.scan('')).map((i) => i.key));
  await store.purge(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
}

/** A settable test clock; `reset` starts a run over at the same instant. */
export function testClock() {
  const start = Date.UTC(2026, 0, 1);
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms), reset: () => void (t = start) };
}

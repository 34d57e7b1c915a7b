/** Server-side sessions: random ids, hashed keys, idle and absolute expiry, logout, touch after logout. */
import { Sessions } from '../../src/access';
import { SESSION_PREFIX, TOUCH_EVERY_MS, revokeSessionsOf, sessionKey, type SessionRecord } from '../../src/access/Sessions';
import { MemoryStore } from '../../src/store';

const MIN = 60_000;

function setup() {
  let t = Date.parse('2026-12-03T09:00:00Z');
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const store = new MemoryStore({ now: clock.now });
  const sessions = new Sessions(store.kv, { idleMs: 30 * MIN, maxMs: 8 * 60 * MIN, now: clock.now });
  return { clock, store, sessions };
}

describe('Sessions', () => {
  it('gives a new random id at each sign-in, stored under its hash, never the id itself', async () => {
    const { store, sessions } = setup();
    const a = await sessions.create('admin', 'admin', 'g1');
    const b = await sessions.create('admin', 'admin', 'g1');
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    const stored = await store.kv.scan<SessionRecord>(SESSION_PREFIX);
    expect(stored.map((s) => s.key).sort()).toEqual([sessionKey(a), sessionKey(b)].sort());
    expect(JSON.stringify(stored)).not.toContain(a);
    expect(await sessions.read(a, 'admin')).toMatchObject({ kind: 'admin', subject: 'admin', generation: 'g1' });
  });

  it('refuses unknown, malformed and other-kind ids', async () => {
    const { sessions } = setup();
    const id = await sessions.create('mediator', 'marie', '1');
    expect(await sessions.read(id, 'admin')).toBeUndefined();
    expect(await sessions.read(undefined, 'mediator')).toBeUndefined();
    expect(await sessions.read('x'.repeat(43), 'mediator')).toBeUndefined();
    expect(await sessions.read(`${id}x`, 'mediator')).toBeUndefined();
    expect(await sessions.read("'; drop table kv; --", 'mediator')).toBeUndefined();
  });

  it('ends after the idle time without a request, and a request restarts that time', async () => {
    const { clock, sessions } = setup();
    const id = await sessions.create('mediator', 'marie', '1');
    clock.advance(25 * MIN);
    expect(await sessions.read(id, 'mediator')).toBeDefined();
    clock.advance(25 * MIN); // 50 min after sign-in, 25 after the last request
    expect(await sessions.read(id, 'mediator')).toBeDefined();
    clock.advance(30 * MIN + TOUCH_EVERY_MS);
    expect(await sessions.read(id, 'mediator')).toBeUndefined();
  });

  it('ends at its maximum lifetime even when used all along', async () => {
    const { clock, sessions } = setup();
    const id = await sessions.create('mediator', 'marie', '1');
    // Used every quarter of an hour: alive for 7 h 45, ended at 8 h.
    for (let i = 0; i < 31; i++) {
      clock.advance(15 * MIN);
      expect(await sessions.read(id, 'mediator')).toBeDefined();
    }
    clock.advance(15 * MIN);
    expect(await sessions.read(id, 'mediator')).toBeUndefined();
  });

  it('ends at logout, and a request in flight cannot bring it back', async () => {
    const { clock, store, sessions } = setup();
    const id = await sessions.create('mediator', 'marie', '1');
    clock.advance(2 * TOUCH_EVERY_MS);
    // A read that loses the race with the logout: its touch is conditional on the etag it read.
    const get = store.kv.get.bind(store.kv);
    store.kv.get = async <T>(keys: string[]) => {
      const out = await get<T>(keys);
      await sessions.revoke(id);
      return out;
    };
    await sessions.read(id, 'mediator');
    store.kv.get = get;
    expect(await store.kv.get([sessionKey(id)])).toEqual({});
    expect(await sessions.read(id, 'mediator')).toBeUndefined();
  });

  it('stored sessions expire with the session, so the retention purge removes them', async () => {
    const { clock, store, sessions } = setup();
    await sessions.create('mediator', 'marie', '1');
    await sessions.create('admin', 'admin', 'g');
    clock.advance(31 * MIN);
    expect(await store.purge(clock.now())).toBe(2);
    expect(await store.kv.scan(SESSION_PREFIX)).toEqual([]);
  });

  it('revokeSessionsOf ends one subject’s sessions only', async () => {
    const { store, sessions } = setup();
    const a = await sessions.create('mediator', 'marie', '1');
    const b = await sessions.create('mediator', 'marie', '1');
    const c = await sessions.create('mediator', 'paul', '1');
    const d = await sessions.create('admin', 'marie', 'g');
    expect(await revokeSessionsOf(store.kv, 'mediator', 'marie')).toBe(2);
    expect(await sessions.read(a, 'mediator')).toBeUndefined();
    expect(await sessions.read(b, 'mediator')).toBeUndefined();
    expect(await sessions.read(c, 'mediator')).toBeDefined();
    expect(await sessions.read(d, 'admin')).toBeDefined();
  });
});

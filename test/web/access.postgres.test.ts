/**
 * Mediators' accounts, sessions and the service-wide limit on unknown codes with two instances on one
 * PostgreSQL (as behind a load balancer): the account made with `ariane mediator` code on that
 * database, a session opened on one instance and used on the other, logout on one ending it on both,
 * failures counted once for the service. Starts a real, throw-away PostgreSQL (test/support/postgres).
 */
import { MediatorAccounts } from '../../src/access';
import { createHandoff } from '../../src/handoff/createHandoff';
import type { ConversationState } from '../../src/engine';
import { PostgresStore } from '../../src/store';
import { describePostgres, startPostgres, testConnectTimeout, testPool, type TestPostgres } from '../support/postgres';
import { startRealServer, type RealServer } from './support/realServer';

jest.setTimeout(120_000);

const PASSWORD = 'une phrase de passe pour postgres';

describePostgres('mediators on two instances sharing PostgreSQL', () => {
  let pg: TestPostgres;
  let a: RealServer;
  let b: RealServer;
  beforeAll(async () => {
    pg = await startPostgres();
    const env = { DATABASE_URL: pg.url, ARIANE_MAX_CODE_FAILURES_PER_HOUR: '4', ...testConnectTimeout };
    a = await startRealServer(env);
    b = await startRealServer(env);
    const store = await PostgresStore.open({ connectionString: pg.url, pool: testPool });
    try {
      await new MediatorAccounts(store.kv).add('marie', PASSWORD);
    } finally {
      await store.close();
    }
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await pg?.stop();
  });

  it('a session opened on one instance works on the other, logout on either ends it, and unknown codes add up across both', async () => {
    const summary = await createHandoff(a.store.kv, { state: { v: 1, lang: 'fr', history: [], answers: {}, failures: 0, status: 'handoff', turn: 1 } as unknown as ConversationState, reason: 'asked', now: new Date() });
    const signIn = await fetch(`${a.url}/mediateur/connexion`, { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ login: 'marie', password: PASSWORD }).toString() });
    expect(signIn.status).toBe(303);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const look = (s: RealServer, code: string) => fetch(`${s.url}/mediateur/relais?code=${code}`, { headers: { Cookie: cookie } });
    expect((await look(b, summary.code)).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      expect((await look(a, `ZZZ-ZZZ-ZZ${i + 2}`)).status).toBe(404);
      expect((await look(b, `YYY-YYY-YY${i + 2}`)).status).toBe(404);
    }
    expect((await look(a, summary.code)).status).toBe(429);
    expect((await look(b, summary.code)).status).toBe(429);
    const out = await fetch(`${b.url}/mediateur/deconnexion`, { method: 'POST', redirect: 'manual', headers: { Cookie: cookie } });
    expect(out.status).toBe(303);
    expect((await look(a, summary.code)).status).toBe(401);
  });
});

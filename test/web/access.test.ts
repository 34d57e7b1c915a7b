/**
 * Who may read a handoff summary, and admin sessions, over HTTP against the real service (SQLite,
 * `startService`): mediators' accounts made with `ariane mediator` on the service's store file, sign-in,
 * wrong password, one-step opening of a code, logout that ends the session server-side, expiry, the
 * per-account and service-wide limits on unknown codes (shared by two instances on one database),
 * single sign-on from a trusted proxy only, and the admin's session.
 */
import * as fs from 'node:fs';
import pino from 'pino';
import { MediatorAccounts } from '../../src/access';
import { SESSION_PREFIX, type SessionRecord } from '../../src/access/Sessions';
import { runMediatorAdd, runMediatorDisable, runMediatorPassword } from '../../src/cli/mediatorCommand';
import { openCliStore } from '../../src/cli/placesCommand';
import { choiceValue, type ConversationState } from '../../src/engine';
import { loadFlow } from '../../src/flow/loadFlow';
import { buildHandoffSummary, handoffWrite } from '../../src/handoff';
import { createHandoff, type HandoffSummary } from '../../src/handoff/createHandoff';
import { MemoryStore } from '../../src/store';
import { startFakeServer } from './support/fakeDirectLine';
import { ADMIN_TOKEN, FLOWS_DIR, startRealServer, type RealServer } from './support/realServer';

jest.setTimeout(120_000);

const PASSWORD = 'le café de la médiathèque';
const quiet = { out: () => undefined, err: () => undefined };
const form = (fields: Record<string, string>) => ({ method: 'POST', redirect: 'manual' as const, headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

/** The session cookie a response sets (`name=value`), and its attributes. */
function setCookie(res: Response): { pair: string; attributes: string } {
  const header = res.headers.get('set-cookie') ?? '';
  const [pair = '', ...rest] = header.split(';');
  return { pair: pair.trim(), attributes: rest.join(';') };
}

/** Adds accounts with the CLI's own code on the service's store file, as an admin would beside it. */
async function addAccount(dataDir: string, login: string, password = PASSWORD, place?: string): Promise<void> {
  const store = await openCliStore(dataDir);
  try {
    expect(await runMediatorAdd(login, place ? { place } : {}, store, async () => password, quiet)).toBe(0);
  } finally {
    await store.close();
  }
}

async function summaryFor(service: RealServer): Promise<HandoffSummary> {
  const { flow } = loadFlow(`${FLOWS_DIR}/caf-attestation.yaml`);
  const q = flow!.nodes.allocataire;
  if (q?.kind !== 'question') throw new Error('allocataire is a question');
  const state: ConversationState = { v: 1, lang: 'fr', flowId: 'caf-attestation', nodeId: 'connexion', history: ['allocataire', 'attestation'], answers: { allocataire: choiceValue(q.choices[0]!) }, failures: 0, status: 'handoff', turn: 4 };
  return createHandoff(service.store.kv, { flow: flow!, state, reason: 'stuck', now: new Date() });
}

async function signIn(url: string, login: string, password = PASSWORD, extra: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Response> {
  const f = form({ login, password, ...extra });
  return fetch(`${url}/mediateur/connexion`, { ...f, headers: { ...f.headers, ...headers } });
}

describe('mediators sign in to read a summary', () => {
  let service: RealServer;
  let logs: Array<Record<string, unknown>>;
  let summary: HandoffSummary;
  beforeAll(async () => {
    logs = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    // Every request comes from 127.0.0.1 here: room for this suite's sign-ins (the per-address limit is tested in service.test.ts).
    service = await startRealServer({ ARIANE_MAX_SIGNINS_PER_IP_PER_MINUTE: '100' }, { logger });
    await addAccount(service.dataDir, 'marie', PASSWORD, 'fs-35-villejean');
    await addAccount(service.dataDir, 'paul.ccas', 'un autre mot de passe');
    summary = await summaryFor(service);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('without a session, a code opens nothing: the page asks to sign in and keeps the code', async () => {
    const res = await fetch(`${service.url}/mediateur/relais?code=${encodeURIComponent(summary.code)}`);
    expect(res.status).toBe(401);
    const body = await res.text();
    expect(body).not.toContain('Oui, je reçois une aide CAF');
    expect(body).not.toContain('Fiche de liaison');
    expect(body).toContain('<label for="login">Identifiant</label>');
    expect(body).toContain('<label for="password">Mot de passe</label>');
    expect(body).toContain(`value="${summary.code}"`);
    // The welcome page shows the sign-in form where the code form was.
    const home = await (await fetch(`${service.url}/mediateur`)).text();
    expect(home).toContain('action="/mediateur/connexion"');
    expect(home).not.toContain('action="/mediateur/relais"');
    // A forged or made-up cookie is no session.
    const forged = await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: `ariane_mediateur=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);
  });

  it('a wrong password or an unknown login is refused with the same announced message', async () => {
    for (const [login, password] of [['marie', 'pas le bon mot de passe'], ['nobody', PASSWORD]] as const) {
      const res = await signIn(service.url, login, password);
      expect(res.status).toBe(401);
      expect(res.headers.get('set-cookie')).toBeNull();
      const body = await res.text();
      expect(body).toContain('<p class="error" role="alert" id="signin-error">Identifiant ou mot de passe incorrect.</p>');
      expect(body).toContain('aria-invalid="true" aria-describedby="signin-error"');
      expect(body).not.toContain(password);
    }
    // The typed password is never logged; the unknown login is not either (it may be a password typed in the wrong field).
    const text = JSON.stringify(logs);
    expect(text).not.toContain('pas le bon mot de passe');
    expect(text).not.toContain('nobody');
    expect(logs.filter((l) => l.event === 'mediator.signin_failed').map((l) => l.reason)).toEqual(['password', 'unknown']);
  });

  it('signing in with the code opens the summary in one step; then typing a code is the only step', async () => {
    const res = await signIn(service.url, 'Marie', PASSWORD, { code: summary.code.toLowerCase() });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/mediateur/relais?code=${summary.code.toLowerCase()}`);
    const cookie = setCookie(res);
    expect(cookie.pair).toMatch(/^ariane_mediateur=[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toMatch(/Path=\/mediateur/);
    expect(cookie.attributes).toMatch(/HttpOnly/);
    expect(cookie.attributes).toMatch(/SameSite=Strict/);
    expect(cookie.attributes).not.toMatch(/Secure/);
    expect(cookie.attributes).not.toMatch(/Max-Age/);
    const opened = await fetch(service.url + res.headers.get('location'), { headers: { Cookie: cookie.pair } });
    expect(opened.status).toBe(200);
    const body = await opened.text();
    expect(body).toContain('Oui, je reçois une aide CAF');
    expect(body).toContain('Connecté : <strong>marie</strong>');
    // Who opened which summary, when — and not what it says.
    const entry = logs.find((l) => l.event === 'handoff.opened');
    expect(entry).toMatchObject({ code: summary.code, login: 'marie', place: 'fs-35-villejean', via: 'session' });
    expect(JSON.stringify(logs)).not.toContain('Oui, je reçois une aide CAF');
    // Signed in, the welcome page has the code form; any mediator may open any summary.
    const home = await (await fetch(`${service.url}/mediateur`, { headers: { Cookie: cookie.pair } })).text();
    expect(home).toContain('action="/mediateur/relais"');
    const paul = setCookie(await signIn(service.url, 'paul.ccas', 'un autre mot de passe'));
    const other = await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: paul.pair } });
    expect(other.status).toBe(200);
    expect(logs.filter((l) => l.event === 'handoff.opened').map((l) => l.login)).toEqual(['marie', 'paul.ccas']);
  });

  it('an old six-character code stored before codes grew still opens its summary', async () => {
    const old = { ...buildHandoffSummary({ state: { v: 1, lang: 'fr', history: [], answers: {}, failures: 0, status: 'handoff', turn: 1 } as unknown as ConversationState, reason: 'asked', now: new Date() }, 'K7P-4QX') };
    await service.store.kv.set([handoffWrite(old)]);
    const cookie = setCookie(await signIn(service.url, 'marie'));
    const res = await fetch(`${service.url}/mediateur/relais?code=k7p4qx`, { headers: { Cookie: cookie.pair } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Fiche de liaison K7P-4QX');
  });

  it('behind an HTTPS proxy the cookie is Secure', async () => {
    const res = await signIn(service.url, 'marie', PASSWORD, {}, { 'X-Forwarded-Proto': 'https' });
    expect(res.status).toBe(303);
    expect(setCookie(res).attributes).toMatch(/; Secure/);
  });

  it('logout ends the session on the server: the old cookie is refused afterwards', async () => {
    const cookie = setCookie(await signIn(service.url, 'marie'));
    expect((await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie.pair } })).status).toBe(200);
    const out = await fetch(`${service.url}/mediateur/deconnexion`, { method: 'POST', redirect: 'manual', headers: { Cookie: cookie.pair } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^ariane_mediateur=; .*Max-Age=0/);
    const again = await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie.pair } });
    expect(again.status).toBe(401);
    expect(await again.text()).not.toContain('Oui, je reçois une aide CAF');
  });

  it('a session ends after the idle time and at its maximum lifetime, whatever the cookie says', async () => {
    const ages: Array<{ createdAt?: number; lastSeenAt: number }> = [{ lastSeenAt: 61 * 60_000 }, { createdAt: 10 * 3_600_000 + 1000, lastSeenAt: 0 }];
    for (const past of ages) {
      const cookie = setCookie(await signIn(service.url, 'marie'));
      const before = new Set((await service.store.kv.scan(SESSION_PREFIX)).map((s) => s.key));
      expect((await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie.pair } })).status).toBe(200);
      // Age the newest session in the store as if time had passed (the store item itself kept alive).
      const all = await service.store.kv.scan<SessionRecord>(SESSION_PREFIX);
      const mine = all.filter((s) => s.value.subject === 'marie').sort((a, b) => b.value.createdAt - a.value.createdAt)[0]!;
      expect(before.has(mine.key)).toBe(true);
      const now = Date.now();
      await service.store.kv.set([{ key: mine.key, value: { ...mine.value, createdAt: now - (past.createdAt ?? past.lastSeenAt), lastSeenAt: now - past.lastSeenAt }, expiresAt: now + 3_600_000 }]);
      expect((await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie.pair } })).status).toBe(401);
    }
  });

  it('disabling the account or resetting its password with the CLI ends its open sessions at once', async () => {
    const cookie = setCookie(await signIn(service.url, 'paul.ccas', 'un autre mot de passe'));
    const open = () => fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie.pair } });
    expect((await open()).status).toBe(200);
    let store = await openCliStore(service.dataDir);
    await runMediatorPassword('paul.ccas', store, async () => 'encore un autre mot de passe', quiet);
    await store.close();
    expect((await open()).status).toBe(401);
    const cookie2 = setCookie(await signIn(service.url, 'paul.ccas', 'encore un autre mot de passe'));
    expect((await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie2.pair } })).status).toBe(200);
    store = await openCliStore(service.dataDir);
    await runMediatorDisable('paul.ccas', true, store, quiet);
    await store.close();
    expect((await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { Cookie: cookie2.pair } })).status).toBe(401);
    const refused = await signIn(service.url, 'paul.ccas', 'encore un autre mot de passe');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('Ce compte est désactivé');
  });

  it('a form posted from another site is refused', async () => {
    const res = await signIn(service.url, 'marie', PASSWORD, {}, { 'Sec-Fetch-Site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

const HOUR = 3_600_000;
const QUARTER = 900_000;

/**
 * The wait a refusal announces. The limiters weigh the previous window's failures as if spread
 * evenly over it, so failures that straddle a window's start (the clock's hour or quarter) can be
 * forgiven within seconds; failures all inside one window wait more than a minute, or, when that
 * window ends sooner, at least until it ends (two clean-clone CI runs met that last minute).
 */
function expectWait(res: Response, since: number, windowMs: number): void {
  const wait = Number(res.headers.get('retry-after'));
  expect(wait).toBeGreaterThanOrEqual(1);
  expect(wait).toBeLessThanOrEqual((2 * windowMs) / 1000);
  const now = Date.now();
  const window = Math.floor(now / windowMs);
  if (Math.floor(since / windowMs) === window) {
    const left = Math.floor(((window + 1) * windowMs - now) / 1000);
    expect(wait).toBeGreaterThanOrEqual(Math.min(61, left - 1));
  }
}

describe('limits on unknown codes and failed sign-ins', () => {
  let one: RealServer;
  let two: RealServer;
  beforeAll(async () => {
    // Two instances on one database, as several instances share PostgreSQL: the limits are the service's.
    const env = { ARIANE_MAX_CODE_FAILURES_PER_HOUR: '6', ARIANE_MAX_SIGNINS_PER_IP_PER_MINUTE: '100' };
    one = await startRealServer(env);
    two = await startRealServer(env, { dataDir: one.dataDir });
    await addAccount(one.dataDir, 'marie');
    await addAccount(one.dataDir, 'paul');
  });
  afterAll(async () => {
    await two?.stop();
    await one?.stop();
  });

  it('unknown codes tried by several accounts on several instances add up to one service-wide limit; then even a real code waits', async () => {
    const summary = await summaryFor(one);
    const marie = setCookie(await signIn(one.url, 'marie')).pair;
    const paul = setCookie(await signIn(two.url, 'paul')).pair;
    const look = (url: string, cookie: string, code: string) => fetch(`${url}/mediateur/relais?code=${code}`, { headers: { Cookie: cookie } });
    // Malformed codes cannot match anything: told at once, not counted.
    for (let i = 0; i < 4; i++) expect((await look(one.url, marie, 'ABC')).status).toBe(400);
    const since = Date.now();
    for (let i = 0; i < 3; i++) {
      expect((await look(one.url, marie, `ZZZ-ZZZ-ZZ${i + 2}`)).status).toBe(404);
      expect((await look(two.url, paul, `YYY-YYY-YY${i + 2}`)).status).toBe(404);
    }
    for (const [url, cookie] of [[one.url, marie], [two.url, paul]] as const) {
      const res = await look(url, cookie, summary.code);
      expect(res.status).toBe(429);
      expectWait(res, since, HOUR);
      const body = await res.text();
      expect(body).toContain('Trop de codes inconnus');
      expect(body).not.toContain('Oui, je reçois une aide CAF');
    }
  });

  it('failed sign-ins on one login stop that login for a while, on every instance; other logins still sign in', async () => {
    const since = Date.now();
    for (let i = 0; i < 10; i++) expect((await signIn(i % 2 ? one.url : two.url, 'paul', 'mauvais mot de passe')).status).toBe(401);
    // The right password now waits too: the login's budget is spent (counted in the store, for both instances).
    const locked = await signIn(one.url, 'paul', PASSWORD);
    expect(locked.status).toBe(429);
    expectWait(locked, since, QUARTER);
    expect(await locked.text()).toContain('Trop d’essais');
    expect((await signIn(two.url, 'paul', PASSWORD)).status).toBe(429);
    expect((await signIn(two.url, 'marie', PASSWORD)).status).toBe(303);
  });
});

describe('the admin session', () => {
  let service: RealServer;
  beforeAll(async () => {
    service = await startRealServer();
  });
  afterAll(async () => {
    await service?.stop();
  });

  const login = (headers: Record<string, string> = {}) => {
    const f = form({ token: ADMIN_TOKEN });
    return fetch(`${service.url}/admin/login`, { ...f, headers: { ...f.headers, ...headers } });
  };

  it('gives a new random session at each login, refused after logout; the old HMAC cookie means nothing', async () => {
    const a = await login();
    const b = await login();
    expect(a.status).toBe(303);
    const ca = setCookie(a);
    const cb = setCookie(b);
    expect(ca.pair).toMatch(/^ariane_admin=[A-Za-z0-9_-]{43}$/);
    expect(ca.pair).not.toBe(cb.pair);
    expect(ca.attributes).toMatch(/HttpOnly/);
    expect(ca.attributes).toMatch(/SameSite=Strict/);
    expect(ca.attributes).toMatch(/Path=\/admin/);
    expect((await fetch(`${service.url}/admin`, { headers: { Cookie: ca.pair } })).status).toBe(200);
    const out = await fetch(`${service.url}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { Cookie: ca.pair } });
    expect(out.status).toBe(303);
    expect((await fetch(`${service.url}/admin`, { headers: { Cookie: ca.pair } })).status).toBe(401);
    // The other session is still open; the cookie the old code gave (an HMAC of the token) opens nothing.
    expect((await fetch(`${service.url}/admin`, { headers: { Cookie: cb.pair } })).status).toBe(200);
    const crypto = await import('node:crypto');
    const oldStyle = crypto.createHmac('sha256', ADMIN_TOKEN).update('ariane-admin-session-v1').digest('base64url');
    expect((await fetch(`${service.url}/admin`, { headers: { Cookie: `ariane_admin=${oldStyle}` } })).status).toBe(401);
    // A mediator's session is no admin's.
    expect(setCookie(await login({ 'X-Forwarded-Proto': 'https' })).attributes).toMatch(/; Secure/);
  });

  it('ends on the server after the idle time, and when the admin token changes', async () => {
    const c = setCookie(await login()).pair;
    const all = await service.store.kv.scan<SessionRecord>(SESSION_PREFIX);
    const newest = all.filter((s) => s.value.kind === 'admin').sort((x, y) => y.value.createdAt - x.value.createdAt)[0]!;
    const now = Date.now();
    await service.store.kv.set([{ key: newest.key, value: { ...newest.value, lastSeenAt: now - 2 * 3_600_000 }, expiresAt: now + 3_600_000 }]);
    expect((await fetch(`${service.url}/admin`, { headers: { Cookie: c } })).status).toBe(401);
    // Same database, another token: the sessions opened with the old token end.
    const c2 = setCookie(await login()).pair;
    const dir = service.dataDir;
    const rotated = await startRealServer({ ARIANE_ADMIN_TOKEN: 'a-brand-new-admin-token-9876' }, { dataDir: dir });
    try {
      expect((await fetch(`${rotated.url}/admin`, { headers: { Cookie: c2 } })).status).toBe(401);
      expect((await fetch(`${service.url}/admin`, { headers: { Cookie: c2 } })).status).toBe(200);
    } finally {
      await rotated.stop();
    }
    expect(fs.existsSync(dir)).toBe(true);
  });
});

describe('single sign-on from a trusted proxy', () => {
  let service: RealServer;
  let logs: Array<Record<string, unknown>>;
  afterEach(async () => {
    await service?.stop();
  });

  it('believes the header from the configured proxy address', async () => {
    logs = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    service = await startRealServer({ ARIANE_MEDIATOR_AUTH_HEADER: 'X-Remote-User', ARIANE_MEDIATOR_AUTH_PROXIES: '127.0.0.1' }, { logger });
    const summary = await summaryFor(service);
    const res = await fetch(`${service.url}/mediateur/relais?code=${summary.code}`, { headers: { 'X-Remote-User': 'agent42@cd35.fr' } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Connecté : <strong>agent42@cd35.fr</strong>');
    expect(body).not.toContain('action="/mediateur/deconnexion"');
    expect(logs.find((l) => l.event === 'handoff.opened')).toMatchObject({ login: 'agent42@cd35.fr', via: 'header' });
    expect((await fetch(`${service.url}/mediateur/relais?code=${summary.code}`)).status).toBe(401);
  });

  it('ignores the header from any other address', async () => {
    const store = new MemoryStore();
    const fake = await startFakeServer({ store, mediatorAuthHeader: { header: 'X-Remote-User', proxies: ['10.0.0.5'] } });
    try {
      const s = await createHandoff(store.kv, { state: { v: 1, lang: 'fr', history: [], answers: {}, failures: 0, status: 'handoff', turn: 1 } as unknown as ConversationState, reason: 'asked', now: new Date() });
      expect((await fetch(`${fake.url}/mediateur/relais?code=${s.code}`, { headers: { 'X-Remote-User': 'agent42@cd35.fr' } })).status).toBe(401);
    } finally {
      await fake.close();
    }
  });
});

describe('limits of the web routes alone (a real HTTP server, a memory store)', () => {
  it('one account’s unknown codes stop that account before the service-wide limit; other accounts go on', async () => {
    const store = new MemoryStore();
    const fake = await startFakeServer({ store, accountCodeFailuresPerHour: 3, codeFailuresPerHour: 100, loginsPerMinute: 100 });
    try {
      await new MediatorAccounts(store.kv).add('marie', PASSWORD);
      await new MediatorAccounts(store.kv).add('paul', PASSWORD);
      const marie = setCookie(await signIn(fake.url, 'marie')).pair;
      const paul = setCookie(await signIn(fake.url, 'paul')).pair;
      for (let i = 0; i < 3; i++) expect((await fetch(`${fake.url}/mediateur/relais?code=ZZZ-ZZZ-ZZ${i + 2}`, { headers: { Cookie: marie } })).status).toBe(404);
      expect((await fetch(`${fake.url}/mediateur/relais?code=ZZZ-ZZZ-ZZ9`, { headers: { Cookie: marie } })).status).toBe(429);
      expect((await fetch(`${fake.url}/mediateur/relais?code=ZZZ-ZZZ-ZZ9`, { headers: { Cookie: paul } })).status).toBe(404);
    } finally {
      await fake.close();
    }
  });

  it('the older six-character codes have their own, much smaller service-wide budget', async () => {
    const store = new MemoryStore();
    const fake = await startFakeServer({ store, legacyCodeFailuresPerHour: 2, loginsPerMinute: 100 });
    try {
      await new MediatorAccounts(store.kv).add('marie', PASSWORD);
      const marie = setCookie(await signIn(fake.url, 'marie')).pair;
      const look = (code: string) => fetch(`${fake.url}/mediateur/relais?code=${code}`, { headers: { Cookie: marie } });
      expect((await look('ZZZ-ZZ2')).status).toBe(404);
      expect((await look('ZZZ-ZZ3')).status).toBe(404);
      expect((await look('ZZZ-ZZ4')).status).toBe(429);
      // Nine-character codes are not held back by it.
      expect((await look('ZZZ-ZZZ-ZZ2')).status).toBe(404);
    } finally {
      await fake.close();
    }
  });

  it('failed sign-ins across logins add up to a service-wide limit; then even a right password waits', async () => {
    const store = new MemoryStore();
    const fake = await startFakeServer({ store, signInFailuresGlobal: 4, loginsPerMinute: 100 });
    try {
      await new MediatorAccounts(store.kv).add('marie', PASSWORD);
      for (const login of ['a1', 'b2', 'c3', 'marie']) expect((await signIn(fake.url, login, 'mauvais mot de passe')).status).toBe(401);
      const res = await signIn(fake.url, 'marie', PASSWORD);
      expect(res.status).toBe(429);
      expect(res.headers.get('set-cookie')).toBeNull();
    } finally {
      await fake.close();
    }
  });
});

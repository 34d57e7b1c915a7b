/**
 * The web routes inside the real service, over HTTP only (no browser): security headers, admin
 * statistics fed by real conversations on our Direct Line, and flows reloaded from disk with a broken
 * edit refused and shown to admins.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureAssets } from './support/assets';
import { ADMIN_TOKEN, FLOWS_DIR, startRealServer, type RealServer } from './support/realServer';

jest.setTimeout(60_000);

const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };

async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A resident's conversation over our Direct Line API, as the widget does it. */
async function converse(base: string, texts: string[]): Promise<void> {
  const dl = `${base}/v3/directline`;
  const { token } = (await (await fetch(`${dl}/tokens/generate`, { method: 'POST' })).json()) as { token: string };
  const auth = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const start = (await (await fetch(`${dl}/conversations`, { method: 'POST', headers: auth, body: '{"locale":"fr"}' })).json()) as { conversationId: string };
  for (const [i, text] of texts.entries()) {
    const res = await fetch(`${dl}/conversations/${start.conversationId}/activities`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ type: 'message', text, locale: 'fr', from: { id: 'x' }, channelData: { clientActivityID: `c${i}` } }),
    });
    expect(res.status).toBe(200);
  }
}

describe('web routes in the real service', () => {
  let service: RealServer;
  beforeAll(async () => {
    await ensureAssets();
    service = await startRealServer();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('serves the widget page with a strict CSP and the widget files with their types', async () => {
    const res = await fetch(service.url + '/');
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const ar = await (await fetch(service.url + '/?lang=ar')).text();
    expect(ar).toContain('<html lang="ar">');
    expect(ar).toContain('data-lang="ar"');
    expect(await (await fetch(service.url + '/?lang=%22%3E%3Cscript%3E')).text()).toContain('data-lang="fr"');
    const js = await fetch(service.url + '/widget.js', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('etag')).toBeTruthy();
    const again = await fetch(service.url + '/widget.js', { headers: { 'If-None-Match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    expect((await fetch(service.url + '/assets/..%2Fetc.js')).status).toBe(404);
    const wc = await fetch(service.url + '/webchat/webchat.js');
    expect(wc.status).toBe(200);
    expect(wc.headers.get('content-type')).toMatch(/javascript/);
    await wc.arrayBuffer();
  });

  it('security headers on every answer: Permissions-Policy always, HSTS and a Secure admin cookie only over HTTPS (X-Forwarded-Proto)', async () => {
    for (const p of ['/', '/healthz', '/v3/directline/conversations/nope/activities']) {
      const res = await fetch(service.url + p);
      expect(res.headers.get('permissions-policy')).toBe('camera=(), microphone=(self), geolocation=(self), payment=(), usb=()');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
    const proxied = await fetch(service.url + '/', { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const login = (headers: Record<string, string>) =>
      fetch(service.url + '/admin/login', { method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: `token=${ADMIN_TOKEN}` });
    const plain = await login({});
    expect(plain.status).toBe(303);
    expect(plain.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    const secure = await login({ 'X-Forwarded-Proto': 'https' });
    expect(secure.headers.get('set-cookie')).toMatch(/; Secure$/);
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=31536000');
  });

  it('limits handoff code look-ups and admin log-ins per address (429 with Retry-After)', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 25; i++) last = await fetch(service.url + `/mediateur/relais?code=ZZZ-ZZ${i % 10}`);
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    for (let i = 0; i < 12; i++) {
      last = await fetch(service.url + '/admin/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'token=wrong-wrong-wrong-wrong' });
    }
    expect(last!.status).toBe(429);
    // The Bearer header still works for scripts (it is not a guessing form).
    expect((await fetch(service.url + '/admin', { headers: admin })).status).toBe(200);
  });

  it('counts, per node, conversations that reached a node, stopped there, asked for help there', async () => {
    await converse(service.url, ['attestation caf', 'oui']);
    await converse(service.url, ['attestation caf', 'oui', 'aide']);
    const page = await until(async () => {
      const html = await (await fetch(service.url + '/admin/parcours/caf-attestation', { headers: admin })).text();
      return /<code>attestation<\/code>.*?<td class="num">2<\/td><td class="num">2<\/td><td class="num">1<\/td>/s.test(html) ? html : undefined;
    });
    // allocataire: reached twice, left twice (no one stopped there), no help.
    expect(page).toMatch(/<code>allocataire<\/code><\/th><td>question<\/td><td class="num">2<\/td><td class="num">0<\/td><td class="num">0<\/td>/);
    expect(page).toContain('le plus d’arrêts');
  });
});

describe('flows reloaded from disk', () => {
  let dir: string;
  let service: RealServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-flows-'));
    for (const f of fs.readdirSync(FLOWS_DIR)) if (/\.ya?ml$/.test(f)) fs.copyFileSync(path.join(FLOWS_DIR, f), path.join(dir, f));
    service = await startRealServer({ ARIANE_FLOWS_DIR: dir });
  });
  afterAll(async () => {
    await service?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells admins which catalogue of official pages is in use, with its date', async () => {
    const body = await (await fetch(service.url + '/admin', { headers: admin })).text();
    expect(body).toMatch(/Pages officielles \(service-public\.gouv\.fr\) : Catalogue embarqué[^<]*2020/);
  });

  it('keeps serving the last good version after a broken edit, shows the error, then takes the fix', async () => {
    const file = path.join(dir, 'caf-attestation.yaml');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, good.replace(/^start: .*$/m, 'start: nulle-part'));
    const html = await until(async () => {
      const h = await (await fetch(service.url + '/admin', { headers: admin })).text();
      return h.includes('Dernière modification refusée') ? h : undefined;
    });
    expect(html).toMatch(/caf-attestation\.yaml, ligne \d+, colonne \d+/);
    expect(html).toContain('nulle-part');
    // Still served: the mediator checklist and a conversation use the previous version.
    expect((await fetch(service.url + '/mediateur/parcours/caf-attestation')).status).toBe(200);
    await converse(service.url, ['attestation caf', 'oui']);

    fs.writeFileSync(file, good.replace(/^(title:\s*\n\s*fr:).*$/m, '$1 Attestation CAF (version relue)'));
    await until(async () => {
      const h = await (await fetch(service.url + '/admin', { headers: admin })).text();
      return !h.includes('Dernière modification refusée') && h.includes('version relue') ? h : undefined;
    });
  });
});

describe('a fresh install (nothing imported)', () => {
  let service: RealServer;
  beforeAll(async () => {
    service = await startRealServer();
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('the mediators find the starter places before any resident was ever handed off', async () => {
    const res = await fetch(`${service.url}/mediateur/lieux?ou=35000`);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toContain('Aucun lieu trouvé');
    expect(body).toMatch(/lieux? près de Rennes/);
    // The France Services of the shipped list (ANCT, 1 December 2022), with their date.
    expect(body).toContain('France services Pimms Médiation Rennes');
    expect(body).toContain('Informations du 1er décembre 2022');
  });
});

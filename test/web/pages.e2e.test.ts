/**
 * `/webchat`, `/mediateur` and `/admin` in a real browser against the real service.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { choiceValue, type ConversationState } from '../../src/engine';
import { loadFlow } from '../../src/flow/loadFlow';
import { MediatorAccounts } from '../../src/access';
import { createHandoff } from '../../src/handoff/createHandoff';
import { describeBrowser, launch } from './support/browser';
import { ensureAssets } from './support/assets';
import { axeCheck } from './support/axe';
import { ADMIN_TOKEN, FLOWS_DIR, startRealServer, type RealServer } from './support/realServer';
import { see } from './support/see';

jest.setTimeout(90_000);

describeBrowser('web pages on the real service', () => {
  let browser: Browser;
  let service: RealServer;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    await ensureAssets();
    service = await startRealServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
  });
  afterEach(async () => {
    await context.close();
  });

  it('/webchat: Microsoft Web Chat (served locally) gets the welcome over the stream, clicks a suggested action, types a reply; no upload button', async () => {
    const requests: string[] = [];
    const sockets: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(service.url + '/webchat');
    await page.getByText(/quelle démarche/i).first().waitFor({ timeout: 30000 });
    await page.getByRole('button', { name: /Attestation CAF/ }).first().click();
    await page.getByText(/Recevez-vous une aide de la CAF/).first().waitFor({ timeout: 20000 });
    const box = page.locator('[data-id="webchat-sendbox-input"], input.webchat__send-box-text-box__input, textarea.webchat__send-box-text-box__input').first();
    await box.fill('oui');
    await box.press('Enter');
    await page.getByText(/Quelle attestation vous faut-il/).first().waitFor({ timeout: 20000 });
    // Nothing from a CDN: every request went to our server.
    expect(requests.filter((u) => !u.startsWith(service.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    // Replies came over the stream, not by polling; files and photos are not invited.
    expect(sockets.some((u) => u.startsWith(service.url.replace(/^http/, 'ws') + '/v3/directline/conversations/'))).toBe(true);
    expect(requests.some((u) => /\/activities\?watermark=/.test(u))).toBe(false);
    expect(await page.locator('.webchat__upload-button, input[type=file]').count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('/mediateur: search, printable checklist with tick boxes, accessible', async () => {
    await page.goto(service.url + '/mediateur');
    await page.getByRole('heading', { name: 'Espace médiateur' }).waitFor();
    expect(await axeCheck(page)).toEqual([]);
    const items = page.locator('#procedures > li:not([hidden])');
    const all = await items.count();
    expect(all).toBeGreaterThan(3);
    await page.getByLabel('Rechercher une démarche').fill('caf attestation');
    await see(page.locator('#count')).toContainText('pour « caf attestation »');
    const shown = await items.count();
    expect(shown).toBeGreaterThanOrEqual(1);
    expect(shown).toBeLessThan(all);
    await page.getByRole('link', { name: /Attestation CAF/ }).click();
    await page.getByRole('heading', { level: 1, name: /Attestation CAF/ }).waitFor();
    const boxes = page.locator('main input[type=checkbox]');
    expect(await boxes.count()).toBeGreaterThan(2);
    await boxes.first().check();
    await page.reload();
    expect(await page.locator('main input[type=checkbox]').first().isChecked()).toBe(true);
    await page.getByText(/si|Si /).first().waitFor();
    expect(await axeCheck(page)).toEqual([]);
    // Readable on a phone, or at 400 % zoom of a 1280 px screen: no sideways scrolling.
    await page.setViewportSize({ width: 320, height: 640 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    // The print stylesheet hides the navigation and the forms.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.bar').isVisible()).toBe(false);
    expect(await page.getByRole('heading', { level: 1 }).isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it('/mediateur: a mediator opens a handoff code and continues the checklist from that step', async () => {
    const { flow } = loadFlow(`${FLOWS_DIR}/caf-attestation.yaml`);
    if (!flow) throw new Error('caf-attestation.yaml does not load');
    const q = flow.nodes.allocataire;
    if (q?.kind !== 'question') throw new Error('allocataire is a question');
    const state: ConversationState = {
      v: 1,
      lang: 'ar',
      flowId: 'caf-attestation',
      nodeId: 'connexion',
      history: ['allocataire', 'attestation', 'internet', 'numero-secu', 'compte'],
      answers: { allocataire: choiceValue(q.choices[0]!) },
      failures: 0,
      status: 'handoff',
      turn: 7,
    };
    const summary = await createHandoff(service.store.kv, { flow, state, reason: 'stuck', now: new Date() });
    await new MediatorAccounts(service.store.kv).add('marie', 'une phrase de passe assez longue');
    await page.goto(service.url + '/mediateur');
    // Not signed in: the code section is a sign-in form, accessible, with errors announced.
    await page.getByLabel('Identifiant').fill('marie');
    await page.getByLabel('Mot de passe').fill('pas le bon');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').getByText('Identifiant ou mot de passe incorrect.').waitFor();
    expect(await page.getByLabel('Identifiant').getAttribute('aria-invalid')).toBe('true');
    expect(await axeCheck(page)).toEqual([]);
    await page.getByLabel('Mot de passe').fill('une phrase de passe assez longue');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByText('Connecté :').waitFor();
    // Signed in: typing the code is the only step.
    await page.getByLabel('Code de relais donné par la personne').fill(summary.code.toLowerCase().replace(/-/g, ' '));
    await page.getByRole('button', { name: 'Ouvrir la fiche' }).click();
    await page.getByText('Oui, je reçois une aide CAF').first().waitFor();
    await page.getByText(/arabe/).first().waitFor();
    await page.getByRole('link', { name: 'Aller à l’étape où la personne s’est arrêtée' }).click();
    expect(page.url()).toContain('#n-connexion');
    await see(page.locator('#n-connexion')).toContainText('La personne s’est arrêtée ici.');
    expect(await axeCheck(page)).toEqual([]);
    // An unknown code is a clear message, not an error page.
    await page.goto(service.url + '/mediateur/relais?code=ZZZ-ZZZ-ZZZ');
    await page.getByRole('alert').getByText(/Aucune fiche/).waitFor();
    expect(await axeCheck(page)).toEqual([]);
    // Signing out ends it: the same code now asks to sign in again.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.goto(service.url + `/mediateur/relais?code=${summary.code}`);
    await page.getByText('Pour ouvrir une fiche, connectez-vous').waitFor();
    expect(await page.getByLabel('Code de relais (facultatif)').inputValue()).toBe(summary.code);
    expect(pageErrors).toEqual([]);
  });

  it('/mediateur/lieux: the places near search as a form', async () => {
    await page.goto(service.url + '/mediateur/lieux');
    await page.getByLabel('Code postal ou commune').fill('33000');
    await page.getByRole('button', { name: 'Chercher des lieux' }).click();
    await page.locator('.results').getByText(/lieux? près de|Aucun lieu/).first().waitFor();
    // The sourced starter directory has places around Bordeaux: cards with distance, status and links.
    expect(await page.locator('.place').count()).toBeGreaterThan(0);
    const first = page.locator('.place').first();
    await first.getByRole('link', { name: 'Voir sur la carte' }).waitFor();
    // The opening status first, then the phone; the distance with the address; the date of the information.
    expect(((await first.locator('.place-meta .status').textContent()) ?? '').trim()).not.toBe('');
    await see(first.locator('.place-meta')).toContainText('Tél.');
    await see(first).toContainText('km');
    await see(first.locator('.place-date')).toContainText('vérifiez avant de vous déplacer');
    // A name several communes share asks which one.
    await page.goto(service.url + '/mediateur/lieux?ou=Saint-Denis');
    await page.locator('.results').getByText(/Plusieurs communes|lieux? près de/).first().waitFor();
    expect(await axeCheck(page)).toEqual([]);
    await page.goto(service.url + '/mediateur/lieux?ou=zzzzzz');
    await page.getByRole('alert').getByText(/Lieu inconnu/).waitFor();
  });

  it('/admin refuses requests without the token', async () => {
    const anon = await fetch(service.url + '/admin');
    expect(anon.status).toBe(401);
    expect(await anon.text()).not.toContain('caf-attestation');
    const wrong = await fetch(service.url + '/admin', { headers: { Authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(401);
    const flowPage = await fetch(service.url + '/admin/parcours/caf-attestation', { headers: { Cookie: 'ariane_admin=forged' } });
    expect(flowPage.status).toBe(401);
    const ok = await fetch(service.url + '/admin', { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('caf-attestation');
  });

  it('/admin: log in with the token, see each flow, its checks, scenarios, sources and Mermaid graph', async () => {
    const first = await page.goto(service.url + '/admin');
    expect(first?.status()).toBe(401);
    expect(await axeCheck(page)).toEqual([]);
    await page.getByLabel('Jeton d’administration').fill('wrong-token-wrong-token');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').getByText('Jeton refusé.').waitFor();
    await page.getByLabel('Jeton d’administration').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { level: 1, name: 'Parcours' }).waitFor();
    const row = page.locator('tr', { has: page.locator('code', { hasText: /^caf-attestation$/ }) });
    await see(row).toContainText('valide');
    await see(row).toContainText('réussi');
    expect(await axeCheck(page)).toEqual([]);
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: 'Scénarios de test' }).waitFor();
    await page.locator('pre.mermaid svg').waitFor({ timeout: 20000 });
    await page.getByRole('heading', { name: 'Sources et vérification' }).waitFor();
    await page.getByRole('heading', { name: 'Statistiques anonymes par nœud' }).waitFor();
    expect(await axeCheck(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

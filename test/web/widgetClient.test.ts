/**
 * The widget's Direct Line client in a real browser against a minimal fake channel: de-duplication,
 * retries across a network loss, reload resume, wipe. (The end-to-end suites run the real server.)
 */
import type { Browser, Page } from 'playwright-core';
import { describeBrowser, launch } from './support/browser';
import { ensureAssets } from './support/assets';
import { axeCheck } from './support/axe';
import { startFakeServer, type FakeServer } from './support/fakeDirectLine';
import { see } from './support/see';

describeBrowser('widget client (fake Direct Line)', () => {
  let browser: Browser;
  let fake: FakeServer;
  let page: Page;

  beforeAll(async () => {
    await ensureAssets();
    fake = await startFakeServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await fake?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    page.setDefaultTimeout(12_000);
  });
  afterEach(async () => {
    await page.close();
  });

  const widget = () => page.locator('ariane-widget');
  const log = () => widget().locator('[role=log]');

  it('shows the welcome, sends a button click once, renders escaped cards without unsafe links', async () => {
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour ! Que voulez-vous faire ?').waitFor();
    await widget().getByRole('button', { name: 'Lieux' }).click();
    const card = log().locator('.card');
    await card.waitFor();
    await expectText(card.locator('.card-title'), 'France Services <b>Test</b>');
    expect(await card.getByRole('link', { name: /Appeler/ }).getAttribute('href')).toBe('tel:+33100000000');
    expect(await card.getByText('evil').count()).toBe(0);
    // The clicked answer appears once, even after several polls.
    await page.waitForTimeout(1500);
    expect(await log().locator('.msg-user').count()).toBe(1);
    const conv = [...fake.conversations.values()].pop()!;
    expect(conv.activities.filter((a) => a.text === 'lieux')).toHaveLength(1);
  });

  it('the accessibility check really reports serious problems (so a clean result means something)', async () => {
    await page.setContent('<html><head><title>t</title></head><body><main><img src="data:,"><button></button><input type="text"></main></body></html>');
    const found = await axeCheck(page);
    expect(found.join('\n')).toMatch(/critical image-alt/);
    expect(found.join('\n')).toMatch(/critical button-name/);
    expect(found.join('\n')).toMatch(/label/);
  });

  it('shows bot and resident text as text: no HTML, no javascript: links, only safe Markdown', async () => {
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour !').waitFor();
    await widget().getByLabel('Votre message').fill('<b>moi</b> xss');
    await page.keyboard.press('Enter');
    await log().getByText('Vous avez dit : <b>moi</b> xss').waitFor();
    expect(await log().locator('b').count()).toBe(0);
    await widget().getByLabel('Votre message').fill('xss');
    await page.keyboard.press('Enter');
    const msg = log().locator('.msg-bot', { hasText: 'gras' });
    await msg.waitFor();
    expect(await msg.locator('img').count()).toBe(0);
    expect(await msg.textContent()).toContain('<img src=x');
    expect(await msg.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await msg.locator('strong').textContent()).toBe('gras');
    expect(await msg.locator('li').count()).toBe(2);
    const a = msg.locator('a[href="https://exemple.fr/a"]');
    expect(await a.getAttribute('target')).toBe('_blank');
    expect(await a.getAttribute('rel')).toContain('noopener');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('reads messages aloud in the right language and fills the text box from voice input, where the browser offers them', async () => {
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      const spoken: Array<{ text: string; lang: string }> = [];
      w.__spoken = spoken;
      Object.defineProperty(window, 'speechSynthesis', { configurable: true, value: { speak: (u: { text: string; lang: string }) => spoken.push({ text: u.text, lang: u.lang }), cancel: () => undefined } });
      w.SpeechSynthesisUtterance = class {
        lang = '';
        constructor(public text: string) {}
      };
      w.SpeechRecognition = w.webkitSpeechRecognition = class {
        lang = '';
        onresult: ((e: unknown) => void) | null = null;
        onend: (() => void) | null = null;
        start() {
          (window as unknown as { __recognizer: unknown }).__recognizer = this;
        }
        stop() {
          this.onend?.();
        }
      };
    });
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour !').waitFor();
    await log().locator('.msg-bot').first().getByRole('button', { name: 'Écouter' }).click();
    let spoken = await page.evaluate(() => (window as unknown as { __spoken: Array<{ text: string; lang: string }> }).__spoken);
    expect(spoken).toEqual([{ text: 'Bonjour ! Que voulez-vous faire ?', lang: 'fr-FR' }]);
    // Read-aloud switched on: the next bot message is read by itself, with its answers.
    const toggle = widget().getByRole('button', { name: 'Lire à voix haute' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await widget().getByLabel('Votre message').fill('bonjour');
    await page.keyboard.press('Enter');
    await log().getByText('Vous avez dit : bonjour').waitFor();
    spoken = await page.evaluate(() => (window as unknown as { __spoken: Array<{ text: string; lang: string }> }).__spoken);
    expect(spoken[spoken.length - 1]).toEqual({ text: 'Vous avez dit : bonjour', lang: 'fr-FR' });
    // Voice input.
    const mic = widget().getByRole('button', { name: 'Parler au lieu d’écrire' });
    await mic.click();
    await widget().getByText('Je vous écoute…').waitFor();
    await page.evaluate(() => {
      const r = (window as unknown as { __recognizer: { lang: string; onresult: (e: unknown) => void; onend: () => void } }).__recognizer;
      if (r.lang !== 'fr-FR') throw new Error('recognition language ' + r.lang);
      r.onresult({ results: [[{ transcript: 'attestation caf' }]] });
      r.onend();
    });
    expect(await widget().getByLabel('Votre message').inputValue()).toBe('attestation caf');
    await see(widget().getByLabel('Votre message')).toBeFocused();
  });

  it('says so when the server refuses a message for good, and keeps working', async () => {
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour !').waitFor();
    await widget().getByLabel('Votre message').fill('refuse-moi');
    await page.keyboard.press('Enter');
    await log().locator('.msg-user.refused').getByText('Message non envoyé', { exact: false }).waitFor();
    await widget().getByLabel('Votre message').fill('et ensuite');
    await page.keyboard.press('Enter');
    await log().getByText('Vous avez dit : et ensuite').waitFor();
  });

  it('starts a new conversation by itself when the old one was purged on the server', async () => {
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour !').waitFor();
    const before = fake.conversations.size;
    const id = [...fake.conversations.keys()].pop()!;
    fake.conversations.delete(id);
    await page.waitForFunction(() => (document.querySelector('ariane-widget')?.shadowRoot?.querySelectorAll('.msg-bot').length ?? 0) >= 2);
    expect(fake.conversations.size).toBe(before);
    expect([...fake.conversations.keys()].pop()).not.toBe(id);
    await widget().getByLabel('Votre message').fill('toujours là');
    await page.keyboard.press('Enter');
    await log().getByText('Vous avez dit : toujours là').waitFor();
  });

  it('keeps a message typed during a network loss and delivers it once when the network is back', async () => {
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour !').waitFor();
    fake.offline = true;
    await widget().getByLabel('Votre message').fill('pendant la coupure');
    await widget().getByRole('button', { name: 'Envoyer' }).click();
    await widget().getByText('Connexion perdue').waitFor();
    fake.offline = false;
    await log().getByText('Vous avez dit : pendant la coupure').waitFor({ timeout: 20000 });
    await page.waitForTimeout(1200);
    expect(await log().getByText('pendant la coupure', { exact: true }).count()).toBe(1);
    const conv = [...fake.conversations.values()].pop()!;
    expect(conv.activities.filter((a) => a.text === 'pendant la coupure')).toHaveLength(1);
  });

  it('resumes after a reload without showing anything twice, and "Quitter et effacer" wipes it', async () => {
    await page.goto(fake.url + '/');
    await log().getByText('Bonjour !').waitFor();
    await widget().getByLabel('Votre message').fill('avant rechargement');
    await page.keyboard.press('Enter');
    await log().getByText('Vous avez dit : avant rechargement').waitFor();
    const convs = fake.conversations.size;
    await page.reload();
    await log().getByText('Vous avez dit : avant rechargement').waitFor();
    await page.waitForTimeout(1200);
    expect(await log().getByText('Bonjour ! Que voulez-vous faire ?').count()).toBe(1);
    expect(await log().getByText('avant rechargement', { exact: true }).count()).toBe(1);
    expect(fake.conversations.size).toBe(convs);

    await widget().getByRole('button', { name: 'Quitter et effacer' }).click();
    await widget().getByText('La conversation est effacée de cet appareil.').waitFor();
    expect(await log().locator('.msg').count()).toBe(0);
    const stored = await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('ariane')));
    expect(stored).toEqual([]);
    await page.reload();
    await log().getByText('Bonjour !').waitFor();
    expect(await log().getByText('avant rechargement').count()).toBe(0);
  });
});

async function expectText(loc: import('playwright-core').Locator, text: string): Promise<void> {
  expect((await loc.textContent())?.trim()).toBe(text);
}

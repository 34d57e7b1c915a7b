/**
 * Server-side pieces of the web folder, without a browser: escaping, admin access checks, review
 * staleness, per-node statistics from real engine turns, the flow watcher, and the widget's weight.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { buildCatalog } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';
import { WIDGET_BUDGET_BYTES } from '../../src/web/buildAssets';
import { FlowWatcher } from '../../src/flow';
import { html, page, raw } from '../../src/web/html';
import { isAdmin, isStale } from '../../src/web/adminRoutes';
import { Sessions } from '../../src/access';
import { MemoryStore } from '../../src/store';
import { checklistFragment } from '../../src/web/mediatorRoutes';
import { foldAccents as fold } from '../../src/engine';
import { readableOn } from '../../src/web/widget/readableOn';
import { ensureAssets } from './support/assets';
import { startFakeServer } from './support/fakeDirectLine';

const FLOWS = path.resolve(__dirname, '../../flows');

describe('html escaping', () => {
  it('escapes every interpolated value, keeps raw() markup, drops false/undefined', () => {
    const evil = `<script>alert("x")</script><img src=x onerror='y'>\``;
    const out = html`<p title="${evil}">${evil}${false}${undefined}${raw('<b>ok</b>')}${['<i>', 1]}</p>`.value;
    expect(out).not.toMatch(/<script|<img|<i>/);
    expect(out).toContain('&#60;script&#62;');
    expect(out).toContain('&#34;x&#34;');
    expect(out).toContain('<b>ok</b>');
    expect(out).toContain('1</p>');
  });

  it('pages have a language, a title, a skip link, and no inline script', () => {
    const p = page({ title: 'T <x>', body: html`<main id="main">m</main>`, scripts: ['/assets/a.js'] });
    expect(p).toMatch(/^<!doctype html>\n<html lang="fr">/);
    expect(p).toContain('<title>T &#60;x&#62;</title>');
    expect(p).toContain('<a class="skip" href="#main">');
    expect(p).not.toMatch(/<script>(?!<\/script>)/);
    expect(p).toContain('<script src="/assets/a.js" defer></script>');
  });
});

describe('admin access', () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  const TOKEN = 'a-long-enough-admin-token';

  it('accepts the Bearer token or a live admin session, refuses others, and is closed when no token is configured', async () => {
    const kv = new MemoryStore().kv;
    const sessions = new Sessions(kv, { idleMs: 60_000, maxMs: 3_600_000 });
    expect(await isAdmin(req({ authorization: `Bearer ${TOKEN}` }), TOKEN, sessions)).toBe(true);
    expect(await isAdmin(req({ authorization: `Bearer ${TOKEN}x` }), TOKEN, sessions)).toBe(false);
    expect(await isAdmin(req({ authorization: TOKEN }), TOKEN, sessions)).toBe(false);
    expect(await isAdmin(req({}), TOKEN, sessions)).toBe(false);
    expect(await isAdmin(req({ cookie: `ariane_admin=${TOKEN}` }), TOKEN, sessions)).toBe(false);
    expect(await isAdmin(req({ authorization: 'Bearer ' }), undefined, sessions)).toBe(false);
    // A mediator's session is not an admin's, even in the admin cookie.
    const mediator = await sessions.create('mediator', 'marie', '1');
    expect(await isAdmin(req({ cookie: `ariane_admin=${mediator}` }), TOKEN, sessions)).toBe(false);
  });

  it('flags review dates older than 12 months', () => {
    expect(isStale('2024-11-21', '2025-11-22')).toBe(true);
    expect(isStale('2024-11-22', '2025-11-22')).toBe(false);
    expect(isStale('2025-06-01', '2025-11-22')).toBe(false);
  });
});

describe('mediator helpers', () => {
  it('folds accents and case for the search', () => {
    expect(fold('Démarche CAF Être')).toBe('demarche caf etre');
    expect(fold('Œuvre, SŒUR')).toBe('oeuvre, soeur');
  });

  it('embeds the shared checklist renderer without its inline style', () => {
    const set = loadFlowDirectory(FLOWS);
    const flow = set.byId.get('caf-attestation')!;
    const { body, dir } = checklistFragment(flow, 'fr');
    expect(body.value).not.toContain('<style>');
    expect(body.value).toContain('type="checkbox"');
    expect(body.value).toContain('id="n-connexion"');
    expect(dir).toBeUndefined();
    expect(flow.languages).toContain('ar');
    expect(checklistFragment(flow, 'ar').dir).toBe('rtl');
  });
});

describe('FlowWatcher on the admin page', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-watch-'));
    fs.copyFileSync(path.join(FLOWS, 'caf-attestation.yaml'), path.join(dir, 'caf-attestation.yaml'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('shows the rejected edit with file and line on the admin page', async () => {
    const file = path.join(dir, 'caf-attestation.yaml');
    const w = new FlowWatcher({ dir, load: (d) => loadFlowDirectory(d) });
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('kind: question', 'kind: questoin'));
    expect(w.reload()).toBe(false);
    const token = 'admin-token-for-the-watcher-test';
    const set = w.current().set;
    const fake = await startFakeServer({ adminToken: token, watcher: w, flowsDir: dir, catalog: () => buildCatalog(set.flows, loadLexicons()) });
    try {
      const res = await fetch(fake.url + '/admin', { headers: { Authorization: `Bearer ${token}` } });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).toContain('Dernière modification refusée');
      expect(body).toMatch(/caf-attestation\.yaml, ligne \d+/);
      expect(body).toContain('questoin');
    } finally {
      await fake.close();
    }
  });
});

describe('admin review dates', () => {
  it('highlights a flow whose content was last checked more than 12 months ago, with the checker warning', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariane-stale-'));
    try {
      const text = fs.readFileSync(path.join(FLOWS, 'caf-attestation.yaml'), 'utf8').replace(/^reviewed: .*$/m, 'reviewed: 2020-01-15');
      fs.writeFileSync(path.join(dir, 'caf-attestation.yaml'), text);
      const w = new FlowWatcher({ dir, load: (d) => loadFlowDirectory(d) });
      const set = w.current().set;
      expect(set.ok).toBe(true);
      const token = 'admin-token-for-the-stale-test';
      const fake = await startFakeServer({ adminToken: token, watcher: w, flowsDir: dir, catalog: () => buildCatalog(set.flows, loadLexicons()) });
      try {
        const list = await (await fetch(fake.url + '/admin', { headers: { Authorization: `Bearer ${token}` } })).text();
        expect(list).toContain('<span class="stale">2020-01-15</span>');
        const detail = await (await fetch(fake.url + '/admin/parcours/caf-attestation', { headers: { Authorization: `Bearer ${token}` } })).text();
        expect(detail).toContain('<span class="stale">2020-01-15</span>');
        expect(detail).toMatch(/Attention<\/span> [^<]*caf-attestation\.yaml, ligne \d+, colonne \d+ : contenu vérifié le 2020-01-15/);
      } finally {
        await fake.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('widget colours', () => {
  it('picks black or white text, whichever contrasts more with the partner colour', () => {
    expect(readableOn('#000091')).toBe('#ffffff');
    expect(readableOn('#ffdd00')).toBe('#000000');
    expect(readableOn('#fff')).toBe('#000000');
    expect(readableOn('#005a32')).toBe('#ffffff');
    expect(readableOn('rebeccapurple')).toBeUndefined();
  });
});

describe('widget weight', () => {
  it(`stays under ${WIDGET_BUDGET_BYTES / 1024} KB gzipped (JS + CSS)`, async () => {
    const { widgetGzipBytes } = await ensureAssets();
    console.log(`widget.js + widget.css: ${(widgetGzipBytes / 1024).toFixed(1)} KB gzipped`);
    expect(widgetGzipBytes).toBeGreaterThan(2000);
    expect(widgetGzipBytes).toBeLessThan(WIDGET_BUDGET_BYTES);
  });
});


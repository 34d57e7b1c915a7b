/**
 * The charts of `ariane graph` really are Mermaid: the escaping fixture is drawn, and every shipped
 * flow in each of its languages parsed, by the Mermaid library itself in a real browser (Debian's
 * chromium, as the web tests use). Skips clearly when chromium is missing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadFlowDirectory } from '../../src/flow';
import { toMermaid } from '../../src/render';
import { demoFlow } from './fixture';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const describeBrowser = hasChromium ? describe : describe.skip;
if (!hasChromium) console.warn(`Mermaid browser check skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);

interface Drawn {
  ok: boolean;
  error?: string;
  text?: string;
  scripts?: number;
}

describeBrowser('Mermaid draws the charts of ariane graph', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
    await page.evaluate(() => (window as unknown as { mermaid: { initialize(o: object): void } }).mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' }));
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Parses and renders one chart; returns its visible text and how many script elements it holds. */
  async function draw(chart: string): Promise<Drawn> {
    return page.evaluate(async (text) => {
      const m = (window as unknown as { mermaid: { parse(t: string): Promise<unknown>; render(id: string, t: string): Promise<{ svg: string }> } }).mermaid;
      try {
        await m.parse(text);
        const { svg } = await m.render(`g${Math.random().toString(36).slice(2)}`, text);
        const out = document.getElementById('out') as HTMLElement;
        out.innerHTML = svg;
        const result = { ok: true, text: out.textContent ?? '', scripts: out.querySelectorAll('script').length };
        out.innerHTML = '';
        return result;
      } catch (e) {
        return { ok: false, error: String(e instanceof Error ? e.message : e) };
      }
    }, chart);
  }

  it('draws the fixture, showing quotes, brackets, pipes and hashes as written', async () => {
    const drawn = await draw(toMermaid(demoFlow()));
    expect(drawn.error).toBeUndefined();
    expect(drawn.scripts).toBe(0);
    expect(drawn.text).toContain('Vous dites "oui" ou <non> ?');
    expect(drawn.text).toContain('Allez sur le site <script>alert(1)</script>.');
    expect(drawn.text).toContain('Non | jamais');
    expect(drawn.text).toContain('Faites la démarche #1.');
    expect(drawn.text).toContain('age < 18');
  });

  // Parsing only (layout is slow and the fixture already proves drawing): syntax is what can break.
  it('parses every shipped flow in each of its languages', async () => {
    const set = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));
    const charts = set.flows.flatMap((flow) => flow.languages.map((lang) => ({ name: `${flow.id} (${lang})`, text: toMermaid(flow, lang) })));
    const failures = await page.evaluate(async (list) => {
      const m = (window as unknown as { mermaid: { parse(t: string): Promise<unknown> } }).mermaid;
      const out: string[] = [];
      for (const c of list) {
        try {
          await m.parse(c.text);
        } catch (e) {
          out.push(`${c.name}: ${String(e instanceof Error ? e.message : e)}`);
        }
      }
      return out;
    }, charts);
    expect(failures).toEqual([]);
    expect(set.flows.length).toBeGreaterThan(0);
  });
});

/**
 * Web-first assertions for playwright-core (which has no test runner): each retries until it holds
 * or 10 s pass, then fails with what was seen.
 */
import type { Locator } from 'playwright-core';

const TIMEOUT = 10_000;

async function retry(check: () => Promise<boolean>, what: () => Promise<string>): Promise<void> {
  const until = Date.now() + TIMEOUT;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expectation failed: ${await what().catch((e: unknown) => String(e))}`);
}

export function see(loc: Locator) {
  return {
    toContainText: (t: string) => retry(async () => ((await loc.textContent()) ?? '').includes(t), async () => `"${await loc.textContent()}" should contain "${t}"`),
    toHaveText: (t: string) => retry(async () => ((await loc.textContent()) ?? '').trim() === t, async () => `"${await loc.textContent()}" should be "${t}"`),
    toHaveValue: (v: string) => retry(async () => (await loc.inputValue()) === v, async () => `value "${await loc.inputValue()}" should be "${v}"`),
    toHaveAttribute: (a: string, v: string) => retry(async () => (await loc.getAttribute(a)) === v, async () => `${a}="${await loc.getAttribute(a)}" should be "${v}"`),
    toBeFocused: () =>
      retry(
        () => loc.evaluate((el) => el === (el.getRootNode() as Document | ShadowRoot).activeElement),
        async () => 'element should have the focus',
      ),
  };
}

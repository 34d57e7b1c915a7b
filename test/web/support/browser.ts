/**
 * A real browser for the web tests: Debian's chromium driven by playwright-core. Suites skip clearly
 * when it is missing (`.ci/run` installs it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);

/** Where screenshots go (gitignored). */
export const OUTPUT_DIR = path.resolve(__dirname, '../../../test-output');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** `describe` when chromium is installed, else a skipped suite whose name says why. */
export const describeBrowser: jest.Describe = hasChromium ? describe : (describe.skip as jest.Describe);
if (!hasChromium) console.warn(`web browser tests skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);

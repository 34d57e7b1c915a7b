/**
 * Bundles the browser code (widget, page scripts) with esbuild into `dist/web/public`, and reports the
 * widget's gzipped weight — it must stay under {@link WIDGET_BUDGET_BYTES} for residents on old phones
 * and small data plans. Run by `npm run build` (`node dist/web/buildAssets.js`) and by the web tests.
 * esbuild is a dev dependency: this file runs at build time only, never in the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** The widget's JS + CSS, gzipped, must stay under this (issue 5: 60 KB). */
export const WIDGET_BUDGET_BYTES = 60 * 1024;

/** Where the server looks for the built assets (same path from `src/web` and `dist/web`). */
export const ASSETS_DIR = path.resolve(__dirname, '../../dist/web/public');

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src/web');

/** Bundle entry points: output name → source. */
const ENTRIES: Record<string, string> = {
  widget: 'widget/main.ts',
  mediateur: 'pages/mediateur.ts',
  admin: 'pages/admin.ts',
  webchat: 'pages/webchat.ts',
};

function widgetLocales(): string {
  const read = (lng: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'locales', lng, 'widget.json'), 'utf8')) as Record<string, string>;
  return JSON.stringify({ fr: read('fr'), 'fr-facile': read('fr-facile'), en: read('en'), ar: read('ar') });
}

/** Builds everything into `outDir`; returns the widget's gzipped size in bytes (JS + CSS). */
export async function buildWebAssets(outDir: string = ASSETS_DIR): Promise<{ widgetGzipBytes: number }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- dev-only tool, loaded lazily so the server never needs it
  const esbuild = require('esbuild') as typeof import('esbuild');
  fs.mkdirSync(outDir, { recursive: true });
  const entryPoints = Object.entries(ENTRIES)
    .filter(([, src]) => fs.existsSync(path.join(SRC, src)))
    .map(([out, src]) => ({ out, in: path.join(SRC, src) }));
  await esbuild.build({
    entryPoints,
    outdir: outDir,
    bundle: true,
    minify: true,
    format: 'iife',
    // "Browsers of the last 5 years": Chrome 87 / Safari 14.1 era (2020–2021).
    target: ['chrome87', 'edge88', 'firefox78', 'safari14.1'],
    define: { __ARIANE_WIDGET_LOCALES__: widgetLocales() },
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const css of ['widget/widget.css', 'pages/pages.css']) {
    const src = path.join(SRC, css);
    if (!fs.existsSync(src)) continue;
    await esbuild.build({ entryPoints: [src], outfile: path.join(outDir, path.basename(css)), bundle: true, minify: true, logLevel: 'warning' });
  }
  return { widgetGzipBytes: widgetGzipSize(outDir) };
}

/** Gzipped size (level 9, as a CDN or restify would serve it) of widget.js + widget.css. */
export function widgetGzipSize(dir: string = ASSETS_DIR): number {
  let total = 0;
  for (const f of ['widget.js', 'widget.css']) total += zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length;
  return total;
}

if (require.main === module) {
  buildWebAssets()
    .then(({ widgetGzipBytes }) => {
      const kb = (widgetGzipBytes / 1024).toFixed(1);
      if (widgetGzipBytes > WIDGET_BUDGET_BYTES) {
        console.error(`widget: ${kb} KB gzipped — over the ${WIDGET_BUDGET_BYTES / 1024} KB budget`);
        process.exitCode = 1;
      } else {
        console.log(`widget: ${kb} KB gzipped (budget ${WIDGET_BUDGET_BYTES / 1024} KB)`);
      }
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}

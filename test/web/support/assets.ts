/** Builds the browser bundles once per test file (esbuild: well under a second). */
import { buildWebAssets } from '../../../src/web/buildAssets';
import { clearAssetCache } from '../../../src/web/sendAsset';

let built: Promise<{ widgetGzipBytes: number }> | undefined;

export function ensureAssets(): Promise<{ widgetGzipBytes: number }> {
  built ??= buildWebAssets().then((r) => {
    clearAssetCache();
    return r;
  });
  return built;
}

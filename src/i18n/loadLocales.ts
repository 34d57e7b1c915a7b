/** Reading `locales/<lng>/<namespace>.json` files: whatever exists, per language. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The project's `locales/` directory (the same from `src/i18n` under ts-jest and `dist/i18n` when built). */
export const DEFAULT_LOCALES_DIR = resolve(__dirname, '..', '..', 'locales');

/** Every namespace file of every language: `{ fr: { engine: {...}, bot: {...} }, en: {...} }`. */
export type LocaleResources = Record<string, Record<string, Record<string, unknown>>>;

/**
 * Loads all `locales/<lng>/*.json` files. A file that is not valid JSON throws with its path: a
 * broken translation file is a deployment error to fix, not something to hide at run time.
 */
export function loadLocaleResources(localesDir: string = DEFAULT_LOCALES_DIR): LocaleResources {
  const resources: LocaleResources = {};
  if (!existsSync(localesDir)) return resources;
  for (const lng of readdirSync(localesDir).sort()) {
    const dir = join(localesDir, lng);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const path = join(dir, file);
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(path, 'utf8'));
      } catch (err) {
        throw new Error(`${path}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${path}: expected a JSON object of texts`);
      (resources[lng] ??= {})[file.slice(0, -'.json'.length)] = data as Record<string, unknown>;
    }
  }
  return resources;
}

/**
 * The places' user-facing sentences, read from `locales/<lng>/places.json` (i18next layout and
 * `{{name}}` interpolation, so the bot can load the same namespace into i18next). Kept as a tiny
 * reader here so that the CLI and the directory need no i18next instance.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

type Tree = { [key: string]: string | string[] | Tree };

const LOCALES_DIR = path.resolve(__dirname, '../../locales');
const cache = new Map<string, Tree | null>();

function load(lang: string): Tree | null {
  if (!cache.has(lang)) {
    try {
      cache.set(lang, JSON.parse(readFileSync(path.join(LOCALES_DIR, lang, 'places.json'), 'utf8')) as Tree);
    } catch {
      cache.set(lang, null);
    }
  }
  return cache.get(lang) ?? null;
}

function lookup(tree: Tree | null, key: string): string | string[] | undefined {
  let node: Tree | string | string[] | undefined = tree ?? undefined;
  for (const part of key.split('.')) {
    if (!node || typeof node === 'string' || Array.isArray(node)) return undefined;
    node = node[part];
  }
  return typeof node === 'string' || Array.isArray(node) ? node : undefined;
}

/** The languages tried for `lang`: itself, its base (`fr-facile` → `fr`), then French. */
const chain = (lang: string) => [...new Set([lang, lang.split('-')[0] ?? lang, 'fr'])];

/** A translated sentence, `{{param}}` filled in; the key itself when no language has it. */
export function placesText(lang: string, key: string, params: Record<string, string | number> = {}): string {
  for (const l of chain(lang)) {
    const v = lookup(load(l), key);
    if (typeof v === 'string') return v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(params[name] ?? ''));
  }
  return key;
}

/** A translated list (e.g. day names). */
export function placesList(lang: string, key: string): string[] {
  for (const l of chain(lang)) {
    const v = lookup(load(l), key);
    if (Array.isArray(v)) return v;
  }
  return [];
}

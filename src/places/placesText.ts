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

/**
 * Values already resolved through the chain, by language then key: the files are read once, so an
 * answer never changes, and the directory asks for the same few sentences on every query. Cleared
 * when it grows large (languages and keys may come from outside).
 */
const texts = new Map<string, Map<string, string | undefined>>();
const lists = new Map<string, Map<string, string[]>>();
let cached = 0;
const asText = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);
const asList = (v: string | string[] | undefined) => (Array.isArray(v) ? v : undefined);

function resolve<T>(cache: Map<string, Map<string, T>>, lang: string, key: string, pick: (v: string | string[] | undefined) => T | undefined, fallback: T): T {
  let byKey = cache.get(lang);
  if (byKey?.has(key)) return byKey.get(key) as T;
  if (++cached > 10_000) {
    texts.clear();
    lists.clear();
    cached = 0;
    byKey = undefined;
  }
  let value = fallback;
  for (const l of chain(lang)) {
    const v = pick(lookup(load(l), key));
    if (v !== undefined) {
      value = v;
      break;
    }
  }
  if (!byKey) cache.set(lang, (byKey = new Map()));
  byKey.set(key, value);
  return value;
}

/** A translated sentence, `{{param}}` filled in; the key itself when no language has it. */
export function placesText(lang: string, key: string, params: Record<string, string | number> = {}): string {
  const v = resolve(texts, lang, key, asText, undefined);
  if (v === undefined) return key;
  return v.includes('{{') ? v.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(params[name] ?? '')) : v;
}

/** A translated list (e.g. day names). */
export function placesList(lang: string, key: string): string[] {
  return resolve(lists, lang, key, asList, []);
}

/** A calendar date (`2022-12-01`) as people read it: "1er décembre 2022", "1 December 2022"; the text itself when it is no date. */
export function dateText(lang: string, iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return iso;
  const day = Number(m[3]);
  const month = placesList(lang, 'months')[Number(m[2]) - 1] ?? m[2] ?? '';
  return placesText(lang, 'date.format', { day: day === 1 ? placesText(lang, 'date.first') : String(day), month, year: m[1] ?? '' });
}

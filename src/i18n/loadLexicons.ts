/** The words people use for global intents and generic answers, read from `locales/<lng>/intents.json`. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Lang, Lexicon } from '../engine';
import { DEFAULT_LOCALES_DIR } from './loadLocales';

const LISTS = ['back', 'restart', 'help', 'done', 'cannot', 'yes', 'no', 'dontKnow', 'continueAlone', 'leave', 'negation', 'optionWords'] as const;
/** Lists a language may leave out (its answers then read quantities as words). */
const OPTIONAL_LISTS = ['below', 'above', 'orMore', 'orLess', 'spanJoin', 'dropped', 'contrast'] as const;

/**
 * Checks and completes one parsed `intents.json`: every list present (missing → empty), strings
 * only. Throws with the file path and the faulty field, so a typo in a translation is caught at start.
 */
export function parseLexicon(data: unknown, path = 'intents.json'): Lexicon {
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error(`${path}: expected a JSON object`);
  const d = data as Record<string, unknown>;
  const strings = (v: unknown, field: string): string[] => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new Error(`${path}: "${field}" must be a list of texts`);
    return v as string[];
  };
  const lex: Lexicon = { back: [], restart: [], help: [], done: [], cannot: [], yes: [], no: [], dontKnow: [], continueAlone: [], languages: {}, negation: [], optionWords: [], ordinals: [] };
  for (const k of LISTS) lex[k] = strings(d[k], k);
  for (const k of OPTIONAL_LISTS) if (d[k] !== undefined) lex[k] = strings(d[k], k);
  for (const field of ['ordinals', 'numbers'] as const) {
    const lists = d[field];
    if (lists === undefined) continue;
    if (!Array.isArray(lists)) throw new Error(`${path}: "${field}" must be a list of lists of texts (the words for 1, 2…)`);
    lex[field] = lists.map((words, i) => strings(words, `${field}[${i}]`));
  }
  const langs = d.languages;
  if (langs !== undefined) {
    if (!langs || typeof langs !== 'object' || Array.isArray(langs)) throw new Error(`${path}: "languages" must map a language code to names`);
    for (const [code, names] of Object.entries(langs)) lex.languages[code] = strings(names, `languages.${code}`);
  }
  for (const field of ['organisations', 'synonyms', 'units'] as const) {
    const map = d[field];
    if (map === undefined) continue;
    if (!map || typeof map !== 'object' || Array.isArray(map)) throw new Error(`${path}: "${field}" must map a word to the words people type for it`);
    const out: Record<string, string[]> = {};
    for (const [key, words] of Object.entries(map)) out[key] = strings(words, `${field}.${key}`);
    lex[field] = out;
  }
  return lex;
}

/** Every `locales/<lng>/intents.json`, by language. Languages without the file are simply absent. */
export function loadLexicons(localesDir: string = DEFAULT_LOCALES_DIR): Record<Lang, Lexicon> {
  const out: Record<Lang, Lexicon> = {};
  if (!existsSync(localesDir)) return out;
  for (const lng of readdirSync(localesDir).sort()) {
    const path = join(localesDir, lng, 'intents.json');
    if (!statSync(join(localesDir, lng)).isDirectory() || !existsSync(path)) continue;
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`${path}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    out[lng] = parseLexicon(data, path);
  }
  return out;
}

/**
 * Picks the right language of a flow text. Flows are French first; a translation may be missing, in
 * which case French is shown rather than nothing (the checker warns admins about gaps).
 */
import type { Text, Words } from '../flow';
import type { Lang } from './types';

/** The languages to try for `lang`, best first: `fr-facile` → `fr`, `en-GB` → `en`, always ending with `fr`. */
export function languageChain(lang: Lang): Lang[] {
  const chain: Lang[] = [lang];
  const base = lang.split('-')[0];
  if (base && base !== lang) chain.push(base);
  if (!chain.includes('fr')) chain.push('fr');
  return chain;
}

/** The text in `lang`, else its base language, else French. */
export function resolveText(text: Text, lang: Lang): string {
  if (typeof text === 'string') return text;
  const map = text as Record<string, string>;
  for (const l of languageChain(lang)) {
    const t = map[l];
    if (t) return t;
  }
  return text.fr;
}

/** The words in `lang` (with the same fallback as texts). */
export function resolveWords(list: Words | undefined, lang: Lang): string[] {
  if (!list) return [];
  if (Array.isArray(list)) return list;
  const map = list as Record<string, string[]>;
  for (const l of languageChain(lang)) {
    const w = map[l];
    if (w && w.length) return w;
  }
  return [];
}

/** Every variant of a text or word list in every language: people mix languages when they type. */
export function allVariants(value: Text | Words | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value;
  return Object.values(value as Record<string, string | string[]>).flat();
}

import type { Text, Words } from '../flow';

/**
 * A flow text in `lang`, falling back to the base language (`fr-facile` → `fr`) then to French,
 * the one language every text must have. Renderers never show an empty cell for a missing
 * translation: `ariane check` already warns about it.
 */
export function pickText(text: Text | undefined, lang: string): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  const map = text as Record<string, string | undefined>;
  return map[lang] ?? map[lang.split('-')[0] ?? ''] ?? text.fr;
}

/** A word list in `lang`, with the same fallback as `pickText`. */
export function pickWords(words: Words | undefined, lang: string): string[] {
  if (words === undefined) return [];
  if (Array.isArray(words)) return words;
  const map = words as Record<string, string[] | undefined>;
  return map[lang] ?? map[lang.split('-')[0] ?? ''] ?? words.fr;
}

/**
 * Free-text arguments that may start with a dash. Commander reads `-21.1,55.5` (a southern latitude:
 * La Réunion, Mayotte, Nouvelle-Calédonie) as an unknown option; commands that take a place accept
 * unknown options as words, then refuse here the words that are really options.
 */

/** A word that is a number or coordinates, not an option (`-21.1,55.5`, `-21.1`, `-0.58`). */
const NUMERIC = /^-\d/;

/**
 * The words given, or an error message naming the first one that is an option this command does
 * not know (`--opne-now`), so a typo of an option is not searched as a place.
 */
export function placeWords(words: readonly string[]): { words: string[] } | { error: string } {
  const option = words.find((w) => w.startsWith('-') && w.length > 1 && !NUMERIC.test(w));
  if (option) return { error: `Option inconnue : « ${option} ». Voir --help.` };
  return { words: [...words] };
}

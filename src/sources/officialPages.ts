/**
 * The catalogue as the engine sees it: official pages (id, title, one line, address) for what a
 * person typed, synchronous and in memory. The engine compares them with its procedures; it
 * asks for more than it shows, so that a page about another subject can be told apart.
 */
import type { KnownWord, OfficialPage, SearchOfficial } from '../engine';
import type { Catalogue } from './Catalogue';
import { oneLine } from './Fiche';

/** How many pages the engine gets to weigh for one request. */
export const PAGES_WEIGHED = 10;

/** The engine's `searchOfficial` over `catalogue` (a function, so that a synced catalogue is used as soon as it is swapped in). */
export function officialPages(catalogue: () => Catalogue): SearchOfficial {
  return (text, lang) =>
    catalogue()
      .search(text, { limit: PAGES_WEIGHED, lang })
      .map(({ fiche }): OfficialPage => ({ id: fiche.id, title: fiche.title, ...(fiche.description ? { description: oneLine(fiche.description) } : {}), url: fiche.url }));
}

/**
 * The engine's `knownWord` over `catalogue`: the words official pages are written with. A typed word
 * the pages use is a real word, so the engine never reads it as a typo of a procedure's word.
 */
export function officialWords(catalogue: () => Catalogue): KnownWord {
  return (word) => catalogue().hasWord(word);
}

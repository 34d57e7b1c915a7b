/**
 * The catalogue as the engine sees it: official pages (id, title, one line, address) for what a
 * person typed, synchronous and in memory. The engine compares them with its procedures; it
 * asks for more than it shows, so that a page about another subject can be told apart.
 */
import type { OfficialPage, SearchOfficial } from '../engine';
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

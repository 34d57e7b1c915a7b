/**
 * How a flow cites a service-public fiche: its id (`F10027`, `R42726`, `N19775`) or the page's
 * address, on service-public.gouv.fr or the former service-public.fr (which redirects).
 */
import type { Source } from './schema';

/** A fiche id: F (information sheet), R (online service, form…) or N (topic page), then digits. */
export const FICHE_ID_PATTERN = /^[FRN][0-9]+$/;

/** The page of a fiche for *particuliers* on service-public. */
export function ficheUrl(id: string): string {
  return `https://www.service-public.gouv.fr/particuliers/vosdroits/${id}`;
}

const FICHE_PAGE = /^https?:\/\/(?:www\.)?service-public\.(?:gouv\.)?fr\/particuliers\/vosdroits\/([FRN][0-9]+)\/?(?:[?#].*)?$/i;

/** The fiche a citation names (an id or a fiche's address), or undefined for anything else. */
export function ficheIdOf(citation: string): string | undefined {
  const s = citation.trim();
  if (FICHE_ID_PATTERN.test(s)) return s;
  return FICHE_PAGE.exec(s)?.[1]?.toUpperCase();
}

/** The address a citation points to: a fiche id becomes its page, an address stays. */
export function citationUrl(citation: string): string {
  return FICHE_ID_PATTERN.test(citation.trim()) ? ficheUrl(citation.trim()) : citation;
}

/** The address of a flow's source (`fiche:` or `url:`). */
export function sourceUrl(source: Source): string {
  return 'fiche' in source ? ficheUrl(source.fiche) : source.url;
}

/**
 * One page of service-public's "Vos droits et démarches" base for *particuliers*, as Ariane keeps it:
 * the few fields needed to cite it, to check a flow against it and to offer it to a resident. The
 * page's body is not kept: people read it on service-public itself.
 */
export interface Fiche {
  /** `F…` information sheet, `R…` online service, form or other resource, `N…` topic or dossier page. */
  id: string;
  /** The DILA's own type, as written in the data: « Fiche d'information », « Téléservice », « Dossier »… */
  type: string;
  title: string;
  /** The DILA's one-paragraph summary (plain French). */
  description: string;
  /** Where the page sits on service-public: « Social - Santé > Complémentaire santé… ». */
  theme: string;
  /** The audiences the page is written for (always includes « Particuliers » here). */
  audience: string[];
  /** Date of the page's last modification, `YYYY-MM-DD`. */
  modified: string;
  /** `https://www.service-public.gouv.fr/particuliers/vosdroits/<id>`. */
  url: string;
}

// The citation syntax belongs to the flow format; the catalogue uses the same.
export { FICHE_ID_PATTERN, ficheUrl, ficheIdOf } from '../flow';

/**
 * The description cut to one line for a chat message: its first sentence, or its first `max`
 * characters on a word boundary with « … ».
 */
export function oneLine(description: string, max = 160): string {
  const text = description.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(?:\s|$)/.exec(text)?.[1];
  if (sentence && sentence.length <= max) return sentence;
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

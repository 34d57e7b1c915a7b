/**
 * The embedded catalogue for tests: built once into dist/sources (as `npm run build` does) when a
 * fresh tree has not been built, then read like the service reads it.
 */
import { existsSync } from 'node:fs';
import { loadEmbeddedCatalogue, type Catalogue } from '../../../src/sources';
import { EMBEDDED_FILE } from '../../../src/sources/loadEmbeddedCatalogue';
import { writeEmbeddedCatalogue } from '../../../src/sources/writeEmbeddedCatalogue';

let cached: Catalogue | undefined;

export function embeddedCatalogue(): Catalogue {
  if (!cached) {
    if (!existsSync(EMBEDDED_FILE)) writeEmbeddedCatalogue();
    cached = loadEmbeddedCatalogue();
  }
  return cached;
}

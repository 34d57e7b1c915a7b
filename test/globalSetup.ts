/**
 * Jest's global setup. The geocoder reads the commune table that `npm run build` writes (and
 * `npm install` runs the build); this writes it first when it is missing or older than what it is
 * made from, so that `npx jest` also works right after a change to the builder or the data.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeCommuneTable } from '../src/geo/buildCommuneTable';
import { COMMUNE_TABLE_FILE } from '../src/geo/CommuneTable';

const ROOT = path.resolve(__dirname, '..');
/** The builder's code and the lock file (which pins the data packages' versions). */
const INPUTS = ['src/geo/buildCommuneTable.ts', 'src/geo/CommuneTable.ts', 'src/geo/foldName.ts', 'package-lock.json'];

export default function globalSetup(): void {
  const built = existsSync(COMMUNE_TABLE_FILE) ? statSync(COMMUNE_TABLE_FILE).mtimeMs : -Infinity;
  if (INPUTS.some((file) => statSync(path.join(ROOT, file)).mtimeMs > built)) writeCommuneTable();
}

/**
 * Where the reference data lives (`../shared/data` next to the repository, or SHARED_DATA_DIR).
 * Suites that use it skip, loudly, when it is absent: the product never needs it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SHARED_DATA_DIR = process.env.SHARED_DATA_DIR ?? path.resolve(__dirname, '../../../shared/data');

/** `describe` when `file` exists in the shared data, else `describe.skip` after saying why. */
export function describeWithSharedData(file: string): jest.Describe {
  const full = path.join(SHARED_DATA_DIR, file);
  if (existsSync(full)) return describe;
  console.warn(`SKIPPED: reference data ${full} is absent (set SHARED_DATA_DIR to run this suite).`);
  return describe.skip;
}

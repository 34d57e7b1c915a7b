/**
 * The commune table: every current French commune with its coordinates, worked out once at build
 * time (buildCommuneTable) and read by the geocoder when first used. Plain JSON, so it can be opened
 * and checked by hand. Names are stored folded too, so that the service does not fold them each
 * time it reads the table (see src/places/README.md).
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';

/** How a commune's coordinates were obtained (see buildCommuneTable). */
export type Precision = 'commune' | 'name' | 'postcode' | 'epci' | 'departement';

/** One current commune or municipal arrondissement, in the registry's order. */
export interface CommuneRow {
  /** INSEE code (COG). */
  insee: string;
  nom: string;
  /** foldName(nom), the form queries are compared in (folded once, here, not at every start). */
  fold: string;
  /** Département code. */
  departement: string;
  codesPostaux: string[];
  /** Absent when the registry gives none. */
  population?: number;
  /** Lyon, Marseille and Paris arrondissements: the INSEE code of their city. */
  arrondissementOf?: string;
  /** Absent, with lon and precision, for the few territories nothing could place. */
  lat?: number;
  lon?: number;
  precision?: Precision;
}

/** The table as written to {@link COMMUNE_TABLE_FILE}. */
export interface CommuneTable {
  /** {@link COMMUNE_TABLE_FORMAT} of the code that wrote it. */
  format: number;
  /** The data packages and versions it was built from (for a person reading the file). */
  sources: Record<string, string>;
  /** Département code → name. */
  departements: Record<string, string>;
  communes: CommuneRow[];
  /**
   * Names of former communes (merged into a current one, now "déléguées" or "associées"), in the
   * registry's order: people still type them. `insee` is the current commune's; `fold` as above.
   */
  formerNames: Array<{ nom: string; fold: string; insee: string }>;
}

/** Changes whenever the shape of {@link CommuneTable} does: an older file is refused, not misread. */
export const COMMUNE_TABLE_FORMAT = 1;

/** Where `npm run build` writes the table (the same path seen from `src/geo` and `dist/geo`). */
export const COMMUNE_TABLE_FILE = path.resolve(__dirname, '../../dist/geo/communes.json');

/** Reads the table; throws, saying how to make it, when it is missing or of another format. */
export function loadCommuneTable(file: string = COMMUNE_TABLE_FILE): CommuneTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`The commune table ${file} is missing: run \`npm run build\` to make it.`);
    throw err;
  }
  const table = JSON.parse(text) as Partial<CommuneTable>;
  if (table.format !== COMMUNE_TABLE_FORMAT || !Array.isArray(table.communes) || !Array.isArray(table.formerNames) || typeof table.departements !== 'object') {
    throw new Error(`The commune table ${file} is not of format ${COMMUNE_TABLE_FORMAT}: run \`npm run build\` to make it again.`);
  }
  return table as CommuneTable;
}

#!/usr/bin/env node
/**
 * `npm run starter-places -- <france-services.csv>`: builds the starter directory the product ships
 * (`src/places/starter-places.json`) at development time, from the ANCT's France Services list and
 * the hand-kept field-report places (`field-places.json`). The list is read by the import itself
 * (`parsePlaces`, France Services format): the rows the import refuses (no address) stay out, each
 * kept row is written back in the national standard's fields, with the list's source, licence and
 * date in the file. The service never reads the list: it reads the file written here.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parsePlaces } from './importPlaces';
import type { Place } from './types';

/** Where the shipped starter directory lives (read from the source tree at run time, see `loadStarterPlaces`). */
export const STARTER_SOURCE_FILE = path.resolve(__dirname, '../../src/places/starter-places.json');
const FIELD_FILE = path.resolve(__dirname, '../../src/places/field-places.json');

/** Where the list comes from: stated in the file and in the README's credits. */
export const FRANCE_SERVICES_SOURCE = {
  name: 'Liste des espaces France Services (ANCT)',
  publisher: 'Agence nationale de la cohésion des territoires (ANCT)',
  via: 'https://github.com/anct-cartographie-nationale/mednum-cli',
  licence: 'Licence Ouverte 2.0 (Etalab)',
  licenceUrl: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
};

/** Fields that are Ariane's own, not the standard's: never written to the starter file. */
const OWN_FIELDS = new Set<string>(['position_approx', 'starter', 'starter_source']);

/** A validated place back into a record of the national standard: lists joined with `|`, in the standard's field order. */
export function toStandardRecord(place: Place): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(place) as Array<[string, unknown]>) {
    if (OWN_FIELDS.has(key) || value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join('|') : (value as string | number);
  }
  return out;
}

interface FieldPlace extends Record<string, unknown> {
  id: string;
  /** The France Services place this field report is about: kept once, with the list's facts. */
  same_as?: string;
  starter_source?: string;
  verified?: string;
}

/**
 * The starter file's content: the France Services of `csv` (dated `date`) in the standard, then the
 * field-report places; a field place `same_as` a France Services gives that place its summary and
 * source instead of being added twice.
 */
export function buildStarterFile(csv: string, date: string, field: { places: FieldPlace[] }): { file: Record<string, unknown>; rows: number; skipped: number } {
  const parsed = parsePlaces(csv, { format: 'france-services', date, keepUnplaced: true });
  const skippedRows = new Set(parsed.issues.filter((i) => i.severity === 'error').map((i) => i.row));
  const records: Array<Record<string, unknown>> = parsed.places.map(toStandardRecord);
  const byId = new Map(records.map((r) => [String(r.id), r]));
  for (const f of field.places) {
    const { same_as: sameAs, verified, ...rest } = f;
    const target = sameAs ? byId.get(sameAs) : undefined;
    if (sameAs && !target) throw new Error(`field place ${f.id}: same_as ${sameAs} is not in the France Services list`);
    if (target) {
      if (rest.presentation_resume) target.presentation_resume = rest.presentation_resume;
      if (rest.starter_source) target.starter_source = rest.starter_source;
      if (verified) target.verified = verified;
      continue;
    }
    records.push({ ...rest, ...(verified ? { verified } : {}) });
  }
  const file = {
    about:
      "Annuaire de départ d'Ariane : les espaces France Services de la liste de l'ANCT du 1er décembre 2022 (sans les lignes sans adresse, que l'import écarte), convertis au standard national des lieux de médiation numérique, et les lieux des récits de terrain d'où le projet est parti (avec leur source, « starter_source », et ce qui a pu être vérifié, « verified »). Il sert tant qu'aucun annuaire national n'est synchronisé ; les lieux que l'annuaire national contient aussi sont alors remplacés. Fichier écrit par src/places/writeStarterPlaces.ts (npm run starter-places) : ne pas le modifier à la main.",
    source: { ...FRANCE_SERVICES_SOURCE, date, rows: parsed.rows, kept: parsed.places.length, skipped: skippedRows.size },
    places: records,
  };
  return { file, rows: parsed.rows, skipped: skippedRows.size };
}

/** One place per line: small diffs when the list is regenerated. */
function serialise(file: Record<string, unknown>): string {
  const { places, ...head } = file as { places: unknown[] };
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  return `${top},\n  "places": [\n${places.map((p) => `    ${JSON.stringify(p)}`).join(',\n')}\n  ]\n}\n`;
}

function main(argv: string[]): void {
  const csvFile = argv[0];
  if (!csvFile) {
    console.error('Usage : npm run starter-places -- <liste-france-services-AAAA-MM-JJ.csv> [--date AAAA-MM-JJ]');
    process.exit(1);
  }
  const dateFlag = argv.indexOf('--date');
  const date = dateFlag >= 0 ? argv[dateFlag + 1] : /(\d{4}-\d{2}-\d{2})/.exec(path.basename(csvFile))?.[1];
  if (!date) {
    console.error('Date de la liste inconnue : donnez --date AAAA-MM-JJ (ou un nom de fichier qui la contient).');
    process.exit(1);
  }
  const field = JSON.parse(readFileSync(FIELD_FILE, 'utf8')) as { places: FieldPlace[] };
  const { file, rows, skipped } = buildStarterFile(readFileSync(csvFile, 'utf8'), date, field);
  const text = serialise(file);
  writeFileSync(STARTER_SOURCE_FILE, text);
  const n = (file.places as unknown[]).length;
  console.log(`starter places: ${rows} rows read, ${skipped} skipped (no address), ${n} places (${(Buffer.byteLength(text) / 1e6).toFixed(2)} MB) → ${path.relative(process.cwd(), STARTER_SOURCE_FILE)}`);
}

if (require.main === module) main(process.argv.slice(2));

/**
 * Import of help places into the store: parse (CSV or JSON, standard or France Services format),
 * validate row by row, upsert by id (`place:<id>`), report. Re-importing a file updates the same
 * keys, so it never duplicates places.
 */
import type { KeyValueStore, WriteItem } from '../store';
import { csvObjects } from './parseCsv';
import { franceServicesToStandard } from './franceServices';
import { normalizeRecord } from './normalizeRecord';
import { bumpLocalRevision } from './placeSets';
import type { ImportReport, Place, RowIssue } from './types';

/** The key prefix of places in the store. */
export const PLACE_PREFIX = 'place:';
/** The store key of a place. */
export const placeKey = (id: string) => `${PLACE_PREFIX}${id}`;

/** Input formats: the national standard (v1, with older field names) or the France Services list. */
export type PlaceFormat = 'standard' | 'france-services';

/** Options of an import. */
export interface ImportOptions {
  format?: PlaceFormat;
  /** `csv` or `json`; guessed from the content when absent. */
  syntax?: 'csv' | 'json';
  /** `date_maj` for formats without one (France Services): the list's date. Default: today. */
  date?: string;
  /** Gives coordinates to a place that has none (e.g. the centre of its commune), else it is skipped. */
  locate?: (place: Place) => { lat: number; lon: number } | undefined;
  /** Keep a place that has no coordinates as it is (whoever loads it places it later), instead of `locate`. */
  keepUnplaced?: boolean;
  /** Writes per store call. */
  batchSize?: number;
}

/** Rows as (row number, record) pairs, from CSV (file line numbers) or JSON (array positions). */
export function readRows(text: string, syntax?: 'csv' | 'json'): Array<{ row: number; record: Record<string, unknown> }> {
  return [...rowsOf(text, syntax)];
}

/** {@link readRows} one row at a time (JSON is parsed whole first: it has no rows before that). */
function* rowsOf(text: string, syntax?: 'csv' | 'json'): Generator<{ row: number; record: Record<string, unknown> }> {
  const kind = syntax ?? (/^\s*[[{]/.test(text) ? 'json' : 'csv');
  if (kind === 'csv') {
    for (const { line, record } of csvObjects(text)) yield { row: line, record };
    return;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`Fichier JSON illisible : ${err instanceof Error ? err.message : String(err)}`);
  }
  // Accept a bare array, or an object holding the array (`{ "data": [...] }`, `{ "lieux": [...] }`).
  const list = Array.isArray(data) ? data : Object.values((data ?? {}) as Record<string, unknown>).find(Array.isArray);
  if (!Array.isArray(list)) throw new Error('Fichier JSON sans liste de lieux (attendu : un tableau d’objets).');
  for (let i = 0; i < list.length; i++) {
    const record: unknown = list[i];
    yield { row: i + 1, record: record && typeof record === 'object' ? (record as Record<string, unknown>) : {} };
  }
}

/** What validating a file gives: the rows read, the places kept (one per id), every issue. */
export interface ParsedPlaces {
  rows: number;
  places: Place[];
  issues: RowIssue[];
}

/** Validates one row at a time into the places kept and the issues. */
function placeCollector(options: ImportOptions) {
  const issues: RowIssue[] = [];
  const byId = new Map<string, Place>();
  const date = options.date ?? new Date().toISOString().slice(0, 10);
  let rows = 0;
  const add = ({ row, record }: { row: number; record: Record<string, unknown> }): void => {
    rows++;
    let input = record;
    if (options.format === 'france-services') {
      const converted = franceServicesToStandard(record as Record<string, string | undefined>, date);
      input = converted.record;
      for (const day of converted.unreadableDays) {
        issues.push({ row, field: day, reason: `horaires illisibles « ${String(record[day])} » : ce jour est ignoré`, severity: 'warning', ref: String(input.id ?? '') });
      }
    }
    const { place, issues: rowIssues } = normalizeRecord(input, row);
    issues.push(...rowIssues);
    if (!place) return;
    if ((place.latitude === undefined || place.longitude === undefined) && !options.keepUnplaced) {
      const at = options.locate?.(place);
      if (!at) {
        issues.push({ row, field: 'latitude', reason: 'pas de coordonnées et commune introuvable : le lieu ne pourrait pas être proposé', severity: 'error', ref: place.id });
        return;
      }
      place.latitude = at.lat;
      place.longitude = at.lon;
      place.position_approx = 'commune';
    }
    if (byId.has(place.id)) issues.push({ row, field: 'id', reason: 'identifiant déjà vu plus haut dans le fichier : cette ligne remplace la précédente', severity: 'warning', ref: place.id });
    byId.set(place.id, place);
  };
  return { add, result: (): ParsedPlaces => ({ rows, places: [...byId.values()], issues }) };
}

/** Validates rows into places and issues, without touching the store. */
export function parsePlaces(text: string, options: ImportOptions = {}): ParsedPlaces {
  const collector = placeCollector(options);
  for (const row of rowsOf(text, options.syntax)) collector.add(row);
  return collector.result();
}

/**
 * {@link parsePlaces}, giving the event loop back every `batch` rows: a service that syncs tens of
 * thousands of places keeps answering its residents meanwhile.
 */
export async function parsePlacesYielding(text: string, options: ImportOptions = {}, batch = 250): Promise<ParsedPlaces> {
  const collector = placeCollector(options);
  let n = 0;
  for (const row of rowsOf(text, options.syntax)) {
    collector.add(row);
    if (++n % batch === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return collector.result();
}

/** Imports a file's text into the store and reports what happened. */
export async function importPlaces(kv: KeyValueStore, text: string, options: ImportOptions = {}): Promise<ImportReport> {
  const started = performance.now();
  const { rows, places, issues } = parsePlaces(text, options);
  const batch = options.batchSize ?? 500;
  let created = 0;
  for (let i = 0; i < places.length; i += batch) {
    const slice = places.slice(i, i + batch);
    const keys = slice.map((p) => placeKey(p.id));
    const existing = await kv.get(keys);
    created += keys.filter((k) => !existing[k]).length;
    const writes: WriteItem[] = slice.map((p) => ({ key: placeKey(p.id), value: p }));
    await kv.set(writes);
  }
  if (places.length) await bumpLocalRevision(kv);
  const errorRows = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.row));
  const warnedRows = new Set(issues.filter((i) => i.severity === 'warning' && !errorRows.has(i.row)).map((i) => i.row));
  return {
    rows,
    imported: places.length,
    created,
    updated: places.length - created,
    skipped: errorRows.size,
    withWarnings: warnedRows.size,
    issues,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Every place imported by hand (`place:` items). Starter places an earlier release wrote there are
 * not: the starter directory is now read from the shipped file.
 */
export async function loadPlaces(kv: KeyValueStore): Promise<Place[]> {
  return (await kv.scan<Place>(PLACE_PREFIX)).map((item) => item.value).filter((p) => p && !p.starter);
}

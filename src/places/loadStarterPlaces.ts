/**
 * The starter directory (`starter-places.json`, written by `writeStarterPlaces.ts`): the France
 * Services of the ANCT's list and the field-report places, in the national standard, so that a
 * fresh install answers all over France at once. It is read by the import (`parsePlaces`), kept in
 * memory and never written to the store: the directory uses it under whatever the store holds, and
 * an imported or synced place that is also a starter place replaces it (`mergePlaces`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyValueStore } from '../store';
import { PLACE_PREFIX, parsePlaces } from './importPlaces';
import type { Place } from './types';

const STARTER_FILE = path.join(__dirname, 'starter-places.json');

/** Where the starter places come from, as the file states it. */
export interface StarterSource {
  name: string;
  publisher?: string;
  licence: string;
  /** The date of the list (YYYY-MM-DD). */
  date: string;
}

let cached: { text: string; source: StarterSource | undefined } | null | undefined;

/** The file's text: next to this module, or in the source tree when running from dist (tsc does not copy JSON). */
function readStarterFile(): { text: string; source: StarterSource | undefined } | null {
  if (cached !== undefined) return cached;
  for (const file of [STARTER_FILE, path.resolve(__dirname, '../../src/places/starter-places.json')]) {
    try {
      const text = readFileSync(file, 'utf8');
      const source = (JSON.parse(text) as { source?: StarterSource }).source;
      cached = { text, source };
      return cached;
    } catch {
      // next candidate
    }
  }
  cached = null;
  return cached;
}

/** The source, licence and date of the starter directory (undefined when the file is missing). */
export function starterSource(): StarterSource | undefined {
  return readStarterFile()?.source;
}

/**
 * The starter places, validated by the import, labelled `starter` (with the page a field-report
 * place comes from). A place without coordinates is put at the centre of its commune by `locate`,
 * else left out.
 */
export function starterPlaces(locate?: (place: Place) => { lat: number; lon: number } | undefined): Place[] {
  const file = readStarterFile();
  if (!file) return [];
  const records = (JSON.parse(file.text) as { places: Array<{ id?: unknown; starter_source?: unknown }> }).places;
  const sources = new Map(records.filter((r) => typeof r.starter_source === 'string').map((r) => [String(r.id), r.starter_source as string]));
  const { places } = parsePlaces(file.text, { syntax: 'json', keepUnplaced: true });
  const out: Place[] = [];
  for (const place of places) {
    place.starter = true;
    const source = sources.get(place.id);
    if (source) place.starter_source = source;
    if (place.latitude === undefined || place.longitude === undefined) {
      const at = locate?.(place);
      if (!at) continue;
      place.latitude = at.lat;
      place.longitude = at.lon;
      place.position_approx = 'commune';
    }
    out.push(place);
  }
  return out;
}

/**
 * Deletes starter places an earlier release wrote into the store (it loaded them into an empty
 * store): the shipped file is now used in memory. Returns how many were removed.
 */
export async function removeStarterPlaces(kv: KeyValueStore): Promise<number> {
  const starters = (await kv.scan<Place>(PLACE_PREFIX)).filter((item) => item.value.starter).map((item) => item.key);
  if (starters.length) await kv.delete(starters);
  return starters.length;
}

/**
 * The starter directory (`starter-places.json`): a handful of real, sourced help places so that a
 * fresh install answers at once. Loaded only into a store that has no place yet, so an imported
 * national dataset is never mixed with it (and `ariane places import` can replace it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KeyValueStore } from '../store';
import { PLACE_PREFIX, placeKey } from './importPlaces';
import { normalizeRecord } from './normalizeRecord';
import type { Place } from './types';

const STARTER_FILE = path.join(__dirname, 'starter-places.json');

interface StarterFile {
  places: Array<Record<string, unknown> & { starter_source?: string }>;
}

/** The starter places, validated like any import, labelled `starter` with their source page. */
export function starterPlaces(locate?: (place: Place) => { lat: number; lon: number } | undefined): Place[] {
  // Read from the source tree (src/places) when running from dist, which tsc does not copy JSON to.
  const file = [STARTER_FILE, path.resolve(__dirname, '../../src/places/starter-places.json')].find((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
  if (!file) return [];
  const data = JSON.parse(readFileSync(file, 'utf8')) as StarterFile;
  const out: Place[] = [];
  data.places.forEach((record, i) => {
    const { place } = normalizeRecord(record, i + 1);
    if (!place) return;
    place.starter = true;
    if (record.starter_source) place.starter_source = record.starter_source;
    if (place.latitude === undefined) {
      const at = locate?.(place);
      if (!at) return;
      place.latitude = at.lat;
      place.longitude = at.lon;
      place.position_approx = 'commune';
    }
    out.push(place);
  });
  return out;
}

/** Writes the starter places into a store that holds no place. Returns how many were written. */
export async function loadStarterPlaces(kv: KeyValueStore, locate?: (place: Place) => { lat: number; lon: number } | undefined): Promise<number> {
  const existing = await kv.scan(PLACE_PREFIX);
  if (existing.length > 0) return 0;
  const places = starterPlaces(locate);
  if (places.length) await kv.set(places.map((p) => ({ key: placeKey(p.id), value: p })));
  return places.length;
}

/**
 * Deletes the starter places (after a real import, so that the sourced-but-approximate starter
 * entries do not shadow the imported ones). Returns how many were removed.
 */
export async function removeStarterPlaces(kv: KeyValueStore): Promise<number> {
  const starters = (await kv.scan<Place>(PLACE_PREFIX)).filter((item) => item.value.starter).map((item) => item.key);
  if (starters.length) await kv.delete(starters);
  return starters.length;
}

/**
 * The directory as one list, from its three layers: the national set, places imported by hand, and
 * the starter directory. A starter place that the national set or an import also has is replaced
 * (not doubled); the same id in the national set and an import is one place, the more recently
 * updated one.
 */
import { foldName } from '../geo';
import type { Place } from './types';

/** "No SIRET known", as the standard writes it. */
const NO_PIVOT = /^0+$/;

/** The ways two records may name the same place: its SIRET, or its name in its commune. */
function keysOf(p: Place): string[] {
  const keys: string[] = [];
  if (p.pivot && !NO_PIVOT.test(p.pivot)) keys.push(`pivot:${p.pivot}`);
  const name = foldName(p.nom);
  if (name) {
    // A commune is written "MARSEILLE", "Marseille 13e" or by its code: any of the three counts.
    if (p.code_insee) keys.push(`name:${name}|insee:${p.code_insee}`);
    keys.push(`name:${name}|commune:${foldName(p.commune)}`);
    keys.push(`name:${name}|postcode:${p.code_postal}`);
  }
  return keys;
}

/**
 * Ids that name a starter place inside a national id: the national set republishes the France
 * Services list under ids such as `mediation-numerique-france-services-1631`, which is the starter's
 * `france-services-1631` (the same record, even when its name changed since).
 */
function idSuffixes(id: string): string[] {
  const out = [id];
  for (let i = id.indexOf('-'); i >= 0; i = id.indexOf('-', i + 1)) out.push(id.slice(i + 1));
  return out;
}

/** What the merge did, for logs and the admin page. */
export interface MergedPlaces {
  places: Place[];
  national: number;
  local: number;
  /** Starter places kept (no other layer has them). */
  starters: number;
  /** Starter places replaced by a national or imported place. */
  replacedStarters: number;
}

/**
 * The merged list: national places, then imported ones (one per id: the more recent `date_maj`,
 * the import on a tie), then the starter places no other layer has.
 */
export function mergePlaces(layers: { national?: readonly Place[]; local?: readonly Place[]; starters?: readonly Place[] }): MergedPlaces {
  const byId = new Map<string, Place>();
  for (const p of layers.national ?? []) byId.set(p.id, p);
  const nationalIds = new Set(byId.keys());
  let local = 0;
  for (const p of layers.local ?? []) {
    const other = byId.get(p.id);
    if (!other || (p.date_maj ?? '') >= (other.date_maj ?? '')) byId.set(p.id, p);
    if (!nationalIds.has(p.id)) local++;
  }
  const real = [...byId.values()];
  const starters = layers.starters ?? [];
  if (!starters.length) return { places: real, national: nationalIds.size, local, starters: 0, replacedStarters: 0 };

  const keys = new Set<string>();
  const ids = new Set<string>();
  for (const p of real) {
    for (const k of keysOf(p)) keys.add(k);
    for (const s of idSuffixes(p.id)) ids.add(s);
  }
  const kept = starters.filter((s) => !ids.has(s.id) && !keysOf(s).some((k) => keys.has(k)));
  return { places: [...real, ...kept], national: nationalIds.size, local, starters: kept.length, replacedStarters: starters.length - kept.length };
}

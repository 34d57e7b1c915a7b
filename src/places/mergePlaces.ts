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

/** The starter places indexed by every key that may name them, with the communes they are in (cheap to test first). */
interface StarterIndex {
  byId: Map<string, number>;
  keys: Map<string, number[]>;
  postcodes: Set<string>;
  insee: Set<string>;
}

const indexes = new WeakMap<readonly Place[], StarterIndex>();

function indexStarters(starters: readonly Place[]): StarterIndex {
  let index = indexes.get(starters);
  if (index) return index;
  index = { byId: new Map(), keys: new Map(), postcodes: new Set(), insee: new Set() };
  starters.forEach((s, i) => {
    index!.byId.set(s.id, i);
    index!.postcodes.add(s.code_postal);
    if (s.code_insee) index!.insee.add(s.code_insee);
    for (const k of keysOf(s)) index!.keys.set(k, [...(index!.keys.get(k) ?? []), i]);
  });
  indexes.set(starters, index);
  return index;
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

  // Each real place is looked up among the starters (not the other way round): names are folded
  // only for places in a commune that has a starter place, which keeps a 20,000-place merge cheap.
  const index = indexStarters(starters);
  const replaced = new Set<number>();
  for (const p of real) {
    for (const suffix of idSuffixes(p.id)) {
      const i = index.byId.get(suffix);
      if (i !== undefined) replaced.add(i);
    }
    const sameCommune = index.postcodes.has(p.code_postal) || (!!p.code_insee && index.insee.has(p.code_insee));
    const keys = sameCommune ? keysOf(p) : p.pivot && !NO_PIVOT.test(p.pivot) ? [`pivot:${p.pivot}`] : [];
    for (const k of keys) for (const i of index.keys.get(k) ?? []) replaced.add(i);
  }
  const kept = starters.filter((_, i) => !replaced.has(i));
  return { places: [...real, ...kept], national: nationalIds.size, local, starters: kept.length, replacedStarters: replaced.size };
}

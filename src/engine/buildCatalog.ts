/** Building the catalog the engine works from: done once at start (and on flow reload), not per turn. */
import type { Flow } from '../flow';
import { buildFlowIndex, flowIndexOf } from './pickFlow';
import type { Catalog, Lang, Lexicon } from './types';

/**
 * Gathers flows, lexicons and the welcome order, and precomputes the flow search index so that
 * every turn stays cheap. `featured` ids that name no flow are dropped; when none is left, every
 * flow is featured in id order (a welcome with no choices would strand people).
 *
 * With `deferIndex`, the index is left out: the first request that needs it builds it (and keeps
 * it), or `warmCatalog` does beforehand. The service's start uses it to be ready sooner.
 */
export function buildCatalog(flows: Iterable<Flow>, lexicons: Readonly<Record<Lang, Lexicon>>, featured: string[] = [], options: { deferIndex?: boolean } = {}): Catalog {
  const map = new Map<string, Flow>();
  for (const f of flows) map.set(f.id, f);
  let feat = featured.filter((id) => map.has(id));
  if (feat.length === 0) feat = [...map.keys()].sort();
  return { flows: map, lexicons, featured: feat, ...(options.deferIndex ? {} : { index: buildFlowIndex(map.values(), lexicons) }) };
}

/** Builds the search index of a catalog made with `deferIndex`, now rather than at its first request (a no-op otherwise). */
export function warmCatalog(catalog: Catalog): void {
  flowIndexOf(catalog);
}

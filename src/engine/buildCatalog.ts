/** Building the catalog the engine works from: done once at start (and on flow reload), not per turn. */
import type { Flow } from '../flow';
import { buildFlowIndex } from './pickFlow';
import type { Catalog, Lang, Lexicon } from './types';

/**
 * Gathers flows, lexicons and the welcome order, and precomputes the flow search index so that
 * every turn stays cheap. `featured` ids that name no flow are dropped; when none is left, every
 * flow is featured in id order (a welcome with no choices would strand people).
 */
export function buildCatalog(flows: Iterable<Flow>, lexicons: Readonly<Record<Lang, Lexicon>>, featured: string[] = []): Catalog {
  const map = new Map<string, Flow>();
  for (const f of flows) map.set(f.id, f);
  let feat = featured.filter((id) => map.has(id));
  if (feat.length === 0) feat = [...map.keys()].sort();
  return { flows: map, lexicons, featured: feat, index: buildFlowIndex(map.values(), lexicons) };
}

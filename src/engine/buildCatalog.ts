/** Building the catalog the engine works from: done once at start (and on flow reload), not per turn. */
import type { Flow } from '../flow';
import { buildFlowIndex, flowIndexOf, readRequest, type RequestReading } from './pickFlow';
import { classifyRequest, trainClassifier } from './trainClassifier';
import type { Catalog, ClassifiedRequest, Lang, Lexicon, RequestExample } from './types';

/**
 * Gathers flows, lexicons and the welcome order, and precomputes the flow search index so that
 * every turn stays cheap. `featured` ids that name no flow are dropped; when none is left, every
 * flow is featured in id order (a welcome with no choices would strand people).
 *
 * `examples` (requests people wrote, with their procedure or `none`) train the classifier that
 * reads a request when the keywords find nothing (`trainClassifier`).
 *
 * With `deferIndex`, the index and the classifier are left out: the first request that needs them
 * builds them (and keeps them), or `warmCatalog` does beforehand. The service's start uses it to be
 * ready sooner.
 */
export function buildCatalog(
  flows: Iterable<Flow>,
  lexicons: Readonly<Record<Lang, Lexicon>>,
  featured: string[] = [],
  options: { deferIndex?: boolean; examples?: readonly RequestExample[] } = {},
): Catalog {
  const map = new Map<string, Flow>();
  for (const f of flows) map.set(f.id, f);
  let feat = featured.filter((id) => map.has(id));
  if (feat.length === 0) feat = [...map.keys()].sort();
  const catalog: Catalog = { flows: map, lexicons, featured: feat, ...(options.examples?.length ? { examples: options.examples } : {}) };
  if (!options.deferIndex) {
    catalog.index = buildFlowIndex(map.values(), lexicons);
    if (catalog.examples) catalog.classifier = trainClassifier(catalog, catalog.examples);
  }
  return catalog;
}

/**
 * Builds the search index and the classifier of a catalog made with `deferIndex`, now rather than
 * at their first use (a no-op for what is built already). `only: 'index'` leaves the classifier,
 * the costlier of the two, for a later call.
 */
export function warmCatalog(catalog: Catalog, only?: 'index'): void {
  flowIndexOf(catalog);
  if (only !== 'index' && catalog.examples && !catalog.classifier) catalog.classifier = trainClassifier(catalog, catalog.examples);
}

/**
 * What the classifier reads in a request, given as text or as `readRequest` already read it (best
 * first); empty when the catalog has no examples. A deferred catalog trains it here, on first use.
 */
export function classifyWith(catalog: Catalog, request: string | RequestReading): ClassifiedRequest[] {
  if (!catalog.examples) return [];
  warmCatalog(catalog);
  if (!catalog.classifier) return [];
  return classifyRequest(catalog.classifier, typeof request === 'string' ? readRequest(catalog, request) : request);
}

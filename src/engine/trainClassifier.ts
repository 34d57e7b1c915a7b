/**
 * A second reader of requests, learnt from examples: sentences people wrote, each with the procedure
 * it meant or "none" (`flows/*.examples.yaml`). The keyword reader (`readRequest`) knows the words
 * admins gave each flow; this one learns which of a request's words go with which procedure, from
 * the examples and from the flows' titles and keywords, so that a request told in other words ("mon
 * fils est né, je dois prévenir qui ?") still finds its procedure. It is `@nlpjs/neural`'s intent
 * classifier (one perceptron per procedure) over the words the keyword reader sees (stems after the
 * synonyms, and the flows' words the typos were read as), so both read a sentence alike.
 *
 * The engine only asks about what it guesses (« Vous voulez dire : … ? »), never starts it, and
 * takes its "none" as a reason not to offer a procedure the keyword reader was unsure of.
 */
import { NeuralNetwork } from '@nlpjs/neural';
import { readRequest, type RequestReading } from './pickFlow';
import { allVariants } from './resolveText';
import type { Catalog, ClassifiedRequest, RequestExample } from './types';

/** The label of requests no procedure covers, in examples and in results. */
export const NONE = 'none';

/** The trained model, as plain JSON (nlp.js' own export of its network). */
export interface ClassifierModel {
  network: unknown;
}

/** The words a request is classified by: what the keyword reader read in it. */
function featuresOf(reading: RequestReading): Record<string, number> {
  const features: Record<string, number> = {};
  for (const w of [...reading.words, ...reading.matched]) features[w] = 1;
  return features;
}

/**
 * Trains on `examples` (flow ids unknown to the catalog are skipped: the loader reports them) and
 * on every flow's title and keywords in every language. Deterministic: the same catalog and
 * examples give the same model.
 */
export function trainClassifier(catalog: Catalog, examples: readonly RequestExample[]): ClassifierModel {
  const docs: Array<{ text: string; label: string }> = [];
  for (const flow of catalog.flows.values()) {
    for (const text of [...allVariants(flow.title), ...allVariants(flow.keywords)]) docs.push({ text, label: flow.id });
  }
  for (const e of examples) if (e.flow === NONE || catalog.flows.has(e.flow)) docs.push({ text: e.text, label: e.flow });
  // Learning one example after the other, grouped by procedure as files list them, the network
  // would mostly remember the last group: the examples are mixed, the same way every time.
  docs.sort((a, b) => mixKey(a.text, a.label) - mixKey(b.text, b.label));
  const corpus = docs.map((d) => ({ input: featuresOf(readRequest(catalog, d.text)), output: { [d.label]: 1 } })).filter((d) => Object.keys(d.input).length > 0);
  const network = new NeuralNetwork({ log: false });
  if (corpus.length) network.train(corpus);
  return { network: network.toJSON() };
}

/** A stable pseudo-random rank for an example (FNV-1a of its text and label). */
function mixKey(text: string, label: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${label}\u0000${text}`) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** A model's network and the features it learnt, rebuilt once per model object. */
const networks = new WeakMap<ClassifierModel, { network: NeuralNetwork; learnt: Set<string> }>();

/**
 * The procedures (or `none`) the model reads in a request (as `readRequest` read it), each with its
 * share of the model's total activation (they sum to 1), best first; empty when none of the
 * request's words was learnt.
 */
export function classifyRequest(model: ClassifierModel, reading: RequestReading): ClassifiedRequest[] {
  let built = networks.get(model);
  if (!built) {
    const network = new NeuralNetwork({ log: false });
    network.fromJSON(model.network);
    built = { network, learnt: new Set((model.network as { features?: string[] }).features ?? []) };
    networks.set(model, built);
  }
  const features = featuresOf(reading);
  // Without a single learnt word, only the network's biases would speak.
  if (!Object.keys(features).some((f) => built.learnt.has(f))) return [];
  const out = built.network.run(features) ?? {};
  const total = Object.values(out).reduce((sum, v) => sum + v, 0);
  if (!(total > 0)) return [];
  return Object.entries(out)
    .filter(([, v]) => v > 0)
    .map(([flowId, v]) => ({ flowId, score: v / total }))
    .sort((a, b) => b.score - a.score);
}

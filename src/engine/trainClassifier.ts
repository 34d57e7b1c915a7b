/**
 * A second reader of requests, learnt from examples: sentences people wrote, each with the procedure
 * it meant or "none" (`flows/*.examples.yaml`). The keyword reader (`readRequest`) knows the words
 * admins gave each flow; this one learns which of a request's words go with which procedure, from
 * the examples and from the flows' titles and keywords, so that a request told in other words ("mon
 * fils est né, je dois prévenir qui ?") still finds its procedure. It is `@nlpjs/neural`'s intent
 * classifier (one perceptron per procedure) over the words the keyword reader sees (stems after the
 * synonyms, and the flows' words the typos were read as), so both read a sentence alike. Beside it,
 * the nearest learnt sentences vote (`minisearch`'s BM25 over the same words): the network
 * generalises over words, the neighbours remember whole sentences, and they err on different
 * requests, so their average is right more often than either (test/understanding/README.md).
 *
 * The engine only asks about what it guesses (« Vous voulez dire : … ? »), never starts it, and
 * takes its "none" as a reason not to offer a procedure the keyword reader was unsure of.
 */
import { NeuralNetwork } from '@nlpjs/neural';
import MiniSearch from 'minisearch';
import { readRequest, type RequestReading } from './pickFlow';
import { allVariants } from './resolveText';
import type { Catalog, ClassifiedRequest, RequestExample } from './types';

/** The label of requests no procedure covers, in examples and in results. */
export const NONE = 'none';

/** The trained model, as plain JSON: nlp.js' own export of its network, and the learnt sentences' words (as read) with their label. */
export interface ClassifierModel {
  network: unknown;
  neighbours: Array<{ words: string[]; label: string }>;
}

/** How many of the nearest learnt sentences vote. */
const NEIGHBOURS = 3;

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
  const read = docs.map((d) => ({ reading: readRequest(catalog, d.text), label: d.label }));
  const corpus = read.map((d) => ({ input: featuresOf(d.reading), output: { [d.label]: 1 } })).filter((d) => Object.keys(d.input).length > 0);
  const network = new NeuralNetwork({ log: false });
  if (corpus.length) network.train(corpus);
  // The neighbours compare the words as read, not the flows' words they matched: "caf" matches
  // a dozen spellings of the CAF, which would make every CAF sentence near every other.
  const neighbours = read.filter((d) => d.reading.words.length > 0).map((d) => ({ words: d.reading.words, label: d.label }));
  return { network: network.toJSON(), neighbours };
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

interface BuiltModel {
  network: NeuralNetwork;
  learnt: Set<string>;
  neighbours: MiniSearch<{ id: number; words: string; label: string }>;
}

/** A model's network, the features it learnt and its sentences' index, rebuilt once per model object. */
const built = new WeakMap<ClassifierModel, BuiltModel>();

function buildModel(model: ClassifierModel): BuiltModel {
  const network = new NeuralNetwork({ log: false });
  network.fromJSON(model.network);
  // The words are stems already: no tokenising or folding of MiniSearch's own.
  const neighbours = new MiniSearch<{ id: number; words: string; label: string }>({ fields: ['words'], storeFields: ['label'], tokenize: (s) => s.split(' '), processTerm: (t) => t || null });
  neighbours.addAll(model.neighbours.map((n, id) => ({ id, words: n.words.join(' '), label: n.label })));
  return { network, learnt: new Set((model.network as { features?: string[] }).features ?? []), neighbours };
}

/** Each label's share of the positive votes (summing to 1); empty when no vote is positive. */
function sharesOf(votes: Iterable<[string, number]>): Map<string, number> {
  const positive = [...votes].filter(([, v]) => v > 0);
  const total = positive.reduce((sum, [, v]) => sum + v, 0);
  return new Map(total > 0 ? positive.map(([label, v]) => [label, v / total]) : []);
}

/**
 * The procedures (or `none`) the model reads in a request (as `readRequest` read it), each with its
 * share (they sum to 1): the mean of its share of the network's activation and of the nearest learnt
 * sentences' BM25 scores. Best first; empty when none of the request's words was learnt.
 */
export function classifyRequest(model: ClassifierModel, reading: RequestReading): ClassifiedRequest[] {
  let m = built.get(model);
  if (!m) {
    m = buildModel(model);
    built.set(model, m);
  }
  const features = featuresOf(reading);
  // Without a single learnt word, only the network's biases would speak.
  if (!Object.keys(features).some((f) => m.learnt.has(f))) return [];
  const network = sharesOf(Object.entries(m.network.run(features) ?? {}));
  const votes = new Map<string, number>();
  for (const hit of m.neighbours.search(reading.words.join(' '), { combineWith: 'OR' }).slice(0, NEIGHBOURS)) {
    votes.set(hit.label as string, (votes.get(hit.label as string) ?? 0) + hit.score);
  }
  const nearest = sharesOf(votes);
  const voices = [network, nearest].filter((v) => v.size > 0);
  const combined = new Map<string, number>();
  for (const voice of voices) for (const [label, share] of voice) combined.set(label, (combined.get(label) ?? 0) + share / voices.length);
  return [...combined].map(([flowId, score]) => ({ flowId, score })).sort((a, b) => b.score - a.score);
}

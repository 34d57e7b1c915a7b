/**
 * Choosing a procedure from a sentence ("je veux mon attestation caf"). Each word of the sentence
 * is matched (exactly, or with a typo via fuse.js) against the words of every flow's title and
 * keywords; rare words count more than words many flows share. The index is built once per catalog.
 */
import Fuse from 'fuse.js';
import { distance } from 'fastest-levenshtein';
import type { Flow } from '../flow';
import { normalize, containsPhrase } from './normalize';
import { allVariants } from './resolveText';
import type { Catalog, Lang } from './types';

/** Words that say nothing about which procedure is meant (French and English). */
const STOPWORDS = new Set(
  (
    'je j me m moi mon ma mes ton ta tes son sa ses le la les l un une des de du d au aux a et ou en sur dans pour par avec ' +
    'est c ce cet cette ces que qu qui quoi comment faire fait veux voudrais voudrai veut vouloir besoin avoir ai as il elle on nous vous ' +
    'svp stp plait s sil merci bonjour bonsoir salut aidez aider pouvez peux peut pas ne n y se si mais donc alors suis tout toute tous toutes chez ' +
    // SMS spellings and filler verbs that name no procedure.
    'jveu jveux jvoudrais jsuis chui g pk pr slt bjr cc toucher obtenir recevoir trouver marche fonctionne ' +
    'janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre ' +
    'i me my the to an of for need want would like how do get is it on in please hello hi can you what where when ' +
    // Arabic function words and request verbs (how, I want, I ask, from, in, on, for, about, what, me…).
    'كيف أريد اريد أطلب اطلب من في على الى أجل اجل عن مع ما ماذا هل لي لدي انا هذا هذه لا او يا ممكن عندي التي الذي احتاج ابغى بدي'
  )
    .split(' ')
    .map((w) => normalize(w)),
);

/** Short requests (at most this many meaningful words) are noun phrases: an unknown word there changes the subject. */
const SHORT_REQUEST = 3;
/** How hard unknown words in a short request weigh: score × (known words / words)². */
const COVERAGE_POWER = 2;

interface FlowTerms {
  id: string;
  words: Map<string, number>;
  phrases: string[];
  /** Every word of the flow's content (texts, labels, synonyms): words about this procedure, if not naming it. */
  content: Set<string>;
}

/** The precomputed search structures of a catalog (see `buildFlowIndex`). */
export interface FlowIndex {
  flows: FlowTerms[];
  byId: Map<string, FlowTerms>;
  /** For each known word, the ids of the flows using it. */
  vocabulary: Map<string, string[]>;
  fuse: Fuse<string>;
}

const ARABIC = /[\u0600-\u06FF]/;

/**
 * Arabic words lose an attached article or conjunction and fold spelling variants, so that
 * "الكاف" and "كاف", "للدفع" and "دفع" are the same word (typed Arabic varies a lot).
 */
function stem(w: string): string {
  if (!ARABIC.test(w)) return w;
  const folded = w.replace(/ة$/, 'ه').replace(/ى$/, 'ي');
  for (const p of ['وال', 'بال', 'لل', 'ال', 'و', 'ب', 'ل']) if (folded.startsWith(p) && folded.length - p.length >= 3) return folded.slice(p.length);
  return folded;
}

/** Every meaningful word of every string inside a value (node texts, labels, synonyms, in every language). */
function collectWords(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') {
    if (!/^https?:/.test(value)) for (const w of keyWords(value)) into.add(w);
  } else if (Array.isArray(value)) for (const v of value) collectWords(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectWords(v, into);
}

/** The meaningful words of a text. */
function keyWords(text: string): string[] {
  return normalize(text)
    .split(' ')
    .filter((w) => !STOPWORDS.has(w))
    .map(stem)
    .filter((w) => w.length >= 2 && !STOPWORDS.has(w));
}

/**
 * Builds the flow search index: every flow's title (every language), keywords (every language) and
 * organisation. Heavy-ish (fuse index over the vocabulary), done once per catalog.
 */
export function buildFlowIndex(flows: Iterable<Flow>): FlowIndex {
  const terms: FlowTerms[] = [];
  const vocabulary = new Map<string, string[]>();
  for (const flow of flows) {
    const words = new Map<string, number>();
    const phrases: string[] = [];
    const add = (text: string, weight: number) => {
      const norm = normalize(text);
      if (norm.includes(' ')) phrases.push(norm);
      for (const w of keyWords(text)) words.set(w, Math.max(words.get(w) ?? 0, weight));
    };
    for (const t of allVariants(flow.title)) add(t, 1);
    for (const k of allVariants(flow.keywords)) add(k, 1);
    add(flow.organisation, 1);
    add(flow.id.replace(/-/g, ' '), 0.8);
    const content = new Set<string>();
    collectWords(flow.nodes, content);
    terms.push({ id: flow.id, words, phrases, content });
    for (const w of words.keys()) vocabulary.set(w, [...(vocabulary.get(w) ?? []), flow.id]);
  }
  const fuse = new Fuse([...vocabulary.keys()], { includeScore: true, threshold: 0.3, ignoreLocation: true });
  return { flows: terms, byId: new Map(terms.map((t) => [t.id, t])), vocabulary, fuse };
}

/** A flow and how well a sentence matches it (higher is better; ≥ 1 ≈ one distinctive word matched). */
export interface FlowScore {
  flowId: string;
  score: number;
}

const lazyIndexes = new WeakMap<object, FlowIndex>();

function indexOf(catalog: Catalog): FlowIndex {
  if (catalog.index) return catalog.index;
  let index = lazyIndexes.get(catalog);
  if (!index) {
    index = buildFlowIndex(catalog.flows.values());
    lazyIndexes.set(catalog, index);
  }
  return index;
}

/**
 * Ranks the catalog's flows for `sentence`, best first, leaving out flows that match nothing.
 * `lang` is accepted for symmetry with the other calls: titles and keywords of every language are
 * indexed, because people mix languages ("rdv prefecture", "CAF certificate").
 */
export function pickFlow(catalog: Catalog, sentence: string, _lang?: Lang): FlowScore[] {
  const index = indexOf(catalog);
  const norm = normalize(sentence);
  const scores = new Map<string, number>();
  const queryWords = new Set(keyWords(sentence));
  const understoodWords = new Set<string>();
  for (const q of queryWords) {
    const best = new Map<string, number>();
    const credit = (word: string, quality: number) => {
      const owners = index.vocabulary.get(word) ?? [];
      const rarity = 1 / owners.length;
      for (const id of owners) {
        const weight = index.byId.get(id)?.words.get(word) ?? 1;
        best.set(id, Math.max(best.get(id) ?? 0, quality * rarity * weight));
      }
    };
    if (index.vocabulary.has(q)) credit(q, 1);
    else if (q.length >= 4) {
      for (const r of index.fuse.search(q, { limit: 5 })) {
        const s = r.score ?? 1;
        // fuse.js proposes, an edit distance decides: one typo per 5 letters beyond the first, so
        // "prefecure" finds "prefecture" but "tarte" does not become "carte".
        if (s <= 0.3 && distance(q, r.item) <= Math.min(2, Math.floor((q.length - 1) / 5))) credit(r.item, 1 - s);
        else if (q.length >= 5 && r.item.startsWith(q)) credit(r.item, 0.7);
      }
    }
    if (best.size) understoodWords.add(q);
    for (const [id, v] of best) scores.set(id, (scores.get(id) ?? 0) + v);
  }
  // A whole keyword phrase in the sentence ("inscription pole emploi") is strong evidence, the more
  // so when it is long and belongs to few flows. Phrases inside a longer matched one are not counted twice.
  const matched = new Map<string, string[]>();
  for (const f of index.flows) {
    const hits = f.phrases.filter((p) => containsPhrase(norm, p));
    if (hits.length) matched.set(f.id, hits.filter((p) => !hits.some((o) => o !== p && o.length > p.length && containsPhrase(o, p))));
  }
  const owners = new Map<string, number>();
  for (const hits of matched.values()) for (const p of new Set(hits)) owners.set(p, (owners.get(p) ?? 0) + 1);
  for (const [id, hits] of matched) {
    const bonus = [...new Set(hits)].reduce((sum, p) => sum + (0.5 * Math.max(1, keyWords(p).length)) / (owners.get(p) ?? 1), 0);
    scores.set(id, (scores.get(id) ?? 0) + Math.min(bonus, 3));
  }
  // Words unknown to a flow are evidence of another subject: "permis bateau" is not "permis de
  // conduire", "passeport pour mon chien" is not an identity document. A word of the flow's own
  // content is not unknown ("cmu pour toute ma famille": the C2S flow talks about the family).
  // Longer sentences carry filler ("ma mère veut toucher sa retraite"), so only short ones are weighed.
  const coverage = (flowId: string): number => {
    if (queryWords.size > SHORT_REQUEST) return 1;
    const content = index.byId.get(flowId)?.content;
    const known = [...queryWords].filter((q) => understoodWords.has(q) || content?.has(q)).length;
    return Math.pow(known / queryWords.size, COVERAGE_POWER);
  };
  return [...scores.entries()]
    .filter(([, s]) => s > 0)
    .map(([flowId, score]) => ({ flowId, score: Math.round(score * coverage(flowId) * 1000) / 1000 }))
    .sort((a, b) => b.score - a.score || a.flowId.localeCompare(b.flowId));
}

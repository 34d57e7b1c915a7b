/**
 * Reading a request: which procedure a person means from what they typed ("jveu mon atestation
 * kaf", "bghit njded la carte de séjour", a three-sentence story). Every flow is described by the
 * phrases of its title and keywords, in every language; the request is cut into words, each word
 * rewritten by the lexicons' synonyms (Darija, SMS French: "njded" → "renouveler"), then matched to
 * the flows' words by stem (talisman's Snowball French stemmer: "renouvelé" = "renouvellement"), by
 * a typo (edit distance), by sound (talisman's French phonetic key: "kosien" = "quotient") or by
 * prefix ("inscri"). Then:
 * - a word counts by how much it says: a word many flows share ("attestation") says little, a word
 *   of one flow ("quotient") much; words that name no procedure ("compte", "papier") little anywhere;
 *   a word that is only part of a flow's name ("apl" in "attestation apl") less than a keyword;
 * - a whole keyword phrase found in the request is strong evidence;
 * - a flow is *anchored* when the request holds one of its keywords on its own or a whole keyword
 *   phrase: only an anchored flow may be started without asking;
 * - words no flow knows speak of another subject ("gmail" in "mot de passe gmail oublié"), the
 *   more so the less they are fillers: they weigh against every flow's evidence;
 * - a request that only names an organisation ("caf", "pole emploi") is read as such: the engine
 *   asks which of that organisation's procedures.
 * The index is built once per catalog.
 */
import { distance } from 'fastest-levenshtein';
import stopwordsIso from 'stopwords-iso/stopwords-iso.json';
import phonetic from 'talisman/phonetics/french/phonetic';
import porter from 'talisman/stemmers/french/porter';
import type { Flow } from '../flow';
import { containsPhrase, normalize } from './normalize';
import { allVariants } from './resolveText';
import type { Catalog, KnownWord, Lang, Lexicon, PlaceName } from './types';

/**
 * Words of the common stock of French, English and Arabic that never name a procedure: the
 * `stopwords-iso` lists (a well-kept, published list), less the few that matter in a request here
 * ("première déclaration", "sans emploi", "non imposable").
 */
const KEPT = new Set(['premiere', 'premier', 'sans', 'non', 'particulier', 'unique', 'nouveau', 'nouvelle']);

/** Words that say nothing about which procedure is meant (the lists above, SMS French, Darija, Arabic request words). */
const STOPWORDS = new Set(
  [
    ...(['fr', 'en', 'ar'] as const).flatMap((l) => (stopwordsIso as Record<string, string[]>)[l] ?? []),
    ...(
      'je j me m moi mon ma mes ton ta tes son sa ses le la les l un une des de du d au aux a et ou en sur dans pour par avec ' +
      'est c ce cet cette ces que qu qui quoi comment faire fait fais veux voudrais voudrai veut vouloir besoin avoir ai as il elle on nous vous ' +
      'svp stp plait s sil merci bonjour bonsoir salut aidez aider pouvez peux peut pas ne n y se si mais donc alors suis tout toute tous toutes chez ' +
      'jveu jveux jvoudrais jsuis chui g pk pr slt bjr cc koi kan ke fo fer dois doit faut falloir quel quelle quels quelles sais savoir ' +
      'janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre an ans annee annees ' +
      'i me my the to an of for need want would like how do get is it on in please hello hi can you what where when ' +
      'bghit bghyt bgha kifach kifash kifax wach wash wesh dyal dyali diali khasni khassni ndir dir n9ol ngoul f fi fin 3and 3ndi 3andi ana rah ila mn men had daba ' +
      'كيف أريد اريد أطلب اطلب من في على الى أجل اجل عن مع ما ماذا هل لي لدي انا هذا هذه لا او يا ممكن عندي التي الذي احتاج ابغى بدي ' +
      'بغيت بغيتي بغينا ديال ديالي ديالك ديالو ديالها كيفاش واش فين علاش عافاك شنو شحال خاصني خصني نقدر بزاف دابا هاد هادي راه'
    ).split(' '),
  ]
    .map((w) => normalize(w))
    .filter((w) => w && !KEPT.has(w)),
);

/**
 * Words that name no procedure by themselves: objects and verbs of every online procedure (an
 * account, a password, an appointment, a paper, a month). They weigh little in a flow's evidence,
 * never anchor a flow, and as words no flow knows they are not "another subject" either.
 */
const WEAK_WORDS =
  'compte mot passe code identifiant connexion connecter rendez vous rdv papier papiers document documents dossier site internet application appli ' +
  'mois demande demander dois probleme marche aide aider numero carte nouveau nouvelle nouvel ligne telephone telecharger imprimer ' +
  'creer ouvrir obtenir recevoir changer modifier envoyer trouver perdre perdu oublier oublie remplir payer paye faire refaire avoir prendre ' +
  'account password appointment paper form online website app help problem month create open download print get change send find lost forgot';

const ARABIC = /[\u0600-\u06FF]/;
/** A département's number or a postcode, as typed after an organisation's name ("cpam du 93", "caf 2a"). */
const PLACE_CODE = /^(\d{2,3}|\d{5}|2a|2b)$/;
const LATIN = /^[a-z]+$/;

/**
 * Arabic words lose an attached article (with its conjunction or preposition) and fold spelling
 * variants, so that "الكاف" and "كاف", "للدفع" and "دفع" are the same word (typed Arabic varies a
 * lot). A lone first letter و, ب or ل is kept: it is as often the word's own ("ورقة", "بغيت").
 */
function stemArabic(w: string): string {
  const folded = w.replace(/ة$/, 'ه').replace(/ى$/, 'ي');
  for (const p of ['وال', 'بال', 'لل', 'ال']) if (folded.startsWith(p) && folded.length - p.length >= 3) return folded.slice(p.length);
  return folded;
}

/** The stem under which a word is indexed and looked up: memoised (flows and people repeat few words), bounded. */
const stemMemo = new Map<string, string>();
function stemOf(w: string): string {
  let stem = stemMemo.get(w);
  if (stem === undefined) {
    stem = ARABIC.test(w) ? stemArabic(w) : LATIN.test(w) && w.length > 3 ? porter(w) : w;
    if (stemMemo.size >= 50_000) stemMemo.clear();
    stemMemo.set(w, stem);
  }
  return stem;
}

/**
 * The weak words above, by stem: a known word is weak when its stem is ("imprimer" and the
 * "imprimante" that shares its stem both say little about an attestation).
 */
const WEAK = new Set(WEAK_WORDS.split(' ').map((w) => stemOf(normalize(w))));

/**
 * The French phonetic key of a word (talisman's is a chain of regular expressions, the costliest
 * step of reading a request): memoised, as people and flows use few words, and bounded.
 */
const soundMemo = new Map<string, string>();
function soundOf(raw: string): string {
  let key = soundMemo.get(raw);
  if (key === undefined) {
    key = phonetic(raw);
    if (soundMemo.size >= 50_000) soundMemo.clear();
    soundMemo.set(raw, key);
  }
  return key;
}

/** Sounds of the stopwords (three letters or more): "comen" is "comment", "fai" is "fais". */
const STOPWORD_SOUNDS = new Set([...STOPWORDS].filter((w) => LATIN.test(w) && w.length >= 3).map((w) => soundOf(w)));

/** A word typed like a stopword with a letter off or by its sound ("comen", "koman", "kelle"). */
function soundsLikeStopword(raw: string): boolean {
  return LATIN.test(raw) && raw.length >= 3 && STOPWORD_SOUNDS.has(soundOf(raw));
}

/** One meaningful word of a text: as typed (normalised) and its stem. */
interface Term {
  raw: string;
  stem: string;
}

/** The meaningful words of a normalised text, in order. */
function termsOfNormalized(norm: string): Term[] {
  const out: Term[] = [];
  for (const raw of norm.split(' ')) {
    if (raw.length < 2 || STOPWORDS.has(raw)) continue;
    const stem = stemOf(raw);
    if (stem.length >= 2 && !STOPWORDS.has(stem)) out.push({ raw, stem });
  }
  return out;
}

/** The meaningful words of a text as the matcher reads them (stems), to index other documents the same way. */
export function wordsOf(text: string): string[] {
  return termsOf(text).map((t) => t.stem);
}

function termsOf(text: string): Term[] {
  return termsOfNormalized(normalize(text));
}

/** What a word is worth in a flow's name: a keyword on its own is 1, part of a longer name less. */
const PART_OF_NAME = 0.6;
/** What a word of a flow's content (not of its name) is worth, shared by the flows that say it. */
const CONTENT_WEIGHT = 0.25;
/** A content word more flows than this say is common to procedures: no evidence. */
const CONTENT_OWNERS_MAX = 3;
/** A match at least this sure (same stem, a small typo, the same sound) can anchor a flow. */
const ANCHOR_QUALITY = 0.75;
/** What an organisation's name typed in a request adds to each of its flows. */
const ORGANISATION_WEIGHT = 0.3;
/**
 * How much the words of another subject count against a flow's evidence: score = evidence ×
 * evidence / (evidence + OTHER × other subject). A strong, specific match survives a few unknown
 * words (a story's details); a weak one next to a clear other subject does not.
 */
export const OTHER_SUBJECT_WEIGHT = 0.5;
/**
 * In a story of several sentences, what the other subject of a sentence that names nothing known
 * still counts: such a sentence is the person's context ("J'ai quitté mon studio de Roubaix."), the
 * request being in another ("La CAF a encore l'ancienne adresse.").
 */
const CONTEXT_SENTENCE_WEIGHT = 0.3;

/**
 * Longest request read, in characters: a story of four or five sentences (the request is often in
 * the last one), each sentence then cut at `MAX_MATCHED_LENGTH`; a pasted page costs no more.
 */
const MAX_REQUEST_LENGTH = 600;

/** The sentences of a message, cut at ., !, ? before a space or the end, and at line breaks ("r.s.a" and "3.5" are not cut). */
function sentencesOf(text: string): string[] {
  return text.split(/[.!?…]+(?=\s|$)|\n+/).filter((s) => normalize(s));
}

interface FlowTerms {
  id: string;
  /** Stems of the flow's title and keywords, with their weight (1 for a keyword on its own). */
  vocab: Map<string, number>;
  /** Keyword and title phrases of two words or more, as stems. */
  phrases: string[][];
  /** Stems of every word of the flow's content (texts, labels, synonyms): words about this procedure, if not naming it. */
  content: Set<string>;
}

/** An organisation the lexicons know: its aliases (as words) and its flows, catalog order. */
interface Organisation {
  name: string;
  aliases: Term[][];
  flows: string[];
}

/** The precomputed search structures of a catalog (see `buildFlowIndex`). */
export interface FlowIndex {
  flows: FlowTerms[];
  byId: Map<string, FlowTerms>;
  /** For each known stem, the ids of the flows using it in their title or keywords. */
  vocabulary: Map<string, string[]>;
  /** Known words as typed in the flows, by length (for typos), with their stem. */
  byLength: Map<number, Array<{ raw: string; stem: string }>>;
  /** Known stems by French phonetic key of the word. */
  sounds: Map<string, Set<string>>;
  /** How many flows share each phrase (joined stems). */
  phraseOwners: Map<string, number>;
  /** For each stem of some flow's content, how many flows' contents have it. */
  content: Map<string, number>;
  organisations: Organisation[];
  /** Stems of the organisations' names: they say which organisation, never which procedure, so they anchor no flow. */
  organisationStems: Set<string>;
  /** Typed forms (normalised, one or more words) → what they stand for (normalised), from the lexicons' synonyms. */
  synonyms: Array<{ from: string; to: string }>;
}

/** Every string inside a value (node texts, labels, synonyms, in every language), URLs left out. */
function collectStrings(value: unknown, into: string[]): void {
  if (typeof value === 'string') {
    if (!/^https?:/.test(value)) into.push(value);
  } else if (Array.isArray(value)) for (const v of value) collectStrings(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, into);
}

/**
 * Builds the request index: every flow's title and keywords in every language, its organisation
 * and id, its content words, and the organisations and synonyms of the lexicons. Done once per
 * catalog (and on every flow reload).
 */
export function buildFlowIndex(flows: Iterable<Flow>, lexicons: Readonly<Record<Lang, Lexicon>> = {}): FlowIndex {
  const list = [...flows];
  const terms: FlowTerms[] = [];
  const vocabulary = new Map<string, string[]>();
  const byLength = new Map<number, Array<{ raw: string; stem: string }>>();
  const sounds = new Map<string, Set<string>>();
  const seenRaw = new Set<string>();
  const allContent = new Map<string, number>();
  const learn = (t: Term) => {
    if (seenRaw.has(t.raw)) return;
    seenRaw.add(t.raw);
    const bucket = byLength.get(t.raw.length) ?? [];
    bucket.push(t);
    byLength.set(t.raw.length, bucket);
    if (LATIN.test(t.raw) && t.raw.length >= 3) {
      const key = soundOf(t.raw);
      if (key) sounds.set(key, (sounds.get(key) ?? new Set()).add(t.stem));
    }
  };
  for (const flow of list) {
    const vocab = new Map<string, number>();
    const phrases: string[][] = [];
    // A word that is a keyword on its own names the flow; a word of a longer keyword or of the
    // title is part of a name ("apl" in "attestation apl" is not the CAF attestation by itself).
    const add = (text: string, alone: number) => {
      const ts = termsOf(text);
      if (ts.length >= 2) phrases.push(ts.map((t) => t.stem));
      for (const t of ts) {
        vocab.set(t.stem, Math.max(vocab.get(t.stem) ?? 0, ts.length === 1 ? alone : PART_OF_NAME));
        learn(t);
      }
    };
    for (const t of allVariants(flow.title)) add(t, PART_OF_NAME);
    for (const k of allVariants(flow.keywords)) add(k, 1);
    add(flow.id.replace(/-/g, ' '), PART_OF_NAME);
    const texts: string[] = [];
    collectStrings(flow.nodes, texts);
    if (flow.summary) texts.push(...allVariants(flow.summary));
    const content = new Set<string>();
    for (const text of texts) for (const t of termsOf(text)) content.add(t.stem);
    for (const c of content) allContent.set(c, (allContent.get(c) ?? 0) + 1);
    terms.push({ id: flow.id, vocab, phrases, content });
    for (const w of vocab.keys()) vocabulary.set(w, [...(vocabulary.get(w) ?? []), flow.id]);
  }
  const phraseOwners = new Map<string, number>();
  for (const f of terms) for (const p of new Set(f.phrases.map((p) => p.join(' ')))) phraseOwners.set(p, (phraseOwners.get(p) ?? 0) + 1);
  // Organisations: a flow belongs to one when its `organisation` names one of its aliases.
  const aliasesByName = new Map<string, Set<string>>();
  const synonyms: Array<{ from: string; to: string }> = [];
  for (const lex of Object.values(lexicons)) {
    for (const [name, aliases] of Object.entries(lex.organisations ?? {})) {
      const set = aliasesByName.get(name) ?? new Set<string>();
      for (const a of [name, ...aliases]) if (normalize(a)) set.add(normalize(a));
      aliasesByName.set(name, set);
    }
    for (const [to, forms] of Object.entries(lex.synonyms ?? {})) {
      for (const from of forms) if (normalize(from) && normalize(to)) synonyms.push({ from: normalize(from), to: normalize(to) });
    }
  }
  const organisations: Organisation[] = [];
  for (const [name, aliases] of aliasesByName) {
    const owned = list.filter((f) => [...aliases].some((a) => containsPhrase(normalize(f.organisation), a))).map((f) => f.id);
    // A name of several words is also typed glued together ("francetravail", "poleemploi").
    const glued = [...aliases].filter((a) => a.includes(' ')).map((a) => a.replace(/ /g, ''));
    const words = [...aliases, ...glued].map((a) => termsOfNormalized(a)).filter((ts) => ts.length > 0);
    if (owned.length && words.length) organisations.push({ name, aliases: words, flows: owned });
  }
  // Longest forms first, so that "bdelt dar" is rewritten before "dar".
  synonyms.sort((a, b) => b.from.length - a.from.length);
  // An organisation with one procedure here is that procedure ("franceconnect"); only shared names anchor nothing.
  const organisationStems = new Set(organisations.filter((o) => o.flows.length > 1).flatMap((o) => o.aliases.flatMap((a) => a.map((t) => t.stem))));
  return { flows: terms, byId: new Map(terms.map((t) => [t.id, t])), vocabulary, byLength, sounds, phraseOwners, content: allContent, organisations, organisationStems, synonyms };
}

/** A flow and how well a request matches it (higher is better; ≥ 1 ≈ one distinctive keyword). */
export interface FlowScore {
  flowId: string;
  score: number;
  /** The request holds a keyword of this flow on its own or a whole keyword phrase. */
  anchored: boolean;
  /** The request's words this flow knows (typed stems): what it explains of the request. */
  explains: string[];
}

/** What a request says, as the engine reads it (see the file comment). */
export interface RequestReading {
  /** Flows matched, best first. */
  ranked: FlowScore[];
  /** The request's meaningful words (stems), as read. */
  words: string[];
  /** Those that say something (not weak words like "compte", "perdu", "papier"). */
  strong: string[];
  /** How strongly the request speaks of a subject no flow knows (0: not at all). */
  other: number;
  /** The best flow's evidence before the other subject weighs against it (for the decision to start or ask). */
  evidence: number;
  /** When the request only names an organisation ("caf"): that organisation's flows, catalog order. */
  organisation?: string[];
  /** When the request names one organisation among other words ("le dire à la CAF"): its flows, catalog order. */
  named?: string[];
  /** The words as typed (normalised) that some flow knows: procedure words, never the person's own details. */
  known: string[];
  /** The flows' words (stems) the typed words were read as: "atestasion" is "attest". */
  matched: string[];
}

const lazyIndexes = new WeakMap<object, FlowIndex>();

/** The catalog's flow index: its own, else one built on first use and kept beside it. */
export function flowIndexOf(catalog: Catalog): FlowIndex {
  if (catalog.index) return catalog.index;
  let index = lazyIndexes.get(catalog);
  if (!index) {
    index = buildFlowIndex(catalog.flows.values(), catalog.lexicons);
    lazyIndexes.set(catalog, index);
  }
  return index;
}

/** Typos allowed in a word of this length: none under 4 letters, one up to 7, two beyond. */
function allowedEdits(length: number): number {
  return length < 4 ? 0 : length < 8 ? 1 : 2;
}

/** Possessive endings of Arabic nouns: "my", "your", "his", "her", "our", "their" (إقامتي, حسابك). */
const ARABIC_POSSESSIVES = ['كم', 'هم', 'ها', 'نا', 'ي', 'ك', 'ه'];

/**
 * The noun an Arabic word may be with a possessive ending taken off: "إقامتي" (my residence) is
 * "إقامة", whose ة is written ت before the ending; "حسابي" (my account) is "حساب".
 */
function arabicBases(stem: string): string[] {
  const out: string[] = [];
  for (const suffix of ARABIC_POSSESSIVES) {
    if (!stem.endsWith(suffix) || stem.length - suffix.length < 3) continue;
    const base = stem.slice(0, -suffix.length);
    out.push(base);
    if (base.endsWith('ت')) out.push(`${base.slice(0, -1)}ه`);
  }
  return out;
}

/**
 * The known stems a typed word may stand for, with how sure: 1 for the same stem, less for a typo,
 * the same sound, or the start of a longer word.
 */
function lookUp(index: FlowIndex, t: Term, knownWord?: KnownWord): Map<string, number> {
  const found = new Map<string, number>();
  const keep = (stem: string, q: number) => found.set(stem, Math.max(found.get(stem) ?? 0, q));
  if (index.vocabulary.has(t.stem)) {
    keep(t.stem, 1);
    return found;
  }
  if (ARABIC.test(t.stem)) {
    const base = arabicBases(t.stem).find((b) => index.vocabulary.has(b));
    if (base) {
      keep(base, 0.95);
      return found;
    }
  }
  // A word of real text is meant as written: "devenu" is not a typo of "revenu", "lent" not of "lettre".
  if (knownWord?.(t.raw)) return found;
  const n = t.raw.length;
  const edits = allowedEdits(n);
  if (edits > 0) {
    for (let len = n - edits; len <= n + edits; len++) {
      for (const known of index.byLength.get(len) ?? []) {
        const d = distance(t.raw, known.raw);
        if (d <= Math.min(edits, allowedEdits(len))) keep(known.stem, 0.9 - 0.1 * d);
      }
    }
  }
  if (LATIN.test(t.raw) && n >= 4) {
    const key = soundOf(t.raw);
    for (const stem of index.sounds.get(key) ?? []) keep(stem, 0.8);
    // "retret" sounds like the start of "retraite": a weaker match, for keys long enough to say something.
    if (found.size === 0 && key.length >= 4) for (const [k, stems] of index.sounds) if (k.length > key.length && k.startsWith(key)) for (const s of stems) keep(s, 0.65);
  }
  if (n >= 5 && found.size === 0) {
    for (const [len, bucket] of index.byLength) {
      if (len <= n) continue;
      for (const known of bucket) if (known.raw.startsWith(t.raw)) keep(known.stem, 0.7);
    }
  }
  return found;
}

/**
 * What a stem says for one flow: its weight in the flow's name, squared, over the weights of every
 * flow naming it. A word of one flow's keywords says all; a word many flows share, or that is
 * only part of this flow's name ("rsa" in "attestation rsa"), little; a weak word little anywhere.
 */
function evidenceOf(index: FlowIndex, stem: string, flowId: string): number {
  const owners = index.vocabulary.get(stem) ?? [];
  const total = owners.reduce((sum, id) => sum + (index.byId.get(id)?.vocab.get(stem) ?? 0), 0);
  const own = index.byId.get(flowId)?.vocab.get(stem) ?? 0;
  const share = total > 0 ? (own * own) / total : 0;
  return WEAK.has(stem) ? 0.3 * share : share;
}

/**
 * How strongly a typed word that no flow's title or keywords know speaks of another subject: a
 * word of some flow's content is a detail of a procedure; a weak word, a number or a very short
 * word says little; any other word ("gmail", "imprimante", "banque") is the subject of its own.
 */
function otherSubject(index: FlowIndex, t: Term): number {
  if (WEAK.has(t.stem) || /^\d+$/.test(t.raw)) return 0.1;
  if (t.raw.length <= 3) return 0.3;
  return index.content.has(t.stem) ? 0.3 : 1;
}

/** The request with the lexicons' synonyms rewritten ("njded" → "renouveler"). */
function rewrite(index: FlowIndex, sentence: string): string {
  let norm = normalize(sentence);
  for (const { from, to } of index.synonyms) if (containsPhrase(norm, from)) norm = ` ${norm} `.split(` ${from} `).join(` ${to} `).trim();
  return norm;
}

/** A typed word is an alias's word: same stem, a typo, or the same sound. */
function sameWord(t: Term, a: Term): boolean {
  if (t.stem === a.stem || t.raw === a.raw) return true;
  const edits = Math.min(allowedEdits(t.raw.length), allowedEdits(a.raw.length));
  if (edits > 0 && Math.abs(t.raw.length - a.raw.length) <= edits && distance(t.raw, a.raw) <= edits) return true;
  return LATIN.test(t.raw) && LATIN.test(a.raw) && t.raw.length >= 3 && a.raw.length >= 3 && soundOf(t.raw) === soundOf(a.raw);
}

/** The organisations a request names, and the typed words that named them. */
function organisationsNamed(index: FlowIndex, words: Term[]): { named: Organisation[]; used: Set<Term> } {
  const named: Organisation[] = [];
  const used = new Set<Term>();
  for (const o of index.organisations) {
    for (const alias of o.aliases) {
      // A name of several words is those words, in that order, side by side ("pole emploi", not
      // "emploi" here and "pole" there; not "travaillé en France" for France Travail).
      const start = words.findIndex((t, i) => alias.every((a, j) => words[i + j] !== undefined && sameWord(words[i + j]!, a)));
      if (start >= 0) {
        named.push(o);
        for (let j = 0; j < alias.length; j++) used.add(words[start + j]!);
        break;
      }
    }
  }
  return { named, used };
}

/** Reads `sentence` against the catalog's flows (see the file comment). */
export function readRequest(catalog: Catalog, sentence: string, _lang?: Lang, knownWord?: KnownWord, isPlace?: PlaceName): RequestReading {
  const index = flowIndexOf(catalog);
  const parts = sentencesOf(sentence.slice(0, MAX_REQUEST_LENGTH));
  const query: Term[] = [];
  const partOf = new Map<Term, number>();
  parts.forEach((part, i) => {
    for (const t of termsOfNormalized(rewrite(index, part))) {
      query.push(t);
      partOf.set(t, i);
    }
  });
  const seen = new Set<string>();
  const words = query.filter((t) => !seen.has(t.stem) && seen.add(t.stem));
  // Names are looked for in the words as typed, in order ("se connecter avec france connect").
  const { named: organisations, used: organisationTerms } = organisationsNamed(index, query);
  const organisationWords = new Set(words.filter((t) => [...organisationTerms].some((u) => u.stem === t.stem)));
  const scores = new Map<string, number>();
  const anchored = new Set<string>();
  const explains = new Map<string, Set<string>>();
  const explain = (id: string, stem: string) => explains.set(id, (explains.get(id) ?? new Set()).add(stem));
  /** Each typed word's known stems (those flows match), for the phrase check below. */
  const matchedStems = new Map<string, number>();
  const otherByPart = parts.map(() => 0);
  const namedInPart = parts.map(() => false);
  const known: string[] = [];
  for (const t of words) {
    const found = lookUp(index, t, knownWord);
    if (!found.size && soundsLikeStopword(t.raw)) continue;
    if (found.size) known.push(t.raw);
    // A word matched only weakly (a typo of a weak word) still partly speaks of something else.
    let strength = 0;
    const best = new Map<string, number>();
    for (const [stem, quality] of found) {
      matchedStems.set(stem, Math.max(matchedStems.get(stem) ?? 0, quality));
      strength = Math.max(strength, quality * (WEAK.has(stem) ? 0.3 : 1));
      for (const id of index.vocabulary.get(stem) ?? []) {
        const inName = index.byId.get(id)?.vocab.get(stem) ?? 1;
        // "france" or "travail" on their own are a country and work, not France Travail.
        const loose = index.organisationStems.has(stem) && !organisationWords.has(t) ? 0.3 : 1;
        best.set(id, Math.max(best.get(id) ?? 0, quality * loose * evidenceOf(index, stem, id)));
        if (inName === 1 && quality >= ANCHOR_QUALITY && !WEAK.has(stem) && !index.organisationStems.has(stem)) anchored.add(id);
      }
    }
    const part = partOf.get(t) ?? 0;
    otherByPart[part]! += otherSubject(index, t) * (1 - strength);
    if (strength >= ANCHOR_QUALITY || organisationWords.has(t)) namedInPart[part] = true;
    for (const [id, v] of best) {
      scores.set(id, (scores.get(id) ?? 0) + v);
      explain(id, t.stem);
    }
    if (!found.size && !WEAK.has(t.stem)) {
      // A word of a flow's content ("naissance", "séparation" in the CAF's change of situation)
      // is about that procedure without naming it: a little evidence, the less the more flows say it.
      const owners = index.content.get(t.stem) ?? 0;
      if (owners > 0 && owners <= CONTENT_OWNERS_MAX) {
        namedInPart[part] = true;
        for (const f of index.flows) {
          if (!f.content.has(t.stem)) continue;
          scores.set(f.id, (scores.get(f.id) ?? 0) + CONTENT_WEIGHT / owners);
          explain(f.id, t.stem);
        }
      }
    }
  }
  // A whole keyword phrase in the request ("inscription pole emploi") is strong evidence and
  // anchors its flow, the more so when it is long and belongs to few flows. Phrases inside a longer
  // matched one count once; a phrase of weak words only ("mot de passe") anchors nothing.
  // An organisation's names stand for each other: "compte secu" is the "compte ameli" phrase.
  const storyTold = parts.length > 1 && namedInPart.some(Boolean);
  const other = otherByPart.reduce((sum, o, i) => sum + (storyTold && !namedInPart[i] ? CONTEXT_SENTENCE_WEIGHT * o : o), 0);
  for (const o of organisations) for (const alias of o.aliases) for (const t of alias) if (!matchedStems.has(t.stem)) matchedStems.set(t.stem, ANCHOR_QUALITY);
  for (const f of index.flows) {
    const hits = f.phrases.filter((p) => p.every((s) => matchedStems.has(s)));
    if (!hits.length) continue;
    const kept = hits.filter((p) => !hits.some((o) => o !== p && o.length > p.length && p.every((s) => o.includes(s))));
    const unique = [...new Map(kept.map((p) => [p.join(' '), p])).values()];
    let bonus = 0;
    for (const p of unique) {
      const quality = Math.min(...p.map((s) => matchedStems.get(s) ?? 0));
      const weak = p.every((s) => WEAK.has(s));
      // An organisation's name ("pole emploi") is one name, already counted as such.
      if (p.every((s) => index.organisationStems.has(s))) continue;
      bonus += ((weak ? 0.15 : 0.5) * p.length * quality) / (index.phraseOwners.get(p.join(' ')) ?? 1);
      // "compte ameli" anchors the ameli account; "pole emploi" or "mot de passe" alone anchor nothing.
      if (quality >= ANCHOR_QUALITY && !weak && !p.every((s) => index.organisationStems.has(s))) anchored.add(f.id);
    }
    scores.set(f.id, (scores.get(f.id) ?? 0) + Math.min(bonus, 3));
  }
  for (const o of organisations) for (const id of o.flows) scores.set(id, (scores.get(id) ?? 0) + ORGANISATION_WEIGHT / o.flows.length);
  const ranked: FlowScore[] = [];
  let bestEvidence = 0;
  for (const [flowId, evidence] of scores) {
    bestEvidence = Math.max(bestEvidence, evidence);
    if (evidence <= 0) continue;
    const score = (evidence * evidence) / (evidence + OTHER_SUBJECT_WEIGHT * other);
    ranked.push({ flowId, score: Math.round(score * 1000) / 1000, anchored: anchored.has(flowId), explains: [...(explains.get(flowId) ?? [])] });
  }
  // Ties keep the catalog's order (the welcome's most asked procedures first), never the alphabet.
  const order = new Map([...catalog.flows.keys()].map((id, i) => [id, i]));
  ranked.sort((a, b) => b.score - a.score || (order.get(a.flowId) ?? 0) - (order.get(b.flowId) ?? 0));
  const reading: RequestReading = {
    ranked: ranked.filter((r) => r.score > 0),
    words: words.map((t) => t.stem),
    strong: words.filter((t) => !WEAK.has(t.stem)).map((t) => t.stem),
    other: Math.round(other * 1000) / 1000, evidence: Math.round(bestEvidence * 1000) / 1000, known, matched: [...matchedStems.keys()] };
  // Only an organisation named, nothing else meaningful but where ("la caf de Roubaix", "cpam du
  // 93"): "which of its procedures?".
  const others = query.filter((t) => !organisationTerms.has(t) && !organisationWords.has(t) && !WEAK.has(t.stem) && !PLACE_CODE.test(t.raw));
  const onlyWhere = others.every((t) => soundsLikeStopword(t.raw)) || (isPlace !== undefined && isPlace(others.map((t) => t.raw).join(' ')));
  if (organisations.length === 1) {
    const flows = [...organisations[0]!.flows].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    if (!anchored.size && onlyWhere) reading.organisation = flows;
    else reading.named = flows;
  }
  return reading;
}

/**
 * Ranks the catalog's flows for `sentence`, best first, leaving out flows that match nothing (see
 * `readRequest`). `lang` is accepted for symmetry: titles and keywords of every language are
 * indexed, because people mix languages ("rdv prefecture", "CAF certificate").
 */
export function pickFlow(catalog: Catalog, sentence: string, lang?: Lang): FlowScore[] {
  return readRequest(catalog, sentence, lang).ranked;
}

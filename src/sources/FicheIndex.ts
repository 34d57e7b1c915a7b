import MiniSearch from 'minisearch';
import { foldAccents } from '../engine';
import type { stemmer as FrenchStemmer } from '@orama/stemmers/french' with { 'resolution-mode': 'import' };
import type { Fiche } from './Fiche';

// An ES module package that also ships CommonJS files (its `require` export): loaded with require.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { stemmer } = require('@orama/stemmers/french') as { stemmer: typeof FrenchStemmer };

/** One search result: a fiche and its relevance (BM25, higher is better; only comparable within one search). */
export interface FicheHit {
  fiche: Fiche;
  score: number;
}

/** Search options. */
export interface SearchOptions {
  /** At most this many results (default 3). */
  limit?: number;
  /** The language the sentence is written in (`fr`, `fr-facile`, `en`, `ar`…): picks the stop words. */
  lang?: string;
}

// Words that say nothing about the procedure. French first; English for residents who write in it
// (the fiches' titles are French, so only words shared with French can match anyway).
const STOP_WORDS: Record<string, ReadonlySet<string>> = {
  fr: new Set(
    'a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y est suis sont etre ai as avons avez ont avoir fait faire comment quoi quel quelle quels quelles veux voudrais peux puis dois besoin bonjour merci svp stp bien tres plus autre autres encore deja ok oui non bon beaucoup alors donc jai jveux chui pr ds ts tt bcp cest sa ca lol mdr salut coucou daccord compris demande demandes demander obtenir savoir apres avant depuis pendant devenir combien fils fille bebe maman papa mere pere frere soeur'.split(' '),
  ),
  en: new Set('a an the of to for in on at my me i is are am be do does how what can could want need please hello thanks and or with'.split(' ')),
};

/**
 * Stems are cut to this many letters: Snowball leaves « inscrire » / « inscription » (inscrir /
 * inscript) and « démissionner » / « démission » apart; their first six letters meet.
 */
const STEM_LENGTH = 6;

// Lower case is harmless here: terms are lower-cased before folding.
const fold = foldAccents;

/**
 * The indexed form of a word, or null for a stop word: lower case, no elision, French stem (Snowball:
 * « déclarer », « déclaration » → « declar »), accents off — so that the page's words and the
 * resident's meet whatever their ending or accents.
 */
export function indexTerm(term: string, stop: ReadonlySet<string> | undefined): string | null {
  const lower = term.toLowerCase().replace(/^(?:[cdjlmnst]|qu)['’]/, '');
  const folded = fold(lower);
  if (folded.length < 2 || stop?.has(folded)) return null;
  let stem = STEMS.get(lower);
  if (stem === undefined) {
    stem = fold(stemmer(lower)).slice(0, STEM_LENGTH);
    // The fiches repeat the same few thousand words: each is stemmed once, not at every occurrence
    // (the index build's main cost). Bounded, as residents type anything.
    if (STEMS.size >= MAX_STEMS) STEMS.clear();
    STEMS.set(lower, stem);
  }
  return stem;
}

const STEMS = new Map<string, string>();
const MAX_STEMS = 100_000;

const tokenize = MiniSearch.getDefault('tokenize') as (text: string) => string[];

/** The IDF of a word found in about 2 % of the pages: rarer words all weigh this much. */
const RARE_WORD_WEIGHT = 4;

/** By id prefix: F information sheets, N topic pages, R resources (online services, forms, letters). */
const TYPE_WEIGHT: Record<string, number> = { F: 1, N: 1, R: 0.8 };

/**
 * Residents' words for what the fiches call otherwise. Few and general on purpose: each one is a
 * word that people use every day and that no fiche title uses.
 */
const SYNONYMS: Array<[RegExp, string]> = [
  [/\bcaution\b/i, 'dépôt de garantie'],
  [/\bs[ée]cu\b/i, 'sécurité sociale'],
  [/\bmutuelle\b/i, 'complémentaire santé'],
  [/\bch[ôo]mage\b/i, 'allocation chômage'],
  [/\baides? au logement\b/i, 'allocation logement APL'],
];

/** The fiches' words for the resident's words found in the sentence. */
function synonymsOf(text: string): string {
  const out: string[] = [];
  for (const [re, words] of SYNONYMS) if (re.test(text)) out.push(words);
  return out.join(' ');
}

/**
 * The full-text index of a catalogue, built once: titles weigh most, then the theme, then the
 * description. Synchronous once built, so that the engine can call it inside a turn.
 */
export class FicheIndex {
  private readonly search: MiniSearch<Fiche>;
  private readonly byId: ReadonlyMap<string, Fiche>;
  /** In how many fiches each indexed term appears. */
  private readonly df = new Map<string, number>();

  constructor(fiches: readonly Fiche[]) {
    this.byId = new Map(fiches.map((f) => [f.id, f]));
    const stop = STOP_WORDS.fr as ReadonlySet<string>;
    this.search = new MiniSearch<Fiche>({
      // Two fields, not three: each field is another pass over a word's pages at search time, and
      // the theme weighs as much as the description anyway.
      fields: ['title', 'about'],
      extractField: (fiche, field) => (field === 'about' ? `${fiche.description} ${fiche.theme}` : fiche[field as keyof Fiche]),
      idField: 'id',
      processTerm: (term) => indexTerm(term, stop),
      searchOptions: {
        boost: { title: 2, about: 1 },
        // People ask what to do before which form to fill: explanations first, then online
        // services, then forms and letter templates (often narrow: one fund, one département).
        boostDocument: (id) => TYPE_WEIGHT[String(id).charAt(0)] ?? 1,
        // Typos are corrected only in longer words: a 3-letter word is another word after one edit.
        fuzzy: (term) => (term.length >= 5 ? 0.2 : false),
        maxFuzzy: 2,
        combineWith: 'OR',
      },
    });
    this.search.addAll(fiches as Fiche[]);
    for (const f of fiches) {
      for (const t of new Set(this.terms(`${f.title} ${f.description} ${f.theme}`, stop))) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    }
  }

  /**
   * How much a word of the sentence must be found for a page to answer it: common words (« carte »,
   * « demande ») count less (BM25's IDF); rarer ones count the same, capped, so that a resident's
   * own word (« mon fils », « mon bébé ») does not outweigh the procedure's; a word no page uses at
   * all (« pizza ») counts most: a sentence about it is not about these pages.
   */
  private weight(term: string, french: boolean): number {
    const n = this.byId.size;
    const df = this.df.get(term) ?? 0;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    // In another language most words are unknown to French pages: only those they share count.
    if (df === 0) return french ? idf : 0;
    return Math.min(idf, RARE_WORD_WEIGHT);
  }

  private terms(text: string, stop: ReadonlySet<string> | undefined): string[] {
    return tokenize(text)
      .map((t) => indexTerm(t, stop))
      .filter((t): t is string => t !== null);
  }

  /** The fiches most relevant to a resident's sentence, best first; empty when nothing is relevant enough. */
  find(text: string, options: SearchOptions = {}): FicheHit[] {
    const limit = options.limit ?? 3;
    const lang = (options.lang ?? 'fr').split('-')[0] ?? 'fr';
    const stop = STOP_WORDS[lang] ?? STOP_WORDS.fr;
    // Each distinct word once: a word searched twice costs twice and counts twice.
    const own = this.terms(text, stop);
    const terms = [...new Set([...own, ...this.terms(synonymsOf(text), stop)])];
    const last = own[own.length - 1];
    const results = this.search.search(terms.join(' '), {
      processTerm: (term) => term,
      // Only the resident's last word may be cut short (typed in a hurry); stems already cover endings.
      prefix: (term) => term === last && term.length >= 4,
    });
    const weights = new Map(terms.map((t) => [t, this.weight(t, lang === 'fr')]));
    let total = 0;
    for (const w of weights.values()) total += w;
    const out: FicheHit[] = [];
    for (const r of results) {
      // Most of what the person wrote, weighed by how telling each word is, must be in the page:
      // « commander une pizza » shares « commander » with a few pages, but « pizza » with none.
      // A word found only through a typo correction or as a prefix counts half.
      let matched = 0;
      for (const t of r.queryTerms) matched += (weights.get(t) ?? 0) * (r.terms.includes(t) ? 1 : 0.5);
      if (total === 0 || matched / total < 0.5) continue;
      const fiche = this.byId.get(String(r.id));
      if (fiche) out.push({ fiche, score: r.score });
      if (out.length >= limit) break;
    }
    return out;
  }
}

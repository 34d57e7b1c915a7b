/**
 * The whole conversation: choosing a procedure (welcome, a request, "which one?", "Vous voulez
 * dire… ?"), the chosen flow's turns through `step`, the ways out of a flow, the language that
 * follows the person, and, around it all, the help-places dialogue. This is what the bot, the web
 * widget and the CLI call.
 */
import type { Flow } from '../flow';
import { helpTurn } from './helpDialogue';
import { languageOf } from './followLanguage';
import { anyLanguageLexicon, detectIntent, lexiconFor, type DetectedIntent } from './lexicon';
import { buildOptionIndex, matchOption } from './match';
import { sayKey } from './nodes/context';
import { WAITING_KINDS } from './nodes';
import { normalize } from './normalize';
import { classifyWith } from './buildCatalog';
import { readRequest, wordsOf, type RequestReading } from './pickFlow';
import { resolveText } from './resolveText';
import { migrateState } from './state';
import { answeredAhead, HELP_VALUE, isSureAnswer, knownLanguage, LANG_PREFIX, movesOn, playStep, presentAgain, RESTART_VALUE } from './step';
import { NONE } from './trainClassifier';
import type { Catalog, Choice, ClassifiedRequest, ConversationState, EngineEnv, Input, Lang, Offer, OfficialPage, Output, StepResult } from './types';
import { parseYesNo } from './validate';

/** Prefix of button values that choose a procedure (`flow:caf-attestation`). */
export const FLOW_PREFIX = 'flow:';
/** Button values of the engine's own questions ("Vous voulez dire… ?"): yes, no. */
export const OFFER_YES = 'ariane:yes';
export const OFFER_NO = 'ariane:no';
/** Button value that leaves the procedure for the procedure choice. */
export const LEAVE_VALUE = 'ariane:leave';

/**
 * Below this score a request is not about any procedure here. A keyword of one flow on its own
 * scores about 1; a word shared by two flows, or only part of a flow's name, about 0.3–0.5.
 */
export const MIN_PICK_SCORE = 0.4;
/** A runner-up scoring at least this share of the best is "close": ask which one. */
export const CLOSE_RATIO = 0.75;
/** A new request typed in a flow is offered only when this clear (an anchored flow scoring this much). */
const SWITCH_SCORE = 1;
/** Below MIN_PICK_SCORE, down to this, a request that names a procedure gets "Vous voulez dire… ?" (chosen on the batches: 0.8, 0.7, 0.6, 0.5 × MIN_PICK_SCORE tried). */
const ASK_SCORE = MIN_PICK_SCORE * 0.6;
/** Words of another subject weighing more than this share of the best flow's evidence: confirm before starting. */
const OTHER_BEFORE_CONFIRM = 0.6;
/**
 * The classifier's share of confidence from which a procedure it reads is asked about when the
 * keywords found none, and from which its "none" stops an unsure offer. Chosen on the batches
 * scored by a classifier trained without them (test/understanding/README.md).
 */
const GUESS_SCORE = 0.5;
const NONE_SCORE = 0.6;
/**
 * The classifier's share from which its first guess, already among the keywords' "which one?",
 * comes first there (below `GUESS_SCORE` it adds nothing; 0.2 and 0.3 scored the same on the batches).
 */
const LEAD_SCORE = 0.3;
/** The classifier's share from which it turns a keyword's clear start into "which one?" with its own reading first. */
const OVERRULE_SCORE = 0.8;
/** At most this many procedures offered when asking which one. */
const MAX_CANDIDATES = 4;
/** At most this many official pages shown. */
const MAX_PAGES = 3;
/** After this many requests in a row not understood, human help and the help places are offered (once). */
const MISUNDERSTOOD_BEFORE_HELP = 3;
/** The language is followed by itself during the first turns only. */
const FOLLOW_LANGUAGE_TURNS = 3;

type Env = EngineEnv;

function flowChoices(catalog: Catalog, ids: string[], lang: Lang): Choice[] {
  return ids
    .map((id) => catalog.flows.get(id))
    .filter((f): f is Flow => f !== undefined)
    .map((f) => ({ label: { text: resolveText(f.title, lang) }, value: `${FLOW_PREFIX}${f.id}` }));
}

function featuredChoices(catalog: Catalog, state: ConversationState): Output {
  return { kind: 'choices', choices: flowChoices(catalog, catalog.featured, state.lang) };
}

function welcome(catalog: Catalog, state: ConversationState): Output[] {
  return [sayKey('engine:welcome'), featuredChoices(catalog, state)];
}

function toChoosing(state: ConversationState): void {
  state.status = 'choosing';
  delete state.flowId;
  delete state.nodeId;
  delete state.candidates;
  delete state.offer;
  state.history = [];
  state.answers = {};
  state.failures = 0;
}

function title(catalog: Catalog, flowId: string, lang: Lang): string {
  const f = catalog.flows.get(flowId);
  return f ? resolveText(f.title, lang) : flowId;
}

/**
 * Starts a procedure. `request`, the words that chose it, may already answer its first question
 * (« pour ma carte de séjour » is the préfecture's « Titre de séjour »): then that answer is taken,
 * said back, and the next question comes, without the first question's buttons.
 */
function startFlow(catalog: Catalog, state: ConversationState, flowId: string, request?: string): StepResult {
  const flow = catalog.flows.get(flowId);
  if (!flow) {
    toChoosing(state);
    return { state, outputs: [sayKey('engine:pick.unknown'), ...welcome(catalog, state)] };
  }
  delete state.offer;
  const env = { lexicons: catalog.lexicons };
  const r = playStep(flow, state, { kind: 'flow', flowId }, env, undefined);
  r.outputs.unshift(sayKey('engine:pick.start', { title: resolveText(flow.title, state.lang) }));
  if (request === undefined) return r;
  const ahead = answeredAhead(flow, r.state, request, env);
  if (!ahead) return r;
  const answered = playStep(flow, r.state, { kind: 'text', text: request }, env, undefined);
  const sayBack = ahead.sayBack ? [sayKey('engine:understood', { label: ahead.sayBack })] : [];
  return { state: answered.state, outputs: [...r.outputs.filter((o) => o.kind !== 'choices'), ...sayBack, ...answered.outputs] };
}

/** The flows whose sources cite each official page (by fiche id in the page's address or `fiche`). */
const citedBy = new WeakMap<object, Map<string, string[]>>();

function flowsCiting(catalog: Catalog): Map<string, string[]> {
  let map = citedBy.get(catalog);
  if (!map) {
    map = new Map();
    for (const f of catalog.flows.values()) {
      for (const s of f.sources) {
        const id = 'fiche' in s ? s.fiche : /\/vosdroits\/([FRN]\d+)/.exec(s.url)?.[1];
        if (id) map.set(id, [...(map.get(id) ?? []), f.id]);
      }
    }
    citedBy.set(catalog, map);
  }
  return map;
}

/**
 * The official pages about something else than the best flow: a page whose title holds more of the
 * request than the flow explains ("pension de réversion" is not the retirement application), or,
 * when the request does not name the flow, as much ("nouvelle carte Vitale" is the page about the
 * card, not the attestation). Pages a flow cites are that flow's subject, never a rival.
 */
function rivalPages(catalog: Catalog, reading: RequestReading, pages: OfficialPage[]): OfficialPage[] {
  const top = reading.ranked[0];
  if (!top) return pages;
  const cited = flowsCiting(catalog);
  const n = Math.max(1, reading.words.length);
  const flowCover = top.explains.length / n;
  return pages.filter((p) => {
    if ((cited.get(p.id) ?? []).includes(top.flowId)) return false;
    const title = new Set(wordsOf(p.title));
    const cover = reading.words.filter((w) => title.has(w)).length / n;
    return cover > flowCover || (!top.anchored && cover >= flowCover && cover > 0);
  });
}

/** The answer when no procedure here fits: official pages when there are, the procedures known, a person. */
function noProcedure(catalog: Catalog, state: ConversationState, pages: OfficialPage[]): StepResult {
  toChoosing(state);
  const out: Output[] = [];
  if (pages.length) {
    out.push(sayKey(state.lang.startsWith('fr') ? 'engine:official.found' : 'engine:official.foundFrench'));
    out.push({ kind: 'official', pages: pages.slice(0, MAX_PAGES) });
    out.push(sayKey('engine:official.notGuided'));
  } else {
    out.push(sayKey('engine:pick.none'));
  }
  out.push({ kind: 'choices', choices: [...flowChoices(catalog, catalog.featured, state.lang), { label: { key: 'engine:help.button' }, value: HELP_VALUE }] });
  return { state, outputs: out };
}

/**
 * Counts a request not understood; from the third in a row, human help and the help places are
 * offered at once, a single time in the conversation (then the usual "say it otherwise").
 */
function misunderstood(state: ConversationState, result: StepResult): StepResult {
  state.misunderstood = (state.misunderstood ?? 0) + 1;
  state.failures = state.misunderstood;
  if (state.misunderstood >= MISUNDERSTOOD_BEFORE_HELP && !state.helpOffered) {
    state.helpOffered = true;
    result.outputs.push(sayKey('engine:pick.stuck'), { kind: 'handoff', reason: 'failures', askWhere: true });
  }
  return result;
}

/** Asks "Vous voulez dire : <procedure> ?" with yes / no buttons. */
function confirmFlow(catalog: Catalog, state: ConversationState, flowId: string, key = 'engine:pick.confirm'): StepResult {
  state.status = 'choosing';
  delete state.candidates;
  state.offer = { kind: 'flow', flowId };
  return {
    state,
    outputs: [
      sayKey(key, { title: title(catalog, flowId, state.lang) }),
      { kind: 'choices', choices: [{ label: { key: 'engine:yes' }, value: OFFER_YES }, { label: { key: 'engine:pick.somethingElse' }, value: OFFER_NO }] },
    ],
  };
}

/**
 * A procedure named outright but official pages closer to the rest of the request ("carte
 * d'identité volée", "attestation CAF pour un logement étudiant"): the pages, then "I can also guide
 * you for X: is that it?", rather than dropping the procedure the person named.
 */
function confirmWithPages(catalog: Catalog, state: ConversationState, flowId: string, pages: OfficialPage[]): StepResult {
  const result = confirmFlow(catalog, state, flowId, 'engine:pick.confirmGuided');
  result.outputs.unshift(sayKey(state.lang.startsWith('fr') ? 'engine:official.alsoFound' : 'engine:official.alsoFoundFrench'), { kind: 'official', pages: pages.slice(0, MAX_PAGES) });
  return result;
}

function askWhich(catalog: Catalog, state: ConversationState, ids: string[], key = 'engine:pick.which'): StepResult {
  state.status = 'choosing';
  delete state.offer;
  state.candidates = ids.slice(0, MAX_CANDIDATES);
  return { state, outputs: [sayKey(key), { kind: 'choices', choices: flowChoices(catalog, state.candidates, state.lang) }] };
}

/** Ordinals people type to pick an option: "la 2", "le deuxième", "second". */
const ORDINALS: Record<string, number> = {
  premier: 1, premiere: 1, first: 1, un: 1, une: 1, deuxieme: 2, second: 2, seconde: 2, deux: 2, troisieme: 3, third: 3, trois: 3, quatrieme: 4, fourth: 4, quatre: 4,
  الاول: 1, الأول: 1, الثاني: 2, الثالث: 3, الرابع: 4,
};

/** The option number a short answer names ("2", "la 2", "le deuxième", "n°2"), or undefined. */
function optionNumber(text: string): number | undefined {
  const words = normalize(text).split(' ').filter((w) => !['le', 'la', 'l', 'n', 'no', 'numero', 'number', 'the', 'celle', 'celui', 'choix', 'option', 'e', 'eme'].includes(w));
  if (words.length !== 1) return undefined;
  const w = words[0]!;
  const digits = /^(\d)(?:e|er|ere|eme|nd|rd|th)?$/.exec(w);
  if (digits) return Number(digits[1]);
  return ORDINALS[w];
}

/**
 * An answer to "which one?": the option's number, its title, or words of its title or keywords
 * ("celle de la caf", "le titre de séjour"). Read against the procedures offered first; undefined
 * when the answer names none of them.
 */
function pickCandidate(catalog: Catalog, state: ConversationState, text: string, reading: RequestReading): string | undefined {
  const candidates = state.candidates ?? [];
  const n = optionNumber(text);
  if (n !== undefined) return candidates[n - 1];
  // "non", "nan", "aucune": none of them (in the conversation's language: Darija's "la" is "no", French "la" is not).
  if (parseYesNo(text, lexiconFor(catalog.lexicons, state.lang)) === false) return undefined;
  const index = buildOptionIndex(
    candidates.map((id) => {
      const f = catalog.flows.get(id);
      return { value: id, phrases: f ? [resolveText(f.title, state.lang), resolveText(f.title, 'fr')] : [] };
    }),
  );
  const m = matchOption(index, text, false);
  if (m) return m.value;
  // The words of the buttons the person is looking at come first: « pour ma carte de séjour » is the
  // préfecture's « (carte d'identité, …, titre de séjour) » more than the renewal's « titre de séjour ».
  const byTitle = candidates.map((id) => {
    const f = catalog.flows.get(id);
    const title = new Set(f ? [...wordsOf(resolveText(f.title, state.lang)), ...wordsOf(resolveText(f.title, 'fr'))] : []);
    return { id, cover: reading.words.filter((w) => title.has(w)).length };
  });
  const most = Math.max(0, ...byTitle.map((c) => c.cover));
  const leaders = byTitle.filter((c) => c.cover === most);
  if (most > 0 && leaders.length === 1) return leaders[0]!.id;
  // A request that clearly names something else is not an answer to "which one?".
  const top = reading.ranked[0];
  if (top && top.anchored && top.score >= SWITCH_SCORE && !candidates.includes(top.flowId)) return undefined;
  const among = reading.ranked.filter((r) => candidates.includes(r.flowId));
  const best = among[0];
  if (best && (among.length === 1 || best.score >= (among[1]?.score ?? 0) / CLOSE_RATIO)) return best.flowId;
  return undefined;
}

/**
 * The procedure the classifier learnt from examples is sure enough of (`GUESS_SCORE`, or `min`), for
 * a request the keywords could not place: it is asked about, never started.
 */
function guessedFlow(catalog: Catalog, guesses: readonly ClassifiedRequest[], min = GUESS_SCORE): string | undefined {
  const best = guesses[0];
  return best && best.flowId !== NONE && best.score >= min && catalog.flows.has(best.flowId) ? best.flowId : undefined;
}

/** Where a flow stands in a ranking (its index), after all of them when it is not there. */
function positionIn(ranking: ReadonlyArray<{ flowId: string }>): (flowId: string) => number {
  const at = new Map(ranking.map((r, i) => [r.flowId, i]));
  return (flowId) => at.get(flowId) ?? Number.MAX_SAFE_INTEGER;
}

/**
 * An organisation's procedures in the order to offer them for a request: those its words name
 * first (as the keywords ranked them), then as the classifier ranked them, then catalog order.
 */
function organisationOrder(reading: RequestReading, flows: readonly string[], guesses: readonly ClassifiedRequest[]): string[] {
  const byKeywords = positionIn(reading.ranked);
  const byGuess = positionIn(guesses);
  return [...flows].sort((a, b) => byKeywords(a) - byKeywords(b) || byGuess(a) - byGuess(b));
}

/** What to do with a request typed while no flow is running. */
function choose(catalog: Catalog, state: ConversationState, text: string, intent: DetectedIntent | undefined, env: Env): StepResult {
  const lexicon = lexiconFor(catalog.lexicons, state.lang);
  let reading = readRequest(catalog, text, state.lang, env.knownWord, env.isPlace);
  // "attestation", "which one?", "non aucune", then "c pour la cantine": the details complete the request.
  const context = state.context;
  delete state.context;
  const alone = reading.ranked[0];
  if (context?.length && !intent && !state.candidates?.length && !(alone && alone.anchored && alone.score >= MIN_PICK_SCORE)) {
    const together = readRequest(catalog, `${context.join(' ')} ${text}`, state.lang, env.knownWord);
    const top = together.ranked[0];
    if (top && top.anchored && top.score >= MIN_PICK_SCORE) reading = together;
  }
  // An answer to "which one?" is read against the procedures offered first.
  if (state.candidates?.length) {
    // "c'est pour la cantine" after "attestation": the details pick among the procedures offered.
    // Only details that are procedure words themselves: the earlier words alone ("merci" after them)
    // would pick the candidate they ranked first.
    const picked = pickCandidate(catalog, state, text, reading) ?? (context?.length && reading.known.length ? pickCandidate(catalog, state, text, readRequest(catalog, `${context.join(' ')} ${text}`, state.lang, env.knownWord)) : undefined);
    if (picked) return startFlow(catalog, state, picked, text);
    const top = reading.ranked[0];
    const clearlyElse = top && top.anchored && top.score >= SWITCH_SCORE && !state.candidates.includes(top.flowId);
    if (!clearlyElse && !intent) {
      // "aucune", "autre chose", or words that name none of them: ask to say it otherwise (what was asked stays in mind).
      delete state.candidates;
      if (context) state.context = context;
      return misunderstood(state, { state, outputs: [sayKey('engine:pick.rephrase'), featuredChoices(catalog, state)] });
    }
  }
  // The welcome's buttons, by number or exact title.
  const featured = buildOptionIndex(
    catalog.featured.map((id) => {
      const f = catalog.flows.get(id);
      return { value: id, phrases: f ? [resolveText(f.title, state.lang), resolveText(f.title, 'fr')] : [] };
    }),
  );
  const m = matchOption(featured, text, true);
  if (m) return startFlow(catalog, state, m.value);
  const top = reading.ranked[0];
  // "je ne sais pas comment renouveler mon titre de séjour" is a request, not a cry for help.
  if (intent && (intent.strength !== 'contained' || !top || top.score < MIN_PICK_SCORE)) return choosingIntent(catalog, state, intent.intent, intent.lang);
  // "oui", "bonjour": nothing to choose from yet.
  const bare = normalize(text);
  if (!reading.words.length || [...lexicon.yes, ...lexicon.no].some((w) => normalize(w) === bare)) {
    return misunderstood(state, { state, outputs: [sayKey('engine:pick.what'), featuredChoices(catalog, state)] });
  }
  if (reading.organisation) {
    if (reading.organisation.length > 1) state.context = reading.known;
    return reading.organisation.length > 1 ? askWhich(catalog, state, reading.organisation, 'engine:pick.whichOrganisation') : confirmFlow(catalog, state, reading.organisation[0]!);
  }
  const pages = env.searchOfficial ? env.searchOfficial(text, state.lang) : [];
  // A low score is no procedure, unless the request is all about procedures' names ("attestation"): then ask.
  const allNamed = top !== undefined && top.explains.length >= reading.words.length && reading.other < 0.3;
  // A procedure named by its own keyword but sunk by words nobody knows ("RSA socle", "rsa moi pa argen")
  // is asked about rather than dropped.
  if (top && top.anchored && top.score < MIN_PICK_SCORE && top.score >= ASK_SCORE && !rivalPages(catalog, reading, pages).length) return confirmFlow(catalog, state, top.flowId);
  // The classifier is asked only where the keywords leave a doubt (never before a clear start).
  let guesses: ClassifiedRequest[] | undefined;
  const classified = () => (guesses ??= classifyWith(catalog, reading));
  // The examples say requests like this one are about no procedure: an unsure offer is not made.
  const outOfScope = () => classified()[0]?.flowId === NONE && (classified()[0]?.score ?? 0) >= NONE_SCORE;
  if (!top || (top.score < MIN_PICK_SCORE && !allNamed)) {
    const guess = guessedFlow(catalog, classified());
    if (guess) return pages.length ? confirmWithPages(catalog, state, guess, pages) : confirmFlow(catalog, state, guess);
    // "Il faut le dire à la CAF. Je ne sais pas où cliquer.": which of the CAF's procedures, unless
    // official pages or the examples say it is about none of them.
    if (reading.named && reading.named.length > 1 && !pages.length && !outOfScope()) {
      state.context = reading.known;
      return askWhich(catalog, state, organisationOrder(reading, reading.named, classified()), 'engine:pick.whichOrganisation');
    }
    return misunderstood(state, noProcedure(catalog, state, pages));
  }
  const rivals = allNamed && !top.anchored ? [] : rivalPages(catalog, reading, pages);
  if (rivals.length && top.anchored && top.score >= MIN_PICK_SCORE) return confirmWithPages(catalog, state, top.flowId, rivals);
  if (rivals.length) {
    const guess = guessedFlow(catalog, classified());
    return guess ? confirmWithPages(catalog, state, guess, rivals) : misunderstood(state, noProcedure(catalog, state, rivals));
  }
  state.misunderstood = 0;
  const close = reading.ranked.filter((r) => r.score >= top.score * CLOSE_RATIO).slice(0, MAX_CANDIDATES);
  if (close.length > 1) {
    if (!top.anchored && outOfScope()) return misunderstood(state, noProcedure(catalog, state, pages));
    state.context = reading.known;
    // The procedure the classifier is sure of comes first, added when the keywords left it out: its
    // examples know the stories whose words the keywords only half read ("je touche l'apl et j'ai
    // déménagé", "m'inscrire sur le site de la sécu" is the ameli account, not France Travail).
    // Procedures the keywords cannot tell apart ("caf" explains both) come in the classifier's order.
    const byGuess = positionIn(classified());
    const sure = guessedFlow(catalog, classified());
    const lead = sure ?? guessedFlow(catalog, classified(), LEAD_SCORE);
    const ordered = [...close].sort((a, b) => Number(b.flowId === lead) - Number(a.flowId === lead) || b.score - a.score || byGuess(a.flowId) - byGuess(b.flowId)).map((c) => c.flowId);
    if (sure && !ordered.includes(sure)) ordered.unshift(sure);
    return askWhich(catalog, state, ordered);
  }
  // Only a flow the request names (a keyword of its own, a whole phrase), and that is most of what it
  // says, starts without asking: "passeport pour mon chien" names a passport, but is about a dog.
  if (!top.anchored || reading.other > reading.evidence * OTHER_BEFORE_CONFIRM) {
    if (outOfScope()) return misunderstood(state, noProcedure(catalog, state, pages));
    // The keywords only suggest it, and the examples say another: both are asked about, the examples' first
    // ("I moved… update the address on my car registration" is not the monthly update).
    const other = guessedFlow(catalog, classified());
    if (other && other !== top.flowId) {
      state.context = reading.known;
      return askWhich(catalog, state, [other, top.flowId]);
    }
    return confirmFlow(catalog, state, top.flowId);
  }
  // "mon remboursement d'impôt n'est pas arrivé" names the tax declaration, but the examples say such
  // requests are about none: asked, not started (a yes costs a resident one tap).
  if (outOfScope()) return confirmFlow(catalog, state, top.flowId);
  // "g trouvé 1 cdi jsui au rsa, je doi le dir a la caf": the keyword names the RSA, the examples say
  // such requests are a change of situation. Asked, the examples' reading first.
  const sure = guessedFlow(catalog, classified(), OVERRULE_SCORE);
  if (sure && sure !== top.flowId) {
    state.context = reading.known;
    return askWhich(catalog, state, [sure, top.flowId]);
  }
  return startFlow(catalog, state, top.flowId, text);
}

function languageButtons(catalog: Catalog): Choice[] {
  return Object.keys(catalog.lexicons).map((l) => ({ label: { key: `engine:language.name.${l}` }, value: `${LANG_PREFIX}${l}` }));
}

function choosingIntent(catalog: Catalog, state: ConversationState, intent: string, asked?: Lang): StepResult {
  const lang = knownLanguage(catalog.lexicons, asked);
  switch (intent) {
    case 'help':
      state.status = 'handoff';
      return { state, outputs: [sayKey('engine:help.asked'), { kind: 'handoff', reason: 'asked' }] };
    case 'language':
      if (lang) {
        state.lang = lang;
        state.langSettled = true;
        return { state, outputs: [{ kind: 'language', lang }, sayKey('engine:language.changed'), ...welcome(catalog, state)] };
      }
      return { state, outputs: [sayKey('engine:language.ask'), { kind: 'choices', choices: languageButtons(catalog) }] };
    case 'leave':
      toChoosing(state);
      return { state, outputs: [sayKey('engine:leave.done'), featuredChoices(catalog, state)] };
    default:
      // back / restart with no flow running: show the welcome again.
      toChoosing(state);
      return { state, outputs: welcome(catalog, state) };
  }
}

/** The person's yes or no to the engine's own question, by button or by typing it. */
function yesOrNo(catalog: Catalog, state: ConversationState, input: Input): boolean | undefined {
  if (input.kind === 'choice') return input.value === OFFER_YES ? true : input.value === OFFER_NO ? false : undefined;
  if (input.kind !== 'text') return undefined;
  return parseYesNo(input.text, lexiconFor(catalog.lexicons, state.lang)) ?? parseYesNo(input.text, anyLanguageLexicon(catalog.lexicons));
}

/**
 * An answer to a question the engine asked about the conversation itself (`state.offer`). Returns
 * undefined when the input is not one: the offer lapses and the input is read as usual.
 */
function answerOffer(catalog: Catalog, state: ConversationState, input: Input, intent: DetectedIntent | undefined, engineEnv: Env): StepResult | undefined {
  const offer = state.offer;
  if (!offer) return undefined;
  const env = { lexicons: catalog.lexicons };
  const flow = state.flowId ? catalog.flows.get(state.flowId) : undefined;
  if (offer.kind === 'restart') {
    const again = (input.kind === 'choice' && input.value === RESTART_VALUE) || (input.kind === 'text' && (intent?.intent === 'restart' || sameOne(catalog, state, input.text)));
    const other = (input.kind === 'choice' && input.value === LEAVE_VALUE) || intent?.intent === 'leave' || (input.kind === 'text' && (parseYesNo(input.text, lexiconFor(catalog.lexicons, state.lang)) === false || anotherOne(input.text)));
    if (again && flow) {
      delete state.offer;
      return playStep(flow, state, { kind: 'intent', intent: 'restart' }, env, undefined);
    }
    if (other && input.kind === 'text' && namesAProcedure(catalog, state, input.text, engineEnv)) {
      // "non une autre, je veux déclarer un changement à la caf": the other one, named.
      toChoosing(state);
      return choose(catalog, state, input.text, undefined, engineEnv);
    }
    if (other || (again && !flow)) return choosingIntent(catalog, state, 'leave');
    delete state.offer;
    return undefined;
  }
  const answer = yesOrNo(catalog, state, input);
  if (answer === undefined) {
    delete state.offer;
    return undefined;
  }
  delete state.offer;
  switch (offer.kind) {
    case 'flow':
      if (answer) return startFlow(catalog, state, offer.flowId);
      state.status = 'choosing';
      return { state, outputs: [sayKey('engine:pick.rephrase'), featuredChoices(catalog, state)] };
    case 'switch':
      if (answer) return startFlow(catalog, state, offer.flowId);
      return { state, outputs: [sayKey('engine:switch.stay'), ...(flow ? presentAgain(flow, state, env) : welcome(catalog, state))] };
    case 'language': {
      state.langSettled = true;
      if (!answer) return { state, outputs: [sayKey('engine:language.kept')] };
      const lang = knownLanguage(catalog.lexicons, offer.lang);
      if (!lang) return { state, outputs: [] };
      state.lang = lang;
      const again = flow && state.status !== 'choosing' ? presentAgain(flow, state, env) : welcome(catalog, state);
      return { state, outputs: [{ kind: 'language', lang }, sayKey('engine:language.changed'), ...again] };
    }
  }
}

/**
 * The text without the intent's phrase ("laissez tomber, je veux m'actualiser" → "je veux
 * m'actualiser"): the words that ask to leave say nothing about the procedure wanted, and read as
 * a request they would count against every procedure. Sentences stay apart (stories are read
 * sentence by sentence); each is normalised.
 */
function withoutPhrase(text: string, phrase: string | undefined): string {
  if (!phrase) return text;
  return text
    .split(/[,.;:!?\n،؛؟]+/)
    .map((part) => ` ${normalize(part)} `.replace(` ${phrase} `, ' ').trim())
    .filter(Boolean)
    .join('. ');
}

/** "cette démarche", "celle-ci", "la même": the procedure the person is in. */
function sameOne(catalog: Catalog, state: ConversationState, text: string): boolean {
  const n = normalize(text);
  return ['cette demarche', 'celle ci', 'celle la', 'la meme', 'this one', 'the same', 'هذه', 'هادي'].some((p) => n === p || n.startsWith(`${p} `)) || parseYesNo(text, lexiconFor(catalog.lexicons, state.lang)) === true;
}

/** "une autre", "autre démarche": another procedure. */
/** The text names a procedure on its own (a keyword of it, strongly enough to start it). */
function namesAProcedure(catalog: Catalog, state: ConversationState, text: string, env: Env): boolean {
  const top = readRequest(catalog, text, state.lang, env.knownWord).ranked[0];
  return top !== undefined && top.anchored && top.score >= MIN_PICK_SCORE;
}

function anotherOne(text: string): boolean {
  const n = normalize(text);
  return ['une autre', 'autre', 'another', 'another one', 'autre chose', 'وحدة اخرى', 'أخرى', 'اخرى'].some((p) => n === p || n.startsWith(`${p} `));
}

/**
 * The language the person's first messages are written in, when it is not the conversation's:
 * followed at once (`before`: said first, with a button back), or offered (`after` the turn's
 * answer, with the `offer` to keep: Darija in Latin letters).
 */
function followLanguage(catalog: Catalog, state: ConversationState, input: Input): { before: Output[]; after: Output[]; offer?: Offer } {
  const none = { before: [], after: [] };
  if (state.langSettled || input.kind !== 'text' || state.turn > FOLLOW_LANGUAGE_TURNS) return none;
  const hint = languageOf(input.text, state.lang, Object.keys(catalog.lexicons));
  if (!hint) return none;
  const was = state.lang;
  if (hint.how === 'offer') {
    return {
      before: [],
      after: [
        sayKey('engine:language.offer'),
        { kind: 'choices', choices: [{ label: { key: `engine:language.name.${hint.lang}` }, value: OFFER_YES }, { label: { key: `engine:language.name.${was}` }, value: OFFER_NO }] },
      ],
      offer: { kind: 'language', lang: hint.lang },
    };
  }
  state.lang = hint.lang;
  state.langSettled = true;
  return {
    before: [{ kind: 'language', lang: hint.lang }, sayKey('engine:language.followed'), { kind: 'choices', choices: [{ label: { key: `engine:language.name.${was}` }, value: `${LANG_PREFIX}${was}` }] }],
    after: [],
  };
}

/**
 * Plays one turn of the whole conversation.
 * - `{kind:'start'}`: a short welcome, the featured procedures as buttons, "or say it in your words".
 * - `{kind:'flow'}` or a `flow:<id>` button: starts that procedure.
 * - A request while choosing (or after a flow ended), read by `readRequest`: a procedure it names
 *   starts; one it suggests is confirmed first ("Vous voulez dire… ?"); close ones are offered
 *   ("which one?"); an organisation alone asks which of its procedures; a request about something
 *   else gets the official pages about it (`env.searchOfficial`), the procedures known and a
 *   person. After "which one?", the answer is read against the procedures offered first.
 * - In a flow, every answer goes to `step`, but "ce n'est pas ça" / "autre démarche" leave the
 *   flow, "recommencer" asks whether to restart it or choose another, and a clear new request is
 *   offered ("Vous parlez de… ?").
 * - The language of the first messages is followed (or offered), and stays once chosen.
 * - Around all of it, the help-places dialogue (`helpDialogue.ts`, needs `env.findHelp`).
 * Never throws on user input; `rawState` may be anything a store returned (it is migrated once).
 */
export function converse(catalog: Catalog, rawState: ConversationState | unknown, input: Input, env: EngineEnv = {}): StepResult {
  const state = migrateState(rawState);
  // A stored language this service does not speak (a state from a release that let one through):
  // every text lookup would fail on it, and the person would meet the same error on every turn.
  if (!knownLanguage(catalog.lexicons, state.lang)) state.lang = knownLanguage(catalog.lexicons, 'fr') ?? Object.keys(catalog.lexicons)[0] ?? 'fr';
  const turn = state.turn + 1;
  // The intent of typed text is detected once per turn, here, and handed down. Leaving a procedure
  // takes its words as written: a typo of "machi hadi" may well be "machi safi" (not done yet).
  const detected = input.kind === 'text' ? detectIntent(input.text, catalog.lexicons) : undefined;
  const intent = detected?.intent === 'leave' && detected.strength === 'fuzzy' ? undefined : detected;
  const core = (s: ConversationState, i: Input) => converseTurn(catalog, s, i, i === input ? intent : undefined, env);
  const result = helpTurn({ catalog, env, core, isIntent: intent !== undefined }, state, input);
  // A password or a code typed by mistake (masked before the engine): said once, kindly, first.
  if (input.kind === 'text' && input.secret && !result.state.secretNoticed) {
    result.state.secretNoticed = true;
    result.outputs.unshift(sayKey('engine:privacy.secret'));
  }
  // Exactly one turn per call, whichever path (welcome, choosing, step, help) produced the result.
  result.state.turn = turn;
  return result;
}

function converseTurn(catalog: Catalog, state: ConversationState, input: Input, intent: DetectedIntent | undefined, env: Env): StepResult {
  const stepEnv = { lexicons: catalog.lexicons };

  if (input.kind === 'start') {
    toChoosing(state);
    return { state, outputs: welcome(catalog, state) };
  }
  if (input.kind === 'flow') return startFlow(catalog, state, input.flowId);
  if (input.kind === 'choice' && input.value.startsWith(FLOW_PREFIX)) return startFlow(catalog, state, input.value.slice(FLOW_PREFIX.length));
  if (input.kind === 'choice' && input.value.startsWith(LANG_PREFIX)) state.langSettled = true;

  const offered = answerOffer(catalog, state, input, intent, env);
  if (offered) return offered;

  // The language of the first messages: followed before the request is read in it, or offered after.
  const language = followLanguage(catalog, state, input);
  const withLanguage = (r: StepResult): StepResult => {
    r.outputs.unshift(...language.before);
    if (language.offer && !r.state.offer) {
      r.state.offer = language.offer;
      r.outputs.push(...language.after);
    }
    return r;
  };

  const flow = state.flowId ? catalog.flows.get(state.flowId) : undefined;
  // "ce n'est pas ça", "autre démarche": back to the procedure choice (unless it answers the question).
  const leaving = (input.kind === 'choice' && input.value === LEAVE_VALUE) || intent?.intent === 'leave';
  if (leaving && !(flow && state.status !== 'choosing' && isSureAnswer(flow, state, input, stepEnv))) {
    // "c'est pas ça, je voulais la complémentaire santé": leave, and read the rest as a request.
    if (input.kind === 'text' && intent?.strength === 'contained') {
      toChoosing(state);
      return withLanguage(choose(catalog, state, withoutPhrase(input.text, intent.phrase), intent, env));
    }
    return withLanguage(choosingIntent(catalog, state, 'leave'));
  }

  if (state.flowId && !flow) {
    toChoosing(state);
    return withLanguage({ state, outputs: [sayKey('engine:flow.gone'), ...welcome(catalog, state)] });
  }
  if (flow && state.status !== 'choosing') {
    const node = state.nodeId ? flow.nodes[state.nodeId] : undefined;
    const waiting = node !== undefined && WAITING_KINDS.has(node.kind);
    // "recommencer" typed in a flow: this procedure again, or another one?
    if (input.kind === 'text' && intent?.intent === 'restart' && !isSureAnswer(flow, state, input, stepEnv)) {
      state.offer = { kind: 'restart' };
      return withLanguage({
        state,
        outputs: [
          sayKey('engine:restart.ask'),
          { kind: 'choices', choices: [{ label: { key: 'engine:restart.this' }, value: RESTART_VALUE }, { label: { key: 'engine:restart.other' }, value: LEAVE_VALUE }] },
        ],
      });
    }
    // A clear new request typed where an answer was expected: offered, never silently followed.
    if (waiting && input.kind === 'text' && !intent && !movesOn(flow, state, input, stepEnv)) {
      const top = readRequest(catalog, input.text, state.lang, env.knownWord).ranked[0];
      if (top && top.anchored && top.flowId !== flow.id && top.score >= SWITCH_SCORE) {
        state.offer = { kind: 'switch', flowId: top.flowId };
        return withLanguage({
          state,
          outputs: [
            sayKey('engine:switch.ask', { title: title(catalog, top.flowId, state.lang) }),
            { kind: 'choices', choices: [{ label: { key: 'engine:yes' }, value: OFFER_YES }, { label: { key: 'engine:switch.no' }, value: OFFER_NO }] },
          ],
        });
      }
    }
    const isIntent = input.kind === 'intent' || (input.kind === 'choice' && !input.value.startsWith(FLOW_PREFIX)) || intent !== undefined;
    // While a question waits, everything goes to the flow; after an end, only intents do.
    if (state.status === 'active' || waiting || isIntent) return withLanguage(playStep(flow, state, input, stepEnv, intent));
  }

  if (input.kind === 'intent') return withLanguage(choosingIntent(catalog, state, input.intent, input.lang));
  if (input.kind === 'choice') {
    if (input.value === HELP_VALUE) return choosingIntent(catalog, state, 'help');
    if (input.value.startsWith(LANG_PREFIX)) return choosingIntent(catalog, state, 'language', input.value.slice(LANG_PREFIX.length));
    if (input.value === RESTART_VALUE) return choosingIntent(catalog, state, 'restart');
    return { state, outputs: [sayKey('engine:pick.none'), ...welcome(catalog, state)] };
  }
  // A position with no help dialogue waiting for it: nothing to choose from.
  if (input.kind === 'location') return { state, outputs: welcome(catalog, state) };
  return withLanguage(choose(catalog, state, input.text, intent, env));
}

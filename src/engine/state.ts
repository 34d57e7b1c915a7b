/**
 * Conversation state life cycle: creation and migration. Stored states outlive releases and flow
 * edits, so anything unexpected becomes a fresh state rather than an exception.
 */
import { readHelpState } from './helpDialogue';
import type { ConversationState, Lang, Offer } from './types';

/** The current state format version. */
export const STATE_VERSION = 1 as const;

/** A fresh conversation, choosing a procedure, in `lang`. */
export function initialState(lang: Lang = 'fr'): ConversationState {
  return { v: STATE_VERSION, lang, history: [], answers: {}, failures: 0, status: 'choosing', turn: 0 };
}

const STATUSES = new Set(['choosing', 'active', 'ended', 'handoff']);

/** A stored request's context is a few procedure words: anything longer is not what this release writes. */
const MAX_CONTEXT_WORDS = 12;
const MAX_CONTEXT_WORD = 40;

/**
 * Accepts whatever a store returned and gives back a usable state: a valid v1 state unchanged (but
 * copied, so callers may keep the old one), anything else (unknown version, corrupt JSON, null) a
 * fresh state keeping the language when one can be read.
 */
export function migrateState(raw: unknown, fallbackLang: Lang = 'fr'): ConversationState {
  if (!raw || typeof raw !== 'object') return initialState(fallbackLang);
  const s = raw as Partial<ConversationState> & Record<string, unknown>;
  const lang = typeof s.lang === 'string' && s.lang ? s.lang : fallbackLang;
  if (s.v !== STATE_VERSION || !STATUSES.has(String(s.status))) return initialState(lang);
  const answers: Record<string, string | number | boolean> = {};
  if (s.answers && typeof s.answers === 'object') {
    for (const [k, v] of Object.entries(s.answers)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') answers[k] = v;
    }
  }
  const state: ConversationState = {
    v: STATE_VERSION,
    lang,
    history: Array.isArray(s.history) ? s.history.filter((h): h is string => typeof h === 'string') : [],
    answers,
    failures: typeof s.failures === 'number' && s.failures >= 0 ? s.failures : 0,
    status: s.status as ConversationState['status'],
    turn: typeof s.turn === 'number' && Number.isFinite(s.turn) ? s.turn : 0,
  };
  if (typeof s.flowId === 'string') state.flowId = s.flowId;
  if (typeof s.nodeId === 'string') state.nodeId = s.nodeId;
  if (Array.isArray(s.candidates)) state.candidates = s.candidates.filter((c): c is string => typeof c === 'string');
  if (Array.isArray(s.context)) {
    const words = s.context.filter((w): w is string => typeof w === 'string' && w.length <= MAX_CONTEXT_WORD).slice(0, MAX_CONTEXT_WORDS);
    if (words.length) state.context = words;
  }
  if (s.secretNoticed === true) state.secretNoticed = true;
  if (s.helpOffered === true) state.helpOffered = true;
  if (s.langSettled === true) state.langSettled = true;
  if (typeof s.misunderstood === 'number' && Number.isFinite(s.misunderstood) && s.misunderstood > 0) state.misunderstood = Math.floor(s.misunderstood);
  const offer = readOffer(s.offer);
  if (offer) state.offer = offer;
  // A confirmation in progress, only if it is exactly what this release writes (else it is dropped:
  // the person's next answer is then read as a fresh one).
  const c = s.confirming as { nodeId?: unknown; value?: unknown } | null | undefined;
  if (c && typeof c === 'object' && typeof c.nodeId === 'string' && typeof c.value === 'string' && typeof s.nodeId === 'string' && c.nodeId === s.nodeId) {
    state.confirming = { nodeId: c.nodeId, value: c.value };
  }
  const help = readHelpState(s.help);
  if (help) state.help = help;
  return state;
}

/** A stored offer, or undefined when it is not one this release writes (never trust stored JSON). */
function readOffer(raw: unknown): Offer | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as { kind?: unknown; flowId?: unknown; lang?: unknown };
  if ((o.kind === 'flow' || o.kind === 'switch') && typeof o.flowId === 'string') return { kind: o.kind, flowId: o.flowId };
  if (o.kind === 'restart') return { kind: 'restart' };
  if (o.kind === 'language' && typeof o.lang === 'string') return { kind: 'language', lang: o.lang };
  return undefined;
}

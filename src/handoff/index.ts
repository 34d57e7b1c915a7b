/** Handoff summaries ("fiches de liaison"): create, read by code, render for a mediator. */
export {
  createHandoff,
  readHandoff,
  buildHandoffSummary,
  handoffWrite,
  HANDOFF_PREFIX,
  DEFAULT_HANDOFF_TTL_DAYS,
  type HandoffSummary,
  type HandoffAnswer,
  type CreateHandoffInput,
} from './createHandoff';
export { renderHandoff, type HandoffFormat } from './renderHandoff';
export { newHandoffCode, normalizeHandoffCode, handoffCodeKind, CODE_ALPHABET, CODE_LENGTH, LEGACY_CODE_LENGTH } from './handoffCode';

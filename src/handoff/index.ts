/** Handoff summaries ("fiches de liaison"): create, read by code, render for a mediator. */
export { readHandoff, buildHandoffSummary, handoffWrite, DEFAULT_HANDOFF_TTL_DAYS } from './createHandoff';
export { renderHandoff, type HandoffFormat } from './renderHandoff';
export { newHandoffCode, normalizeHandoffCode, handoffCodeKind, CODE_LENGTH } from './handoffCode';

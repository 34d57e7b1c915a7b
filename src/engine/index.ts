/**
 * The pure conversation engine. Other folders import from here only.
 *
 * Typical use (bot, CLI, web):
 *   const catalog = buildCatalog(flows, loadLexicons(localesDir), featured);   // once
 *   let { state, outputs } = converse(catalog, initialState('fr'), { kind: 'start' });
 *   ({ state, outputs } = converse(catalog, state, { kind: 'text', text: 'attestation caf' }, { findHelp }));
 * Outputs carry flow text already in the conversation's language, or `engine:` message keys to
 * render with `translate` from `src/i18n`.
 */
export * from './types';
export { step, currentNode, HELP_VALUE, BACK_VALUE, RESTART_VALUE, LANG_PREFIX, CONFIRM_YES, CONFIRM_NO, type StepEnv } from './step';
export { converse, FLOW_PREFIX, MIN_PICK_SCORE, CLOSE_RATIO, OFFER_YES, OFFER_NO, LEAVE_VALUE } from './converse';
export { CONTINUE_VALUE, WHERE_PREFIX, looksLikeLocation } from './helpDialogue';
export { buildCatalog } from './buildCatalog';
export { pickFlow, readRequest, buildFlowIndex, wordsOf, type FlowScore, type FlowIndex, type RequestReading } from './pickFlow';
export { initialState, migrateState, STATE_VERSION } from './state';
export { resolveText, resolveWords, languageChain } from './resolveText';
export { normalize, foldAccents, MAX_MATCHED_LENGTH } from './normalize';
export { detectIntent, lexiconFor, EMPTY_LEXICON, type DetectedIntent } from './lexicon';
export { matchOption, buildOptionIndex, CONFIDENCE, type MatchOption, type OptionMatch } from './match';
export { parsePostcode, parseCommune, parseDate, parseNumber, parseYesNo, readYesNo, parseShortText, validateInput } from './validate';
export { STEP_CHOICES, STEP_DONE, STEP_CANNOT } from './nodes/step';
export { CHECKLIST_CHOICES, CHECKLIST_CONTINUE } from './nodes/checklist';
export { YESNO_CHOICES } from './nodes/input';
export { holds as conditionHolds, route as routeBranch } from './nodes/branch';
export { choiceValue } from './nodes/question';
export { runScenario, scenarioProblem, type Scenario, type ScenarioResult } from './runScenario';

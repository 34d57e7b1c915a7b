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
export type {
  Lang,
  AnswerValue,
  ConversationState,
  OfficialPage,
  SearchOfficial,
  Intent,
  Input,
  Message,
  Choice,
  HandoffReason,
  Output,
  HelpPlace,
  HelpSearch,
  HelpNeed,
  FindHelp,
  EngineEnv,
  KnownWord,
  PlaceName,
  RequestExample,
  ClassifiedRequest,
  StepResult,
  Lexicon,
  Catalog,
} from './types';
export { step, HELP_VALUE, LANG_PREFIX } from './step';
export { converse, MIN_PICK_SCORE, CLOSE_RATIO } from './converse';
export { buildCatalog, warmCatalog, classifyWith } from './buildCatalog';
export { NONE } from './trainClassifier';
export { pickFlow, readRequest } from './pickFlow';
export { initialState, migrateState } from './state';
export { resolveText } from './resolveText';
export { normalize, foldAccents } from './normalize';
export { choiceValue } from './nodes/question';
export { runScenario, type Scenario, type ScenarioResult } from './runScenario';

/**
 * Flow definition: the format (schema), reading YAML files with positions, and the checks that
 * `ariane check` and the server run. Other folders import from here only.
 */
export {
  ID_PATTERN,
  STANDARD_SERVICES,
  STANDARD_PROGRAMMES,
  STANDARD_SPECIFIC_SUPPORT,
  Text,
  Words,
  Source,
  Support,
  QuestionNode,
  Condition,
  BranchNode,
  FlowNode,
  type NodeKind,
  type NodeOf,
  Flow,
} from './schema';
export { type Diagnostic, formatDiagnostic, hasErrors } from './diagnostic';
export type { CheckOptions, FicheLookup } from './checkFlows';
export { loadFlowDirectory, loadFlowFiles, isScenarioFile, type FlowSet } from './loadFlowDirectory';
export { closest } from './closest';
export { FICHE_ID_PATTERN, ficheUrl, ficheIdOf, citationUrl, sourceUrl } from './ficheCitation';
export { loadScenarioFile } from './loadScenarioFile';
export { isExamplesFile, type Example } from './loadExamplesFile';
export { Scenario } from './scenarioSchema';
export { FlowWatcher } from './FlowWatcher';
export { FlowCache } from './FlowCache';

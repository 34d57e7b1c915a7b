/**
 * Flow definition: the format (schema), reading YAML files with positions, and the checks that
 * `ariane check` and the server run. Other folders import from here only.
 */
export * from './schema';
export { type Diagnostic, type DiagnosticCode, DIAGNOSTIC_CODES, formatDiagnostic, hasErrors, sortDiagnostics, strictify } from './diagnostic';
export { FlowSource, type DataPath, type Position } from './flowSource';
export { loadFlow, parseFlow, parseYamlFile, type LoadedFlow } from './loadFlow';
export { checkFlow, checkFlows, edgesOf, textsOf, urlsOf, fichesOf, CONDITION_OPERATORS, type CheckOptions, type FicheLookup, type ParsedFlow } from './checkFlows';
export { loadFlowDirectory, loadFlowFiles, isScenarioFile, type FlowSet, type LoadOptions } from './loadFlowDirectory';
export { closest } from './closest';
export { FICHE_ID_PATTERN, ficheUrl, ficheIdOf, citationUrl, sourceUrl } from './ficheCitation';
export { loadScenarioFile, parseScenarioFile, type LoadedScenarios } from './loadScenarioFile';
export { ScenarioFile, Scenario, ScenarioAnswer, HANDOFF_REASONS } from './scenarioSchema';
export { flowJsonSchema, flowJsonSchemaText, scenarioJsonSchemaText, NODE_SNIPPETS } from './flowJsonSchema';
export { FlowWatcher, type FlowWatcherOptions, type FlowSnapshot } from './FlowWatcher';

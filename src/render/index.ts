/**
 * Renderers for admins and mediators: a flow as a Mermaid graph or as a printable checklist.
 * Pure functions (flow in, text out): the CLI and, later, the web admin pages share them.
 */
export { toMermaid, escapeMermaid, mermaidId } from './toMermaid';
export { toChecklist, escapeHtml, escapeMarkdown, type ChecklistOptions } from './toChecklist';
export { walkFlow, edgesFrom, describeWhen, type FlowEdge, type When, type ConditionWords } from './walkFlow';
export { labelsFor, type RenderLabels } from './labels';
export { pickText, pickWords } from './pickText';

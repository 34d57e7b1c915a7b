/**
 * Renderers for admins and mediators: a flow as a Mermaid graph or as a printable checklist.
 * Pure functions (flow in, text out): the CLI and, later, the web admin pages share them.
 */
export { toMermaid } from './toMermaid';
export { toChecklist, escapeHtml } from './toChecklist';
export type { When } from './walkFlow';

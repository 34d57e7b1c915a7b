/**
 * Problems found in flow files, shaped so that an admin can act on them: a file, a line and column
 * pointing at the offending key or value, a plain French message and, when we can guess it, a fix.
 */

/** One problem in one flow file. `line` and `col` are 1-based. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  /** Stable machine-readable kind (listed in flows/README.md), e.g. `unknown-field`, `unknown-node`. */
  code: DiagnosticCode;
  /** What is wrong, in French. */
  message: string;
  /** How to fix it, in French, when we can tell (e.g. « vouliez-vous dire « choices » ? »). */
  hint?: string;
}

/** Every kind of problem `ariane check` reports. The admin guide has one row per code. */
export const DIAGNOSTIC_CODES = [
  // errors
  'io',
  'yaml-syntax',
  'schema',
  'unknown-field',
  'missing-field',
  'unknown-kind',
  'unknown-node',
  'duplicate-flow-id',
  'id-mismatch',
  'trap',
  'branch-loop',
  'condition-operators',
  'bad-date',
  'duplicate-choice',
  'scenario',
  'example',
  'unknown-fiche',
  'contact',
  // warnings (errors with --strict); unknown-fiche is a warning against an old snapshot
  'unreachable',
  'missing-translation',
  'review-outdated',
  'insecure-link',
  'unknown-answer',
  'unknown-value',
  'fiche-modified',
  'duplicate-example',
] as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** Formats one diagnostic as `path:line:col: error|warning: message (hint)` — one line, grep-able, editor-clickable. */
export function formatDiagnostic(d: Diagnostic): string {
  const severity = d.severity === 'error' ? 'error' : 'warning';
  return `${d.file}:${d.line}:${d.col}: ${severity}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`;
}

/** True when at least one diagnostic is an error (the server refuses to start, the CLI exits non-zero). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Orders diagnostics by file, then position, so output is stable whatever order checks ran in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** `--strict`: every warning becomes an error (same message, same code). */
export function strictify(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' as const } : d));
}

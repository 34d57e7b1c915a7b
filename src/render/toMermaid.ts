import type { Flow, FlowNode, NodeKind } from '../flow';
import { labelsFor } from './labels';
import { pickText } from './pickText';
import { describeWhen, edgesFrom, walkFlow } from './walkFlow';

/** Longest node text shown in a graph box; the whole text is in the YAML, the graph shows shape. */
const EXCERPT = 60;

/**
 * Makes any text safe inside a quoted Mermaid label. Mermaid reads `#name;` / `#123;` as entity
 * codes, so `#` goes first; quotes, angle brackets and pipes would otherwise end the label or edge,
 * and backticks start Markdown strings.
 */
export function escapeMermaid(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/#/g, '#35;')
    .replace(/&/g, '#38;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;');
}

/** A Mermaid id for a node: a prefix keeps ids like `end` (a Mermaid keyword) and `a-b` usable. */
export function mermaidId(nodeId: string): string {
  return `n_${nodeId.replace(/-/g, '_')}`;
}

const SHAPES: Record<NodeKind, [string, string]> = {
  question: ['{', '}'],
  input: ['[/', '/]'],
  step: ['[', ']'],
  checklist: ['[[', ']]'],
  branch: ['{{', '}}'],
  end: ['([', '])'],
  handoff: ['>', ']'],
};

const CLASS_STYLES: Record<NodeKind, string> = {
  question: 'fill:#e8f0fe,stroke:#1a56db',
  input: 'fill:#f3e8ff,stroke:#7e22ce',
  step: 'fill:#ffffff,stroke:#374151',
  checklist: 'fill:#fef9c3,stroke:#a16207',
  branch: 'fill:#f1f5f9,stroke:#64748b',
  end: 'fill:#dcfce7,stroke:#15803d',
  handoff: 'fill:#ffe4e6,stroke:#be123c',
};

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1).trimEnd()}…` : flat;
}

function nodeText(node: FlowNode, lang: string): string {
  if (node.kind === 'branch') return node.text === undefined ? '' : pickText(node.text, lang);
  return pickText(node.text, lang);
}

/**
 * The flow as a Mermaid `flowchart TD`: one box per node (id, kind and the start of its text; one
 * shape per kind), choice labels on a question's arrows, conditions on a branch's arrows, and
 * "done" / "cannot" arrows for steps — a step without `stuck` points at the engine's default
 * human help. Nodes appear in the same depth-first order as the checklist. Pure: text in, text out.
 */
export function toMermaid(flow: Flow, lang = 'fr'): string {
  const words = labelsFor(lang);
  const { reachable, unreachable } = walkFlow(flow);
  const order = [...reachable, ...unreachable];
  const lines: string[] = ['flowchart TD'];
  const q = (s: string) => `"${escapeMermaid(s)}"`;

  lines.push(`  ariane_start((${q(words.start)})) --> ${mermaidId(flow.start)}`);
  for (const id of order) {
    const node = flow.nodes[id] as FlowNode;
    const [open, close] = SHAPES[node.kind];
    const text = excerpt(nodeText(node, lang));
    const head = `${escapeMermaid(id)} · ${escapeMermaid(words.kinds[node.kind])}`;
    const body = text ? `${head}<br/>${escapeMermaid(text)}` : head;
    lines.push(`  ${mermaidId(id)}${open}"${body}"${close}`);
  }

  let needsHelp = false;
  for (const id of order) {
    const node = flow.nodes[id] as FlowNode;
    const from = mermaidId(id);
    for (const edge of edgesFrom(node)) {
      switch (edge.kind) {
        case 'choice':
          lines.push(`  ${from} -->|${q(pickText(edge.label, lang))}| ${mermaidId(edge.target)}`);
          break;
        case 'next':
          lines.push(`  ${from} --> ${mermaidId(edge.target)}`);
          break;
        case 'done':
          lines.push(`  ${from} -->|${q(words.done)}| ${mermaidId(edge.target)}`);
          break;
        case 'cannot':
          if (edge.target === undefined) needsHelp = true;
          lines.push(`  ${from} -.->|${q(words.cannot)}| ${edge.target === undefined ? 'ariane_help' : mermaidId(edge.target)}`);
          break;
        case 'rule':
          lines.push(`  ${from} -->|${q(describeWhen(edge.when, words, (_a, v) => String(v)))}| ${mermaidId(edge.target)}`);
          break;
        case 'otherwise':
          lines.push(`  ${from} -->|${q(words.otherwise)}| ${mermaidId(edge.target)}`);
          break;
      }
    }
  }
  if (needsHelp) lines.push(`  ariane_help>${q(words.defaultHelp)}]`);

  // Class names are prefixed: `end` is a Mermaid keyword and would break the chart.
  for (const kind of Object.keys(CLASS_STYLES) as NodeKind[]) {
    const ids = order.filter((id) => flow.nodes[id]?.kind === kind).map(mermaidId);
    if (kind === 'handoff' && needsHelp) ids.push('ariane_help');
    if (ids.length === 0) continue;
    lines.push(`  classDef k_${kind} ${CLASS_STYLES[kind]}`);
    lines.push(`  class ${ids.join(',')} k_${kind}`);
  }
  return `${lines.join('\n')}\n`;
}

import type * as Yaml from 'yaml';
import type { Document, LineCounter, Node as YamlNode } from 'yaml';

// The YAML library is loaded when a file must really be parsed: a start whose flows all come from
// the parsed-flow cache does without it (a tenth of a second less on the path to ready).
let yamlLib: typeof Yaml | undefined;
/** The `yaml` module, loaded on first use. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const yaml = (): typeof Yaml => (yamlLib ??= require('yaml') as typeof Yaml);

/** A path into the parsed data: object keys and array indexes, e.g. `['nodes', 'intro', 'choices', 1, 'next']`. */
export type DataPath = ReadonlyArray<string | number>;

/** A 1-based position in a file. */
export interface Position {
  line: number;
  col: number;
}

/** A file's YAML tree and the line counter that turns its offsets into positions. */
export interface YamlTree {
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

/** Parses YAML text the one way flows and scenario files are read (YAML 1.2, unique keys). */
export function parseYamlTree(text: string): YamlTree {
  const { LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, version: '1.2' });
  return { doc, lineCounter };
}

/**
 * A flow file's text and YAML tree, able to tell where any value (or its key) sits, so that every
 * diagnostic points at the offending line rather than at the top of the file. The tree may be
 * given or parsed on first use: a flow read from the parsed-flow cache needs positions only when a
 * check has something to say about it.
 */
export class FlowSource {
  constructor(
    /** The path as the caller gave it (printed as is in diagnostics). */
    readonly file: string,
    readonly text: string,
    private parsed?: YamlTree,
  ) {}

  /** The YAML tree (parsed now if it was not given). */
  get doc(): Document.Parsed {
    return this.tree().doc;
  }

  private tree(): YamlTree {
    return (this.parsed ??= parseYamlTree(this.text));
  }

  /** Line and column of an offset in the text. */
  positionOf(offset: number): Position {
    const { line, col } = this.tree().lineCounter.linePos(offset);
    return { line, col };
  }

  /**
   * Where the value at `path` is written; with `at: 'key'`, where its key is written (better for
   * "unknown field" or "this node is a trap"). Falls back to the closest existing ancestor, then to
   * the first line, so it never fails.
   */
  locate(path: DataPath, at: 'key' | 'value' = 'value'): Position {
    const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
    const doc = this.doc;
    const root = doc.contents;
    if (!root) return { line: 1, col: 1 };
    let node: unknown = root;
    let key: unknown = undefined;
    let lastGood: { range?: [number, number, number] | null } = root;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        key = pair.key;
        node = pair.value;
        lastGood = (pair.value as YamlNode | null)?.range ? (pair.value as YamlNode) : (pair.key as YamlNode);
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (!item) break;
        key = undefined;
        node = item;
        lastGood = item as YamlNode;
      } else {
        break;
      }
    }
    const target = (at === 'key' && key && (key as YamlNode).range ? key : lastGood) as YamlNode;
    return this.positionOf(target.range ? target.range[0] : 0);
  }

  /** True when `path` exists in the YAML tree (used to avoid pointing a message at a parent by mistake). */
  has(path: DataPath): boolean {
    const { isAlias, isMap, isPair, isScalar, isSeq } = yaml();
    const doc = this.doc;
    let node: unknown = doc.contents;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) return false;
        node = pair.value;
      } else if (isSeq(node)) {
        node = node.items[Number(segment)];
        if (node === undefined) return false;
      } else return false;
    }
    return true;
  }
}

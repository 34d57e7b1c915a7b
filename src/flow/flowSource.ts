import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node as YamlNode } from 'yaml';

/** A path into the parsed data: object keys and array indexes, e.g. `['nodes', 'intro', 'choices', 1, 'next']`. */
export type DataPath = ReadonlyArray<string | number>;

/** A 1-based position in a file. */
export interface Position {
  line: number;
  col: number;
}

/**
 * A flow file's text and YAML tree, able to tell where any value (or its key) sits, so that every
 * diagnostic points at the offending line rather than at the top of the file.
 */
export class FlowSource {
  constructor(
    /** The path as the caller gave it (printed as is in diagnostics). */
    readonly file: string,
    readonly text: string,
    readonly doc: Document.Parsed | undefined,
    private readonly lineCounter: LineCounter,
  ) {}

  /** Line and column of an offset in the text. */
  positionOf(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, col };
  }

  /**
   * Where the value at `path` is written; with `at: 'key'`, where its key is written (better for
   * "unknown field" or "this node is a trap"). Falls back to the closest existing ancestor, then to
   * the first line, so it never fails.
   */
  locate(path: DataPath, at: 'key' | 'value' = 'value'): Position {
    const root = this.doc?.contents;
    if (!root) return { line: 1, col: 1 };
    let node: unknown = root;
    let key: unknown = undefined;
    let lastGood: { range?: [number, number, number] | null } = root;
    for (const segment of path) {
      if (isAlias(node) && this.doc) node = node.resolve(this.doc);
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
    let node: unknown = this.doc?.contents;
    for (const segment of path) {
      if (isAlias(node) && this.doc) node = node.resolve(this.doc);
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

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExamplesFile } from './examplesSchema';
import { Flow } from './schema';

/** Bump when what a cached entry means changes in a way the schema's text does not show. */
const FORMAT = 1;

/**
 * The cache's version: its format and the flow and example-file schemas, so that a release that
 * changes what a valid file is never serves one validated under the old rules.
 */
const VERSION = createHash('sha256').update(`${FORMAT}\n${JSON.stringify(Flow)}\n${JSON.stringify(ExamplesFile)}`).digest('hex').slice(0, 16);

interface CacheFile {
  version: string;
  /** Flows (and example files) by the SHA-256 of their file's text. */
  flows: Record<string, unknown>;
}

/**
 * Flows already parsed and validated, kept in one plain JSON file by the SHA-256 of their text, so
 * that a restart skips YAML parsing and schema validation of the files that did not change (with
 * many flows, most of a start's time). Only files that parsed without a single diagnostic are kept;
 * the graph and citation checks still run on every load. A missing, unreadable, foreign or
 * older-version file only means parsing again, and a cache that cannot be written is reported
 * through `onError`, never thrown: it is an optimisation, not a source of truth.
 *
 * Use: `get` for each file's text, `put` for each file parsed, then `save` once the directory is
 * read; the file then holds exactly the flows of that load. Example files (`*.examples.yaml`) are
 * kept the same way, as their parsed value.
 */
export class FlowCache {
  private stored: Map<string, unknown> | undefined;
  private readonly used = new Map<string, unknown>();
  private changed = false;
  private failed = false;

  constructor(
    /** The cache file, e.g. `<data dir>/flow-cache.json`. */
    readonly file: string,
    private readonly onError: (err: Error) => void = () => undefined,
  ) {}

  /** The key of a file's text. */
  static keyOf(text: string): string {
    return createHash('sha256').update(text).digest('hex');
  }

  /** The flow (or example file) parsed earlier from exactly this text, if any (a fresh copy: callers may keep it). */
  get<T = Flow>(text: string): T | undefined {
    const key = FlowCache.keyOf(text);
    const flow = this.read().get(key);
    if (flow === undefined) return undefined;
    this.used.set(key, flow);
    return structuredClone(flow) as T;
  }

  /** Remembers a flow (or an example file's value) parsed from `text` without any diagnostic. */
  put(text: string, flow: Flow | ExamplesFile): void {
    const key = FlowCache.keyOf(text);
    if (!this.read().has(key)) this.changed = true;
    this.used.set(key, structuredClone(flow));
  }

  /**
   * Writes the flows asked for or put since the last save (and forgets the others), when that
   * differs from the file. Atomic: a crash mid-write leaves the previous file.
   */
  save(): void {
    const stored = this.read();
    const same = !this.changed && stored.size === this.used.size;
    const used = new Map(this.used);
    this.used.clear();
    this.changed = false;
    if (same) return;
    this.stored = used;
    const body: CacheFile = { version: VERSION, flows: Object.fromEntries(used) };
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify(body));
      renameSync(tmp, this.file);
    } catch (err) {
      // Said once: a read-only data directory would otherwise log at every reload.
      if (!this.failed) this.onError(err as Error);
      this.failed = true;
    }
  }

  private read(): Map<string, unknown> {
    if (this.stored) return this.stored;
    this.stored = new Map();
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // Absent (first start) or unreadable: rebuilt at the next save, whose failure is the one reported.
      return this.stored;
    }
    try {
      const body = JSON.parse(text) as Partial<CacheFile> | null;
      if (body && body.version === VERSION && body.flows && typeof body.flows === 'object') {
        for (const [key, flow] of Object.entries(body.flows)) if (flow && typeof flow === 'object') this.stored.set(key, flow);
      }
    } catch {
      // A damaged cache (a disk full mid-write, an edit by hand) is rebuilt at the next save.
    }
    return this.stored;
  }
}

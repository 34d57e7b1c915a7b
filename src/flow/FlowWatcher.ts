/**
 * Reloads the flows when a YAML file changes on disk. An edit that breaks a flow (syntax, schema or
 * graph error) does NOT replace what is being served: the previous good set stays live and the
 * rejected attempt, with its file and line diagnostics, is kept for the admin page.
 */
import * as fs from 'node:fs';
import type { FlowSet } from './loadFlowDirectory';

/** One load of the flows folder. */
export interface FlowSnapshot {
  set: FlowSet;
  /** Epoch ms. */
  at: number;
}

export interface FlowWatcherOptions {
  dir: string;
  /** Loads and checks the folder (the flow loader's `loadFlowDirectory`/`loadFlowFiles`). */
  load(dir: string): FlowSet;
  /** Called with each new GOOD set, e.g. to rebuild the bot's catalog. */
  onReload?(set: FlowSet): void;
  /** Called when an edit is rejected (for logs). */
  onRejected?(set: FlowSet): void;
  /** Waits for editors' save bursts (write, rename, chmod…) to settle. */
  debounceMs?: number;
  now?: () => number;
}

/** Watches a flows folder; see the file comment. */
export class FlowWatcher {
  private good: FlowSnapshot;
  private rejected: FlowSnapshot | undefined;
  private watcher: fs.FSWatcher | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: FlowWatcherOptions, initial?: FlowSet) {
    this.now = options.now ?? Date.now;
    this.good = { set: initial ?? options.load(options.dir), at: this.now() };
  }

  /** The set being served. */
  current(): FlowSnapshot {
    return this.good;
  }

  /** The last rejected edit, when it is newer than the set being served. */
  lastRejected(): FlowSnapshot | undefined {
    return this.rejected;
  }

  /** Loads the folder now; returns true when the new set was accepted. */
  reload(): boolean {
    const set = this.options.load(this.options.dir);
    const snap = { set, at: this.now() };
    if (!set.ok) {
      this.rejected = snap;
      this.options.onRejected?.(set);
      return false;
    }
    this.good = snap;
    this.rejected = undefined;
    this.options.onReload?.(set);
    return true;
  }

  /** Starts watching the folder (idempotent). */
  start(): this {
    if (this.watcher) return this;
    this.watcher = fs.watch(this.options.dir, (_event, file) => {
      if (file && !/\.ya?ml$/i.test(String(file))) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        try {
          this.reload();
        } catch {
          // A file vanished mid-read: the next event reloads again.
        }
      }, this.options.debounceMs ?? 200);
    });
    this.watcher.on('error', () => this.stop());
    return this;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
  }
}

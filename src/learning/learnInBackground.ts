/**
 * Learning the example requests off the event loop. Training the classifier takes about a second and
 * a half of one core; done in the service's own thread, every request, stream and health check waits
 * behind it, at each start and each flow edit. A worker thread does it instead, and only the turns
 * that need the classifier wait for it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { warmCatalog, type Catalog } from '../engine';
import type { Flow } from '../flow';

/** What the worker learns from: the catalog's parts, plain data a worker can be sent. */
export interface LearningInput {
  flows: Flow[];
  lexicons: Catalog['lexicons'];
  examples: NonNullable<Catalog['examples']>;
}

export interface LearnOptions {
  /**
   * The compiled worker script. By default the one beside this file; where there is none (the
   * TypeScript sources run directly, as in the unit tests), the catalog learns in this thread.
   */
  workerFile?: string;
  /** Told when the worker could not learn and this thread did instead. */
  onWorkerError?: (err: Error) => void;
}

const DEFAULT_WORKER = path.join(__dirname, 'classifierWorker.js');

/**
 * Sets the classifier of `catalog`, learnt in a worker thread (the same model as in this thread:
 * learning is deterministic). Resolves once the catalog has it; never rejects: when the worker fails,
 * this thread learns it, on a later tick. A catalog without examples, or already learnt, resolves at
 * once.
 */
export function learnInBackground(catalog: Catalog, options: LearnOptions = {}): Promise<void> {
  if (!catalog.examples || catalog.classifier) return Promise.resolve();
  const examples = catalog.examples;
  const file = options.workerFile ?? DEFAULT_WORKER;
  const here = () =>
    new Promise<void>((resolve) =>
      setImmediate(() => {
        warmCatalog(catalog);
        resolve();
      }),
    );
  if (!existsSync(file)) return here();
  return new Promise<void>((resolve) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      options.onWorkerError?.(err);
      void here().then(resolve);
    };
    const input: LearningInput = { flows: [...catalog.flows.values()], lexicons: catalog.lexicons, examples };
    let worker: Worker;
    try {
      worker = new Worker(file, { workerData: input });
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    // A service closing meanwhile does not wait for it.
    worker.unref();
    worker.once('message', (model: Catalog['classifier'] | null) => {
      if (settled) return;
      settled = true;
      // A turn that could not wait (none should) may have learnt it here meanwhile: same model.
      if (model && !catalog.classifier) catalog.classifier = model;
      if (!catalog.classifier) warmCatalog(catalog);
      resolve();
    });
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`the classifier's worker exited with code ${code} before sending its model`)));
  });
}

/**
 * The worker thread `learnInBackground` starts: it learns the classifier of the catalog it is given
 * (flows, lexicons and examples, as plain data) and posts the model back, plain JSON.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildCatalog, warmCatalog } from '../engine';
import type { LearningInput } from './learnInBackground';

const { flows, lexicons, examples } = workerData as LearningInput;
const catalog = buildCatalog(flows, lexicons, [], { deferIndex: true, examples });
warmCatalog(catalog);
parentPort?.postMessage(catalog.classifier ?? null);

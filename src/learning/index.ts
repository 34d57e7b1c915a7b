/** Learning the engine's classifier in a worker thread, so that the service's thread stays free. */
export { learnInBackground, type LearnOptions } from './learnInBackground';

/** Abuse limits shared by the HTTP routes: in memory, or counted in the store for every instance. */
export { memoryLimiters, sharedLimiters, type Limiter, type Limiters } from './Limiter';

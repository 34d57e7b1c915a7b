/** Abuse limits shared by the HTTP routes: in memory, or counted in the store for every instance. */
export { RateLimiter, type RateLimitDecision } from './RateLimiter';
export { memoryLimiters, sharedLimiters, type Limiter, type Limiters, type SharedWindows, type SharedLimitersOptions } from './Limiter';

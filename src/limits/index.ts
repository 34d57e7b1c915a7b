/** Abuse limits shared by the HTTP routes. */
export { RateLimiter, type RateLimitDecision } from './RateLimiter';

/** Abuse limits shared by the HTTP routes. */
export { RateLimiter } from './RateLimiter';

/**
 * Who may read what: mediators' accounts (bcrypt-hashed passwords), server-side sessions for
 * mediators and admins, and failure limits shared by every instance through the store.
 */
export { MediatorAccounts, AccountError, normalizeLogin, MEDIATOR_PREFIX, type MediatorAccount, type MediatorInfo, type SignIn } from './MediatorAccounts';
export { Sessions, revokeSessionsOf, sessionKey, SESSION_PREFIX, TOUCH_EVERY_MS, type SessionKind, type SessionOptions, type SessionRecord } from './Sessions';
export { FailureLimiter, LIMIT_PREFIX, type FailureDecision } from './FailureLimiter';
export { BCRYPT_COST, MIN_PASSWORD_LENGTH, MAX_PASSWORD_BYTES, hashPassword, passwordProblem, verifyPassword } from './passwords';

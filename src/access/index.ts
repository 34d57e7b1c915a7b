/**
 * Who may read what: mediators' accounts (bcrypt-hashed passwords), server-side sessions for
 * mediators and admins, and failure limits shared by every instance through the store.
 */
export { MediatorAccounts, AccountError, normalizeLogin, type MediatorInfo } from './MediatorAccounts';
export { Sessions } from './Sessions';
export { FailureLimiter } from './FailureLimiter';
export { passwordProblem } from './passwords';

/**
 * Mediators' passwords, hashed with bcrypt (`bcryptjs`: pure JavaScript, no native build, no install
 * script; its asynchronous calls work in slices so a sign-in does not stall other requests). The cost
 * is stored in each hash, so raising {@link BCRYPT_COST} later upgrades a hash at its next sign-in.
 * Passwords are never stored, logged or returned: only their hashes are.
 */
import bcrypt from 'bcryptjs';

/** bcrypt's cost (log2 of its rounds); the README gives the time one hash takes here. */
export const BCRYPT_COST = 11;

/** Shortest password accepted: a sentence of a few words is easier to remember than symbols. */
export const MIN_PASSWORD_LENGTH = 12;

/** bcrypt reads at most this many bytes: longer passwords would be cut silently, so they are refused. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * Why a new password is refused (a French sentence for the admin), or undefined when it is fine.
 * `login`: the account's, which the password must not be.
 */
export function passwordProblem(password: string, login?: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Le mot de passe doit avoir au moins ${MIN_PASSWORD_LENGTH} caractères (une courte phrase convient).`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `Le mot de passe doit tenir en ${MAX_PASSWORD_BYTES} octets (environ ${MAX_PASSWORD_BYTES} lettres sans accent).`;
  if (/^\s|\s$/.test(password)) return 'Le mot de passe ne doit pas commencer ni finir par un espace.';
  if (login !== undefined && password.toLowerCase().includes(login.toLowerCase())) return 'Le mot de passe ne doit pas contenir l’identifiant.';
  return undefined;
}

/** The bcrypt hash of `password` (a fresh salt each time). */
export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

/**
 * A hash of no one's password, checked when a login is unknown or disabled so that the answer takes
 * as long as for a real account (the time must not tell which logins exist).
 */
let decoy: Promise<string> | undefined;

/** True when `password` matches `hash`; with no hash, spends the same time and says false. */
export async function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  if (hash === undefined) {
    decoy ??= bcrypt.hash('no account has this password', BCRYPT_COST);
    await bcrypt.compare(password, await decoy);
    return false;
  }
  return bcrypt.compare(password, hash);
}

/** True when `hash` was made with a lower cost than today's (it is then redone at sign-in). */
export function needsRehash(hash: string): boolean {
  try {
    return bcrypt.getRounds(hash) < BCRYPT_COST;
  } catch {
    return false;
  }
}

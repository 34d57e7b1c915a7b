/**
 * Mediators' accounts, one per mediator or one per help place (shared by its team), created and
 * managed by an admin with `ariane mediator …` and used to sign in on `/mediateur`. Stored as plain
 * JSON under `mediator/<login>` in the KeyValueStore (memory, SQLite, PostgreSQL: no table of their
 * own), with the bcrypt hash of the password, never the password.
 *
 * Every change of password and every disabling bumps the account's generation: sessions opened
 * before carry the old one and are refused (and `ariane mediator` deletes them outright).
 */
import { ConflictError, IF_ABSENT, type KeyValueStore, type StoredItem } from '../store';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords';
import { revokeSessionsOf } from './Sessions';

/** The store key prefix of mediators' accounts. */
export const MEDIATOR_PREFIX = 'mediator/';

/** An account as stored (plain JSON). */
export interface MediatorAccount {
  v: 1;
  login: string;
  /** bcrypt hash of the password. */
  hash: string;
  /** The help place the account belongs to, when given (`ariane mediator add --place`). */
  place?: { id: string; name?: string };
  disabled: boolean;
  /** Bumped at each password change and disabling: sessions from before are refused. */
  generation: number;
  /** ISO dates. */
  createdAt: string;
  updatedAt: string;
  lastSignInAt?: string;
}

/** An account as shown to admins and pages: everything but the hash. */
export type MediatorInfo = Omit<MediatorAccount, 'hash'>;

/** A refused account operation (bad login, taken login, unknown account, weak password…), in French. */
export class AccountError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AccountError';
  }
}

const LOGIN_RE = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** A login as typed → as stored (trimmed, lower case); undefined when it cannot be a login. */
export function normalizeLogin(input: string): string | undefined {
  const login = input.trim().toLowerCase();
  return LOGIN_RE.test(login) ? login : undefined;
}

function info(a: MediatorAccount): MediatorInfo {
  const { hash: _hash, ...rest } = a;
  void _hash;
  return rest;
}

/** The outcome of a sign-in attempt. */
export type SignIn = { ok: true; account: MediatorInfo } | { ok: false; reason: 'unknown' | 'disabled' | 'password' };

/** Mediators' accounts in a KeyValueStore. */
export class MediatorAccounts {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async item(login: string): Promise<StoredItem<MediatorAccount> | undefined> {
    const key = MEDIATOR_PREFIX + login;
    const item = (await this.kv.get<MediatorAccount>([key]))[key];
    return item && item.value.v === 1 ? item : undefined;
  }

  private checkLogin(input: string): string {
    const login = normalizeLogin(input);
    if (!login) throw new AccountError(`Identifiant refusé : « ${input} ». 2 à 64 caractères : lettres minuscules sans accent, chiffres, point, tiret ou souligné (ex. marie.durand, fs-rennes-villejean).`);
    return login;
  }

  /** Creates an account; throws AccountError when the login is malformed or taken, or the password weak. */
  async add(loginInput: string, password: string, options: { place?: { id: string; name?: string } } = {}): Promise<MediatorInfo> {
    const login = this.checkLogin(loginInput);
    const problem = passwordProblem(password, login);
    if (problem) throw new AccountError(problem);
    const at = this.now().toISOString();
    const account: MediatorAccount = { v: 1, login, hash: await hashPassword(password), ...(options.place ? { place: options.place } : {}), disabled: false, generation: 1, createdAt: at, updatedAt: at };
    try {
      await this.kv.set([{ key: MEDIATOR_PREFIX + login, value: account, etag: IF_ABSENT }]);
    } catch (err) {
      if (err instanceof ConflictError) throw new AccountError(`L’identifiant « ${login} » existe déjà (ariane mediator list).`);
      throw err;
    }
    return info(account);
  }

  /** Every account, by login. */
  async list(): Promise<MediatorInfo[]> {
    return (await this.kv.scan<MediatorAccount>(MEDIATOR_PREFIX)).filter((i) => i.value.v === 1).map((i) => info(i.value));
  }

  /** One account, or undefined. */
  async get(loginInput: string): Promise<MediatorInfo | undefined> {
    const login = normalizeLogin(loginInput);
    const item = login ? await this.item(login) : undefined;
    return item ? info(item.value) : undefined;
  }

  /** Changes an account under its etag (retried on a concurrent change); throws when it is unknown. */
  private async update(loginInput: string, change: (a: MediatorAccount) => Promise<MediatorAccount>): Promise<MediatorInfo> {
    const login = this.checkLogin(loginInput);
    for (let attempt = 0; ; attempt++) {
      const item = await this.item(login);
      if (!item) throw new AccountError(`Aucun compte « ${login} » (ariane mediator list).`);
      const next = { ...(await change(item.value)), updatedAt: this.now().toISOString() };
      try {
        await this.kv.set([{ key: MEDIATOR_PREFIX + login, value: next, etag: item.etag }]);
        return info(next);
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 4) throw err;
      }
    }
  }

  /** Sets a new password (an admin's reset); ends the account's sessions. */
  async setPassword(loginInput: string, password: string): Promise<MediatorInfo> {
    const login = this.checkLogin(loginInput);
    const problem = passwordProblem(password, login);
    if (problem) throw new AccountError(problem);
    const hash = await hashPassword(password);
    const out = await this.update(login, async (a) => ({ ...a, hash, generation: a.generation + 1 }));
    await revokeSessionsOf(this.kv, 'mediator', login);
    return out;
  }

  /** Disables (or re-enables) an account; disabling ends its sessions. */
  async setDisabled(loginInput: string, disabled: boolean): Promise<MediatorInfo> {
    const out = await this.update(loginInput, async (a) => ({ ...a, disabled, generation: a.generation + (disabled && !a.disabled ? 1 : 0) }));
    if (disabled) await revokeSessionsOf(this.kv, 'mediator', out.login);
    return out;
  }

  /**
   * Checks a login and password, in about the same time whether the login exists or not. On success
   * records the sign-in date (and redoes a hash made at a lower cost); a concurrent change by an
   * admin wins over that record.
   */
  async signIn(loginInput: string, password: string): Promise<SignIn> {
    const login = normalizeLogin(loginInput);
    const item = login ? await this.item(login) : undefined;
    const ok = await verifyPassword(password, item?.value.hash);
    if (!item) return { ok: false, reason: 'unknown' };
    if (!ok) return { ok: false, reason: 'password' };
    const account = item.value;
    if (account.disabled) return { ok: false, reason: 'disabled' };
    const next: MediatorAccount = { ...account, lastSignInAt: this.now().toISOString(), ...(needsRehash(account.hash) ? { hash: await hashPassword(password) } : {}) };
    try {
      await this.kv.set([{ key: MEDIATOR_PREFIX + account.login, value: next, etag: item.etag }]);
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
    return { ok: true, account: info(next) };
  }

  /**
   * The account behind a session of generation `generation`, when it is still enabled and its
   * password unchanged since; else undefined.
   */
  async current(login: string, generation: string): Promise<MediatorInfo | undefined> {
    const item = await this.item(login);
    if (!item || item.value.disabled || String(item.value.generation) !== generation) return undefined;
    return info(item.value);
  }
}

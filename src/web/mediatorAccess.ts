/**
 * Who is reading `/mediateur`: a mediator signed in with an account (`ariane mediator add`), or named
 * by a trusted single-sign-on proxy, or nobody. Only a mediator opens a handoff summary; the
 * procedures, checklists and help places stay public.
 *
 * Guessing codes is bounded three ways: per address (the client's address behind our trusted
 * proxies; in memory per instance, or shared with PostgreSQL), per account and for the whole service
 * (in the store, shared by every instance). Only failed look-ups count against the
 * last two, so a mediator who types real codes is never slowed down. Sign-ins are limited the same
 * way (per address, per login, whole service), and every sign-in and every summary opened is logged
 * (who, which code, when; never a password or a summary's content).
 */
import type { IncomingMessage } from 'node:http';
import { FailureLimiter, MediatorAccounts, normalizeLogin, type MediatorInfo } from '../access';
import { handoffCodeKind } from '../handoff';
import { ClientAddresses } from '../http';
import type { Limiter } from '../limits';
import { readCookies } from './cookies';
import type { WebDeps } from './WebDeps';
import type { WebSessions } from './webSessions';

/** The mediators' session cookie (only sent to `/mediateur`). */
export const MEDIATOR_COOKIE = 'ariane_mediateur';

/** A mediator reading the pages. */
export interface Mediator {
  login: string;
  place?: { id: string; name?: string };
  /** `session`: signed in here (can sign out); `header`: named by the single-sign-on proxy. */
  via: 'session' | 'header';
}

/** A refusal by a limit. */
export interface Refusal {
  retryAfterSeconds: number;
}

const HOUR = 3_600_000;
const QUARTER = 15 * 60_000;

/** The gate in front of handoff summaries. */
export class MediatorGate {
  readonly accounts?: MediatorAccounts;
  private readonly codeFailures: FailureLimiter;
  private readonly legacyCodeFailures: FailureLimiter;
  private readonly accountCodeFailures: FailureLimiter;
  private readonly signInFailuresGlobal: FailureLimiter;
  private readonly signInFailuresPerLogin: FailureLimiter;
  private readonly signInsPerAddress: Limiter;
  /** The single-sign-on proxies: its header is believed from them only. */
  private readonly ssoProxies: ClientAddresses;

  constructor(
    private readonly deps: WebDeps,
    private readonly shared: WebSessions,
  ) {
    const { kv, now } = shared;
    if (deps.store) this.accounts = new MediatorAccounts(deps.store.kv, () => new Date(now()));
    this.codeFailures = new FailureLimiter(kv, 'code-failures', deps.codeFailuresPerHour ?? 200, HOUR, now);
    this.legacyCodeFailures = new FailureLimiter(kv, 'legacy-code-failures', deps.legacyCodeFailuresPerHour ?? 2, HOUR, now);
    this.accountCodeFailures = new FailureLimiter(kv, 'account-code-failures', deps.accountCodeFailuresPerHour ?? 20, HOUR, now);
    this.signInFailuresGlobal = new FailureLimiter(kv, 'signin-failures', deps.signInFailuresGlobal ?? 100, QUARTER, now);
    this.signInFailuresPerLogin = new FailureLimiter(kv, 'login-failures', deps.signInFailuresPerLogin ?? 10, QUARTER, now);
    this.signInsPerAddress = shared.limiters('mediator-signins-per-ip', deps.loginsPerMinute ?? 10, 60_000);
    this.ssoProxies = new ClientAddresses(deps.mediatorAuthHeader?.proxies ?? []);
  }

  /** The name a trusted single-sign-on proxy gives, when the request comes from one. */
  private fromHeader(req: IncomingMessage): Mediator | undefined {
    const sso = this.deps.mediatorAuthHeader;
    if (!sso || !this.ssoProxies.fromTrustedProxy(req)) return undefined;
    const value = req.headers[sso.header.toLowerCase()];
    const name = (Array.isArray(value) ? value[0] : value)?.trim();
    if (!name || name.length > 128 || !/^[\x20-\x7e\u00a0-\uffff]+$/.test(name)) return undefined;
    return { login: name, via: 'header' };
  }

  /** The mediator behind this request, or undefined (not signed in, session ended, account disabled). */
  async who(req: IncomingMessage): Promise<Mediator | undefined> {
    const sso = this.fromHeader(req);
    if (sso) return sso;
    if (!this.accounts) return undefined;
    const session = await this.shared.sessions.read(readCookies(req)[MEDIATOR_COOKIE], 'mediator');
    if (!session) return undefined;
    const account = await this.accounts.current(session.subject, session.generation);
    return account ? { login: account.login, ...(account.place ? { place: account.place } : {}), via: 'session' } : undefined;
  }

  /**
   * Checks a sign-in against the limits and the accounts. Resolves to the session id to set, or to
   * why not: a limit (with its wait), or `refused` (with the French message to show).
   */
  async signIn(req: IncomingMessage, loginInput: string, password: string): Promise<{ sessionId: string; account: MediatorInfo } | { limited: Refusal } | { refused: string }> {
    if (!this.accounts) return { refused: 'Les comptes ne sont pas disponibles sur ce serveur.' };
    const address = await this.signInsPerAddress.hit(this.shared.clients.key(req), this.shared.now());
    if (!address.allowed) return { limited: { retryAfterSeconds: address.retryAfterSeconds } };
    const global = await this.signInFailuresGlobal.check();
    if (!global.allowed) {
      this.deps.logger?.warn({ event: 'mediator.signin_limited', scope: 'service' }, 'mediator sign-ins refused: too many failures for the whole service');
      return { limited: global };
    }
    const login = normalizeLogin(loginInput);
    const perLogin = await this.signInFailuresPerLogin.check(login ?? '?');
    if (!perLogin.allowed) {
      this.deps.logger?.warn({ event: 'mediator.signin_limited', scope: 'login', ...(login ? { login } : {}) }, 'mediator sign-ins refused: too many failures for this login');
      return { limited: perLogin };
    }
    const result = await this.accounts.signIn(loginInput, password);
    if (!result.ok) {
      await this.signInFailuresGlobal.fail();
      await this.signInFailuresPerLogin.fail(login ?? '?');
      // The typed login is logged only when it is an account's: a password typed in the wrong field must not reach the logs.
      this.deps.logger?.warn({ event: 'mediator.signin_failed', reason: result.reason, ...(result.reason !== 'unknown' && login ? { login } : {}) }, 'mediator sign-in refused');
      return { refused: result.reason === 'disabled' ? 'Ce compte est désactivé. Demandez à l’administrateur du service.' : 'Identifiant ou mot de passe incorrect.' };
    }
    const sessionId = await this.shared.sessions.create('mediator', result.account.login, String(result.account.generation));
    this.deps.logger?.info({ event: 'mediator.signin', login: result.account.login, ...(result.account.place ? { place: result.account.place.id } : {}) }, 'mediator signed in');
    return { sessionId, account: result.account };
  }

  /** Ends the request's session (logout). */
  async signOut(req: IncomingMessage): Promise<void> {
    await this.shared.sessions.revoke(readCookies(req)[MEDIATOR_COOKIE]);
  }

  /** Whether `mediator` may look up `code` now (the service's and the account's budgets of failures). */
  async mayLookUp(mediator: Mediator, code: string): Promise<Refusal | undefined> {
    const global = handoffCodeKind(code) === 'legacy' ? this.legacyCodeFailures : this.codeFailures;
    for (const [limiter, key, scope] of [
      [global, 'all', 'service'],
      [this.accountCodeFailures, mediator.login, 'account'],
    ] as const) {
      const d = await limiter.check(key);
      if (!d.allowed) {
        this.deps.logger?.warn({ event: 'handoff.lookup_limited', scope, kind: handoffCodeKind(code), login: mediator.login }, 'handoff look-ups refused: too many unknown codes');
        return d;
      }
    }
    return undefined;
  }

  /** Records a look-up of a well-formed code that opened nothing. */
  async failedLookUp(mediator: Mediator, code: string): Promise<void> {
    await (handoffCodeKind(code) === 'legacy' ? this.legacyCodeFailures : this.codeFailures).fail();
    await this.accountCodeFailures.fail(mediator.login);
    this.deps.logger?.info({ event: 'handoff.lookup_failed', login: mediator.login, kind: handoffCodeKind(code) }, 'handoff code not found');
  }

  /** Records who opened which summary, when (the code, never the content). */
  opened(mediator: Mediator, code: string): void {
    this.deps.logger?.info({ event: 'handoff.opened', code, login: mediator.login, via: mediator.via, ...(mediator.place ? { place: mediator.place.id } : {}), at: new Date(this.shared.now()).toISOString() }, 'handoff summary opened');
  }
}

/**
 * The sessions the pages share (mediators' and admins'), kept in the service's store so that every
 * instance on one database sees them; without a store (a server mounting the pages alone), in memory.
 */
import { Sessions } from '../access';
import { ClientAddresses } from '../http';
import { memoryLimiters, type Limiters } from '../limits';
import { MemoryStore, type KeyValueStore } from '../store';
import type { WebDeps } from './WebDeps';

/** Default: a session ends after an hour without a request… */
export const DEFAULT_SESSION_IDLE_MS = 3_600_000;
/** …or ten hours after sign-in (a working day). */
export const DEFAULT_SESSION_MAX_MS = 10 * 3_600_000;

/** What the admin and mediator routes share. */
export interface WebSessions {
  kv: KeyValueStore;
  sessions: Sessions;
  now: () => number;
  /** Who the client is, for the per-address limits (behind our own proxies only). */
  clients: ClientAddresses;
  /** Where the per-address limits count. */
  limiters: Limiters;
}

/** Builds the shared sessions from the pages' dependencies. */
export function webSessions(deps: WebDeps): WebSessions {
  const now = deps.now ?? Date.now;
  const kv = deps.store?.kv ?? new MemoryStore({ now }).kv;
  return { kv, now, clients: deps.clients ?? new ClientAddresses(), limiters: deps.limiters ?? memoryLimiters, sessions: new Sessions(kv, { idleMs: deps.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS, maxMs: deps.sessionMaxMs ?? DEFAULT_SESSION_MAX_MS, now }) };
}

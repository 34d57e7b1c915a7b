import type { RouteServer } from './index';
import type { WebDeps } from './WebDeps';
/** Mediators' pages (filled in next). */
export function registerMediatorRoutes(_server: RouteServer, _deps: WebDeps): void {}

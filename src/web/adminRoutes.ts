import type { RouteServer } from './index';
import type { WebDeps } from './WebDeps';
/** Admins' pages (filled in next). */
export function registerAdminRoutes(_server: RouteServer, _deps: WebDeps): void {}

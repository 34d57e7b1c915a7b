/** The few server methods the web routes need (restify's, or a test's). */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A route handler. Always async: restify 11 only accepts two-argument handlers that return a promise. */
export type WebHandler = (req: IncomingMessage & { params?: Record<string, string>; body?: unknown }, res: ServerResponse) => Promise<void>;

/** The part of a restify server we use (kept structural so tests can pass a plain restify server). */
export interface RouteServer {
  get(path: string, handler: WebHandler): unknown;
  post(path: string, handler: WebHandler): unknown;
}

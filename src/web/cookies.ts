/**
 * Session cookies for the mediators' and admins' pages: HttpOnly (no script reads them), SameSite=
 * Strict (never sent from another site's page, so no cross-site request can act as a signed-in
 * person), `Secure` when the request came over HTTPS (`isHttps`: directly, or through a proxy that says so
 * with `X-Forwarded-Proto: https`), and no Max-Age: the browser forgets them when it closes, and the
 * server ends them anyway (see `Sessions`).
 */
import type { IncomingMessage } from 'node:http';
import { isHttps } from '../http';

/** The cookies a request carries (first value of each name). */
export function readCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!(name in out)) out[name] = part.slice(i + 1).trim();
  }
  return out;
}

/** `Set-Cookie` for a session id, limited to `path`. */
export function sessionCookie(req: IncomingMessage, name: string, value: string, path: string): string {
  return `${name}=${value}; Path=${path}; HttpOnly; SameSite=Strict${isHttps(req) ? '; Secure' : ''}`;
}

/** `Set-Cookie` that removes a session cookie. */
export function clearedCookie(req: IncomingMessage, name: string, path: string): string {
  return `${name}=; Path=${path}; HttpOnly; SameSite=Strict; Max-Age=0${isHttps(req) ? '; Secure' : ''}`;
}

/**
 * False for a form posted from another site's page (the browser says so in `Sec-Fetch-Site`): our
 * sign-in forms only accept posts from our own pages, so another site cannot sign a visitor in or
 * out. Clients that send no such header (scripts, old browsers) are not refused.
 */
export function postedFromOurPages(req: IncomingMessage): boolean {
  return String(req.headers['sec-fetch-site'] ?? '').toLowerCase() !== 'cross-site';
}

const MAX_FORM_BYTES = 4096;

/** An `application/x-www-form-urlencoded` body (at most 4 KB; undefined beyond). */
export async function readForm(req: IncomingMessage & { body?: unknown }): Promise<URLSearchParams | undefined> {
  if (typeof req.body === 'string') return new URLSearchParams(req.body);
  if (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body)) return new URLSearchParams(req.body as Record<string, string>);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

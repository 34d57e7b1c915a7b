import type { IncomingMessage } from 'node:http';

/**
 * Whether the person's browser reached us over HTTPS: TLS on this socket, or a TLS-terminating
 * proxy in front saying so (`X-Forwarded-Proto: https`, its first value when proxies chain).
 * Trusting the header from anyone costs nothing here: it only turns on protections (a `Secure`
 * cookie, HSTS, `wss:` stream URLs) that a plain-HTTP client then simply does not get.
 */
export function isHttps(req: Pick<IncomingMessage, 'headers' | 'socket'>): boolean {
  const forwarded = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim().toLowerCase();
  return forwarded === 'https' || (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
}

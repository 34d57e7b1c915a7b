/**
 * HTML responses with the security headers every page of ours carries (issue 7): a Content-Security-
 * Policy allowing only our own files, no framing, no referrer, no caching of pages that may show a
 * handoff summary.
 */
import type { ServerResponse } from 'node:http';
import { TYPES } from './sendAsset';

/** Our pages load only our own files: no inline script, no CDN (issue 7). */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/**
 * Web Chat and Mermaid insert `<style>` elements (CSS-in-JS), which a strict `style-src` blocks; scripts
 * stay strict.
 */
export const CSP_INLINE_STYLES = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

/** Web Chat also draws its icons from `blob:` URLs. */
export const CSP_WEBCHAT = CSP_INLINE_STYLES.replace("img-src 'self' data:", "img-src 'self' data: blob:");

/** Sends an HTML page with the security headers every page of ours carries. */
export function sendHtml(res: ServerResponse, status: number, body: string, csp = CSP, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    'Content-Type': TYPES.html!,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(body);
}

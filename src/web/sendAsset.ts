/**
 * Sends built or vendored files (widget, page scripts, Web Chat and Mermaid bundles) with an ETag and,
 * when the browser accepts it, gzip — the Web Chat bundle is 4 MB raw, about 1 MB gzipped. Files are
 * read and compressed once, then kept in memory: they only change with a new build.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Cached {
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const cache = new Map<string, Cached>();

function load(file: string): Cached | undefined {
  const hit = cache.get(file);
  if (hit) return hit;
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const entry = { body, gzip: zlib.gzipSync(body, { level: 9 }), etag: '"' + crypto.createHash('sha1').update(body).digest('base64url').slice(0, 20) + '"' };
  cache.set(file, entry);
  return entry;
}

/** Forgets cached files (tests rebuild the assets between runs). */
export function clearAssetCache(): void {
  cache.clear();
}

/** Content types of what we serve. */
export const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml',
  json: 'application/json; charset=utf-8',
};

/**
 * Sends `file`; 404 when it does not exist (e.g. `npm run build` not run). `maxAge` in seconds:
 * short for stable URLs like /widget.js (partners embed that exact URL), so an update reaches
 * residents within minutes while the ETag spares re-downloads.
 */
export function sendAsset(req: IncomingMessage, res: ServerResponse, file: string, type: string, maxAge = 300): void {
  const entry = load(file);
  if (!entry) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Fichier introuvable. Lancez « npm run build ».');
    return;
  }
  const headers: Record<string, string> = {
    'Content-Type': type,
    ETag: entry.etag,
    'Cache-Control': `public, max-age=${maxAge}`,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
    // The widget script and stylesheet are loaded by partners' pages from other origins.
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  if (req.headers['if-none-match'] === entry.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? entry.gzip : entry.body;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The folder of an installed package, found like `require` would find it — without
 * `require.resolve('<pkg>/package.json')`, which packages with an `exports` map (Web Chat) refuse.
 */
export function packageDir(name: string): string | undefined {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = `${base}/${name}`;
    if (fs.existsSync(`${dir}/package.json`)) return dir;
  }
  return undefined;
}

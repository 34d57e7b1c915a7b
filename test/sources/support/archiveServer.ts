/**
 * A local HTTP server for sync tests: serves one archive with an ETag and Last-Modified, answers 304
 * to a matching conditional request, and can be told to fail (status, truncated body).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';

export interface ServedArchive {
  /** The file to serve, or raw bytes. */
  body: Buffer;
  etag?: string;
  lastModified?: string;
  /** Answer this status with a short HTML page instead. */
  status?: number;
  /** Announce the full length but send only this many bytes, then cut the connection. */
  cutAfter?: number;
  /** Send no Content-Length (chunked): a cut body then looks complete to HTTP. */
  chunked?: boolean;
}

export interface ArchiveServer {
  url: string;
  /** What to serve next (replaces the previous). */
  serve(archive: ServedArchive): void;
  /** Headers of every request received, oldest first. */
  requests: IncomingHttpHeaders[];
  close(): Promise<void>;
}

export function fileArchive(file: string, etag: string, lastModified = 'Thu, 12 Nov 2020 10:00:00 GMT'): ServedArchive {
  return { body: readFileSync(file), etag, lastModified };
}

export async function startArchiveServer(): Promise<ArchiveServer> {
  let current: ServedArchive = { body: Buffer.alloc(0), status: 404 };
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    const a = current;
    // A new connection per request: each test sees its own server behaviour, nothing kept alive.
    res.setHeader('connection', 'close');
    if (a.status && a.status !== 200) {
      res.writeHead(a.status, { 'content-type': 'text/html' });
      res.end('<html><body>Erreur</body></html>');
      return;
    }
    const notModified = (a.etag && req.headers['if-none-match'] === a.etag) || (!a.etag && a.lastModified && req.headers['if-modified-since'] === a.lastModified);
    const validators: Record<string, string> = { ...(a.etag ? { etag: a.etag } : {}), ...(a.lastModified ? { 'last-modified': a.lastModified } : {}) };
    if (notModified) {
      res.writeHead(304, validators);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', ...validators, ...(a.chunked ? {} : { 'content-length': String(a.body.length) }) });
    if (a.cutAfter !== undefined) {
      res.write(a.body.subarray(0, a.cutAfter), () => res.socket?.destroy());
      return;
    }
    res.end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/vdd/3.5/part/zip/vosdroits-latest.zip`,
    serve: (archive) => {
      current = archive;
    },
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

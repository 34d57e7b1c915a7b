import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { once } from 'node:events';

/**
 * A file downloaded whole to disk over real HTTP, for the data syncs (the official catalogue, the
 * national help-places dataset): conditional GET, size and time limits, progress, and one French
 * line when it goes wrong. Nothing is kept of a download that failed.
 */

/** Why a download was refused: one line, for logs and the admin's terminal. */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** The validators of the copy we hold: sent back so that an unchanged file costs a 304. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

/** Download options; the defaults leave room for the largest file synced (the DILA's archive) to grow several times. */
export interface DownloadOptions extends Validators {
  /** Refuse a file larger than this (default 300 MB). */
  maxBytes?: number;
  /** Give up after this long in all (default 10 minutes). */
  timeoutMs?: number;
  /** Give up when no byte came for this long (default 60 s). */
  idleMs?: number;
  /** Called as bytes arrive; `total` when the server said it (Content-Length). */
  onProgress?: (received: number, total: number | undefined) => void;
  /** For tests: another fetch. */
  fetch?: typeof fetch;
  /** What the file is, in the messages (default « le fichier »). */
  what?: string;
  /** Who asks, for the server's logs. */
  userAgent?: string;
}

/** What the server answered. */
export type DownloadResult =
  | { status: 'not-modified' }
  | { status: 'downloaded'; file: string; bytes: number; etag?: string; lastModified?: string; url: string };

const mb = (n: number) => `${(n / 1e6).toFixed(1).replace('.', ',')} Mo`;

/**
 * Downloads `url` into `file`, conditionally (`If-None-Match` / `If-Modified-Since` from `options`).
 * Redirects are followed (hosts move; data.gouv.fr's stable links redirect to the latest file).
 * Throws {@link DownloadError} with a one-line message on an HTTP error, a timeout, a body larger
 * than the limit or shorter than announced; the partial file is then removed. The body is written
 * to disk as it comes, so memory holds a chunk, not the file.
 */
export async function download(url: string, file: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const what = options.what ?? 'le fichier';
  const maxBytes = options.maxBytes ?? 300 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const idleMs = options.idleMs ?? 60_000;
  const controller = new AbortController();
  let reason: string | undefined;
  const abort = (why: string) => {
    reason ??= why;
    controller.abort();
  };
  const total = setTimeout(() => abort(`délai dépassé (${Math.round(timeoutMs / 1000)} s)`), timeoutMs);
  let idle = setTimeout(() => abort(`aucune donnée reçue pendant ${Math.round(idleMs / 1000)} s`), idleMs);
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort(`aucune donnée reçue pendant ${Math.round(idleMs / 1000)} s`), idleMs);
  };
  const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'Ariane' };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  let written = false;
  try {
    let res: Response;
    try {
      res = await (options.fetch ?? fetch)(url, { headers, redirect: 'follow', signal: controller.signal });
    } catch (err) {
      throw new DownloadError(`téléchargement impossible depuis ${url} : ${reason ?? describeFetchError(err)}`);
    }
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 'not-modified' };
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new DownloadError(`le serveur a répondu ${res.status}${res.statusText ? ` ${res.statusText}` : ''} pour ${url}`);
    }
    const length = res.headers.get('content-length');
    const expected = length !== null && /^\d+$/.test(length) ? Number(length) : undefined;
    if (expected !== undefined && expected > maxBytes) {
      await res.body.cancel();
      throw new DownloadError(`${what} annonce ${mb(expected)}, plus que la limite de ${mb(maxBytes)}`);
    }
    const out = createWriteStream(file);
    written = true;
    // Without a listener, a write failing after destroy() (or a full disk) would crash the process.
    let writeError: Error | undefined;
    out.on('error', (err) => {
      writeError ??= err;
    });
    let received = 0;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        touch();
        if (writeError) throw new DownloadError(`écriture impossible de ${file} : ${writeError.message}`);
        received += chunk.byteLength;
        if (received > maxBytes) throw new DownloadError(`${what} dépasse la limite de ${mb(maxBytes)}`);
        if (!out.write(chunk)) await once(out, 'drain');
        options.onProgress?.(received, expected);
      }
    } catch (err) {
      out.destroy();
      if (err instanceof DownloadError) throw err;
      throw new DownloadError(`téléchargement interrompu après ${mb(received)}${expected ? ` sur ${mb(expected)}` : ''} : ${reason ?? describeFetchError(err)}`);
    }
    out.end();
    await once(out, 'close');
    if (writeError) throw new DownloadError(`écriture impossible de ${file} : ${writeError.message}`);
    if (expected !== undefined && received !== expected) {
      throw new DownloadError(`téléchargement tronqué : ${received} octets reçus sur ${expected} annoncés`);
    }
    const etag = res.headers.get('etag') ?? undefined;
    const lastModified = res.headers.get('last-modified') ?? undefined;
    written = false;
    return { status: 'downloaded', file, bytes: received, url: res.url || url, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) };
  } finally {
    clearTimeout(total);
    clearTimeout(idle);
    if (written) await rm(file, { force: true });
  }
}

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connexion refusée',
  ENOTFOUND: 'nom de serveur introuvable',
  EAI_AGAIN: 'nom de serveur introuvable pour le moment',
  ECONNRESET: 'connexion interrompue',
  ETIMEDOUT: 'le serveur ne répond pas',
  UND_ERR_SOCKET: 'connexion coupée par le serveur',
  UND_ERR_CONNECT_TIMEOUT: 'le serveur ne répond pas',
  CERT_HAS_EXPIRED: 'certificat du serveur expiré',
};

function describeFetchError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code;
  if (code) return NETWORK_ERRORS[code] ? `${NETWORK_ERRORS[code]} (${code})` : code;
  return e.cause?.message ?? e.message ?? String(err);
}

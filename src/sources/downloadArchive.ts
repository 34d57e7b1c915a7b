import { DownloadError, download, type DownloadOptions, type DownloadResult } from '../http';
import { ArchiveError } from './readArchive';

export type { DownloadOptions, DownloadResult } from '../http';

/**
 * Downloads the DILA's archive at `url` into `file` (see `download` in src/http: conditional GET,
 * limits, nothing kept on failure). Throws {@link ArchiveError}, as every refusal of a sync does.
 */
export async function downloadArchive(url: string, file: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  try {
    return await download(url, file, { what: "l'archive", userAgent: 'Ariane (synchronisation des fiches service-public)', ...options });
  } catch (err) {
    throw err instanceof DownloadError ? new ArchiveError(err.message) : err;
  }
}

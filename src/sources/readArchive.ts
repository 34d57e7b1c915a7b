import * as yauzl from 'yauzl';
import type { Fiche } from './Fiche';
import type { SkipReason } from './ficheFromElement';
import { MalformedFicheError, parseFicheXml } from './parseFicheXml';

/** An archive that cannot be used; its message is one line in French, for the admin. */
export class ArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArchiveError';
  }
}

/** What was found in an archive. */
export interface ArchiveContent {
  /** The *particuliers* fiches, in file order. */
  fiches: Fiche[];
  /** Fiche files read (`F….xml`, `R….xml`, `N….xml`). */
  files: number;
  /** Well-formed fiche files that gave no fiche, by reason. */
  skipped: Partial<Record<SkipReason | 'duplicate', number>>;
  /** Other files (the DILA's indexes: arborescence.xml, menu.xml…), not read. */
  others: number;
}

/** Limits against a damaged or hostile archive. */
export interface ArchiveLimits {
  /** Largest fiche file, uncompressed (default 16 MB, far above any real fiche). */
  maxFileBytes?: number;
  /** All fiche files together, uncompressed (default 2 GB). */
  maxTotalBytes?: number;
  /** Entries in the archive (default 100,000). */
  maxEntries?: number;
}

const FICHE_FILE = /(?:^|\/)([FRN][0-9]+)\.xml$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Reads the DILA's "Vos droits et démarches" archive (`vosdroits-latest.zip`: one XML file per
 * fiche, plus index files), one entry at a time so that memory holds one file, not the archive.
 * Throws {@link ArchiveError} on anything that is not a complete, well-formed archive: not a zip,
 * cut short, a damaged entry, a file that is not UTF-8 or not well-formed XML, a file over the limits.
 */
export async function readArchive(file: string, limits: ArchiveLimits = {}): Promise<ArchiveContent> {
  const maxFile = limits.maxFileBytes ?? 16 * 1024 * 1024;
  const maxTotal = limits.maxTotalBytes ?? 2 * 1024 * 1024 * 1024;
  const maxEntries = limits.maxEntries ?? 100_000;
  let zip: yauzl.ZipFile;
  try {
    // validateEntrySizes: an entry that inflates to more or less than it declares is an error.
    zip = await yauzl.openPromise(file, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  } catch (err) {
    throw new ArchiveError(`l'archive n'est pas un fichier zip complet (téléchargement tronqué, ou autre chose qu'une archive) : ${(err as Error).message}`);
  }
  if (zip.entryCount > maxEntries) {
    zip.close();
    throw new ArchiveError(`l'archive contient ${zip.entryCount} fichiers, plus que la limite de ${maxEntries}`);
  }
  const content: ArchiveContent = { fiches: [], files: 0, skipped: {}, others: 0 };
  const seen = new Set<string>();
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) => reject(new ArchiveError(`archive endommagée : ${err.message}`)));
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const m = FICHE_FILE.exec(name);
        if (!m) {
          content.others++;
          zip.readEntry();
          return;
        }
        if (entry.uncompressedSize > maxFile) {
          reject(new ArchiveError(`${name} : ${entry.uncompressedSize} octets, plus que la limite de ${maxFile} par fiche`));
          return;
        }
        total += entry.uncompressedSize;
        if (total > maxTotal) {
          reject(new ArchiveError(`les fiches font plus de ${maxTotal} octets une fois décompressées : archive refusée`));
          return;
        }
        readEntry(zip, entry).then(
          (bytes) => {
            let xml: string;
            try {
              xml = UTF8.decode(bytes);
            } catch {
              throw new ArchiveError(`${name} : ce n'est pas du texte UTF-8`);
            }
            const result = parseFicheXml(xml, name);
            content.files++;
            if ('fiche' in result) {
              if (seen.has(result.fiche.id)) content.skipped.duplicate = (content.skipped.duplicate ?? 0) + 1;
              else {
                seen.add(result.fiche.id);
                content.fiches.push(result.fiche);
              }
            } else content.skipped[result.skipped] = (content.skipped[result.skipped] ?? 0) + 1;
            zip.readEntry();
          },
          (err: unknown) => reject(err instanceof ArchiveError ? err : new ArchiveError(`${name} : fichier endommagé dans l'archive (${(err as Error).message})`)),
        ).catch((err: unknown) => reject(err instanceof MalformedFicheError ? new ArchiveError(err.message) : err));
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return content;
}

/**
 * Official knowledge: the catalogue of service-public's "Vos droits et démarches" pages for
 * *particuliers* (embedded snapshot, daily sync from the DILA's archive, kept in the store), its
 * search for residents' sentences, and the look-ups `ariane check` uses on the flows' citations.
 */
export { type Fiche, FICHE_ID_PATTERN, ficheUrl, ficheIdOf, oneLine } from './Fiche';
export { Catalogue, frenchDate, type CatalogueDescription } from './Catalogue';
export { loadEmbeddedCatalogue } from './loadEmbeddedCatalogue';
export { ArchiveError } from './readArchive';
export type { DownloadOptions } from './downloadArchive';
export { syncCatalogue, DEFAULT_SOURCES_URL, type SyncResult } from './syncCatalogue';
export { loadStoredCatalogue } from './catalogueStore';
export { OfficialSources } from './OfficialSources';
export { officialPages, officialWords } from './officialPages';

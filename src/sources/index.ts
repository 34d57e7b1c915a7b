/**
 * Official knowledge: the catalogue of service-public's "Vos droits et démarches" pages for
 * *particuliers* (embedded snapshot, daily sync from the DILA's archive, kept in the store), its
 * search for residents' sentences, and the look-ups `ariane check` uses on the flows' citations.
 */
export { type Fiche, FICHE_ID_PATTERN, ficheUrl, ficheIdOf, oneLine } from './Fiche';
export { Catalogue, frenchDate, type CatalogueData, type CatalogueMeta, type CatalogueDescription } from './Catalogue';
export { type FicheHit, type SearchOptions } from './FicheIndex';
export { loadEmbeddedCatalogue, EMBEDDED_FILE } from './loadEmbeddedCatalogue';
export { ArchiveError, type ArchiveLimits } from './readArchive';
export { type DownloadOptions } from './downloadArchive';
export { syncCatalogue, DEFAULT_SOURCES_URL, type SyncOptions, type SyncResult } from './syncCatalogue';
export { loadStoredCatalogue } from './catalogueStore';
export { OfficialSources, type OfficialSearch } from './OfficialSources';
export { officialPages, officialWords, PAGES_WEIGHED } from './officialPages';

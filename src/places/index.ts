/** Help places: the standard's model, import, opening status and the nearest-place directory. */
export * from './types';
export { parseCsv, csvToObjects, sniffDelimiter, type CsvRecord } from './parseCsv';
export { toE164, formatPhone } from './toE164';
export { normalizeRecord, LEGACY_FIELDS, type NormalizeResult } from './normalizeRecord';
export { dayHoursToRanges, franceServicesHours, franceServicesToStandard } from './franceServices';
export { importPlaces, parsePlaces, parsePlacesYielding, readRows, loadPlaces, placeKey, PLACE_PREFIX, type ImportOptions, type PlaceFormat, type ParsedPlaces } from './importPlaces';
export {
  openingStatus,
  describeOpeningStatus,
  parseOpeningHours,
  checkOpeningHours,
  regionOfPostcode,
  departementOfPostcode,
  type OpeningStatus,
  type WallTime,
  type HoursRegion,
} from './openingStatus';
export { placesText, placesList, dateText } from './placesText';
export { PlaceDirectory, placeMatches, offersIndividualHelp, bandOf, mapUrl, type NearOptions, type NearResult } from './PlaceDirectory';
export { starterPlaces, starterSource, removeStarterPlaces, type StarterSource } from './loadStarterPlaces';
export { mergePlaces, type MergedPlaces } from './mergePlaces';
export { NATIONAL_META_KEY, NATIONAL_CHUNK_PREFIX, LOCAL_REVISION_KEY, CHUNK_SIZE, chunkKey, readNationalMeta, readNationalPointer, loadNationalSet, saveNationalSet, placesRevision, type NationalMeta, type NationalPointer } from './placeSets';
export { syncPlaces, PlacesSyncError, type PlacesSyncOptions, type PlacesSyncResult, type PlacesFileReport } from './syncPlaces';
export { decodeText } from './decodeText';
export { findHelp, DirectoryCache, loadDirectory, fromLayers, type PlaceSearch, type LoadedDirectory } from './findHelp';
export { HelpPlaces, finderFor, starterFinder, toHelpPlace, locateByCommune, supportsFor, PLACES_SHOWN, type HelpPlacesOptions } from './HelpPlaces';

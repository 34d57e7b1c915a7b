/** Help places: the standard's model, import, opening status and the nearest-place directory. */
export * from './types';
export { parseCsv, csvToObjects, sniffDelimiter, type CsvRecord } from './parseCsv';
export { toE164, formatPhone } from './toE164';
export { normalizeRecord, LEGACY_FIELDS, type NormalizeResult } from './normalizeRecord';
export { dayHoursToRanges, franceServicesHours, franceServicesToStandard } from './franceServices';
export { importPlaces, parsePlaces, readRows, loadPlaces, placeKey, PLACE_PREFIX, type ImportOptions, type PlaceFormat } from './importPlaces';
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
export { placesText, placesList } from './placesText';
export { PlaceDirectory, placeMatches, mapUrl, type NearOptions, type NearResult } from './PlaceDirectory';
export { loadStarterPlaces, starterPlaces, removeStarterPlaces } from './loadStarterPlaces';
export { findHelp, DirectoryCache, type PlaceSearch } from './findHelp';
export { HelpPlaces, finderFor, starterFinder, toHelpPlace, PLACES_SHOWN, type HelpPlacesOptions } from './HelpPlaces';

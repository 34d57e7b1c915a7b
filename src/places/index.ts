/** Help places: the standard's model, import, opening status and the nearest-place directory. */
export type { Service, Place, RowIssue, ImportReport } from './types';
export { importPlaces, parsePlaces, placeKey, type PlaceFormat } from './importPlaces';
export { placesText } from './placesText';
export { PlaceDirectory, mapUrl, type NearResult } from './PlaceDirectory';
export { starterPlaces, removeStarterPlaces } from './loadStarterPlaces';
export { mergePlaces } from './mergePlaces';
export { readNationalPointer, saveNationalSet } from './placeSets';
export { syncPlaces, PlacesSyncError, type PlacesSyncResult } from './syncPlaces';
export { decodeText } from './decodeText';
export { findHelp, loadDirectory } from './findHelp';
export { HelpPlaces, finderFor, starterFinder, locateByCommune } from './HelpPlaces';

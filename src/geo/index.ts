/** Offline geocoding of French communes: postcode, name (typos, homonyms), coordinates. */
export { getGeocoder, isPlaceName, type CommuneMatch, type GeocodeResult } from './Geocoder';
export { foldName } from './foldName';

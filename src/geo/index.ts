/** Offline geocoding of French communes: postcode, name (typos, homonyms), coordinates. */
export { Geocoder, getGeocoder, type CommuneMatch, type GeocodeResult, type Precision } from './Geocoder';
export { foldName } from './foldName';

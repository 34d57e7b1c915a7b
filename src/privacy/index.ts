/** Privacy helpers: what must never be stored or logged as typed. */
export { maskPersonalData, hadSecret } from './maskPersonalData';
export { maskPersonalDataDeep } from './maskPersonalDataDeep';

/** Privacy helpers: what must never be stored or logged as typed. */
export { maskPersonalData, placeholderFor, type MaskResult, type PersonalDataKind } from './maskPersonalData';

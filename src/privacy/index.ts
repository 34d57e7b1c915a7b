/** Privacy helpers: what must never be stored or logged as typed. */
export { maskPersonalData, placeholderFor, hadSecret, type MaskResult } from './maskPersonalData';
export { maskPersonalDataDeep, type DeepMaskResult } from './maskPersonalDataDeep';
export { PERSONAL_DATA_KINDS, SECRET_KINDS, type PersonalDataKind } from './personalDataPatterns';

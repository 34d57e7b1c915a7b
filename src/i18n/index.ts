/**
 * Languages: generic texts (i18next over `locales/<lng>/<ns>.json`) and the intent lexicons the
 * engine needs. The only folder that imports i18next; other folders import from here.
 */
export { translate, type Translator } from './translate';
export { loadLexicons } from './loadLexicons';

/**
 * Languages: generic texts (i18next over `locales/<lng>/<ns>.json`) and the intent lexicons the
 * engine needs. The only folder that imports i18next; other folders import from here.
 */
export { createI18n, createTranslator, translate, type Translator } from './translate';
export { loadLexicons, parseLexicon } from './loadLexicons';
export { loadLocaleResources, DEFAULT_LOCALES_DIR, type LocaleResources } from './loadLocales';

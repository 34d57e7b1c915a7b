/**
 * Generic texts through i18next. Engine and bot outputs carry `Message`s: flow text already in the
 * right language, or a namespaced key (`engine:welcome`, `bot:…`) rendered here.
 */
import i18next, { type i18n } from 'i18next';
import type { Lang, Message } from '../engine';
import { DEFAULT_LOCALES_DIR, loadLocaleResources } from './loadLocales';

/** Turns a message into text in a language. */
export type Translator = (message: Message, lang: Lang) => string;

/**
 * Creates an i18next instance with every `locales/<lng>/<ns>.json` file loaded synchronously.
 * Missing texts fall back to the base language (`fr-facile` → `fr`), then to French; a key missing
 * everywhere renders as the key itself, which tests catch.
 */
export function createI18n(localesDir: string = DEFAULT_LOCALES_DIR): i18n {
  const resources = loadLocaleResources(localesDir);
  const namespaces = [...new Set(Object.values(resources).flatMap((r) => Object.keys(r)))];
  const instance = i18next.createInstance();
  void instance.init({
    resources,
    initAsync: false,
    lng: 'fr',
    fallbackLng: (code: string) => {
      const base = code.split('-')[0];
      return base && base !== code ? [base, 'fr'] : ['fr'];
    },
    ns: namespaces.length ? namespaces : ['engine'],
    defaultNS: 'engine',
    fallbackNS: namespaces.filter((n) => n !== 'engine'),
    interpolation: { escapeValue: false },
    returnNull: false,
    showSupportNotice: false,
  } as Parameters<i18n['init']>[0]);
  return instance;
}

/** A translator bound to one i18next instance. */
export function createTranslator(instance: i18n = createI18n()): Translator {
  return (message, lang) => {
    if ('text' in message) return message.text;
    return String(instance.t(message.key, { lng: lang, ...(message.params ?? {}) }));
  };
}

let shared: Translator | undefined;

/**
 * Translates with a shared instance over the project's `locales/` (created on first use). Callers
 * that need another directory use `createTranslator(createI18n(dir))`.
 */
export function translate(message: Message, lang: Lang): string {
  shared ??= createTranslator();
  return shared(message, lang);
}

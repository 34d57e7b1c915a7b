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

/**
 * A translator bound to one i18next instance. Texts without parameters are remembered per language
 * and key: a turn renders several (buttons, retries) and i18next's lookup with its fallbacks costs
 * more than the rest of rendering. The resources never change after the instance is created.
 */
export function createTranslator(instance: i18n = createI18n()): Translator {
  const plain = new Map<string, string>();
  const translator: Translator = (message, lang) => {
    if ('text' in message) return message.text;
    if (!message.params) {
      const id = `${lang}\u0000${message.key}`;
      let text = plain.get(id);
      if (text === undefined) {
        text = String(instance.t(message.key, { lng: lang }));
        // Bounded by keys × languages, unless a caller passes languages we do not speak: stop growing then.
        if (plain.size < 10_000) plain.set(id, text);
      }
      return text;
    }
    // A parameter may itself be a message (the label echoed in "J'ai compris : …"): translated first.
    const params: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(message.params)) params[k] = typeof v === 'object' ? translator(v, lang) : v;
    return String(instance.t(message.key, { lng: lang, ...params }));
  };
  return translator;
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

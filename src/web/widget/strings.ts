/**
 * The widget's words, bundled from `locales/<lng>/widget.json` at build time (a few hundred bytes per
 * language: cheaper than a request, and the widget works offline once loaded).
 */
/** Every key of `locales/fr/widget.json` (the reference); a test checks they match. */
export interface Dict {
  title: string;
  open: string;
  close: string;
  transcript: string;
  inputLabel: string;
  placeholder: string;
  send: string;
  micStart: string;
  micStop: string;
  listening: string;
  readAloud: string;
  listen: string;
  language: string;
  quit: string;
  wiped: string;
  restart: string;
  privacy: string;
  connecting: string;
  offline: string;
  online: string;
  ended: string;
  sending: string;
  botName: string;
  youName: string;
  choices: string;
  cards: string;
  openLink: string;
  call: string;
  newTab: string;
  refused: string;
}

/** Injected by the build (esbuild `define`) from `locales/{fr,fr-facile,en,ar}/widget.json`. */
declare const __ARIANE_WIDGET_LOCALES__: { fr: Dict; 'fr-facile': Partial<Dict>; en: Partial<Dict>; ar: Partial<Dict> };
const LOCALES = __ARIANE_WIDGET_LOCALES__;
const fr = LOCALES.fr;

/** Languages the widget offers in its switch; `fr-facile` is easy-to-read French. */
export const LANGS = ['fr', 'fr-facile', 'en', 'ar'] as const;
export type WidgetLang = (typeof LANGS)[number];

/** Missing keys in a translation fall back to French rather than showing nothing. */
export const DICTS: Record<WidgetLang, Dict> = {
  fr,
  'fr-facile': { ...fr, ...LOCALES['fr-facile'] },
  en: { ...fr, ...LOCALES.en },
  ar: { ...fr, ...LOCALES.ar },
};

/** Each language named in itself, as people look for their own language. */
export const LANG_NAMES: Record<WidgetLang, string> = { fr: 'Français', 'fr-facile': 'Français facile', en: 'English', ar: 'العربية' };

/** BCP 47 tags for speech synthesis and recognition. */
export const SPEECH_LANG: Record<WidgetLang, string> = { fr: 'fr-FR', 'fr-facile': 'fr-FR', en: 'en-GB', ar: 'ar' };

/** The `lang` attribute (easy French is French to browsers and screen readers). */
export const HTML_LANG: Record<WidgetLang, string> = { fr: 'fr', 'fr-facile': 'fr', en: 'en', ar: 'ar' };

/** The language we offer for a locale (`ar-MA` → `ar`, `fr-facile` as is), or undefined. */
export function knownLang(locale: string | null | undefined): WidgetLang | undefined {
  const lower = (locale ?? '').toLowerCase();
  if ((LANGS as readonly string[]).includes(lower)) return lower as WidgetLang;
  const base = lower.split(/[-_]/)[0] ?? '';
  return (LANGS as readonly string[]).includes(base) ? (base as WidgetLang) : undefined;
}

/** The closest language we offer for a requested one, else French. */
export function pickLang(requested: string | null | undefined): WidgetLang {
  return knownLang(requested) ?? 'fr';
}

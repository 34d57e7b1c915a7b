/**
 * From a Bot Framework activity to an engine input: a button's stable value, a position, or the
 * typed text, personal data masked in the text and the value (once per turn: an adapter that
 * already masked the activity before storing it says so in the turn state). Every field is read
 * defensively: an activity is whatever a client sent.
 */
import type { Activity, TurnContext } from 'botbuilder';
import type { Input, Intent, Lang } from '../engine';
import { hadSecret, maskPersonalData } from '../privacy';
import { MASKED } from './turnCommit';

const INTENTS: readonly Intent[] = ['back', 'restart', 'help', 'language'];

/** Picks the service language for a BCP 47 locale (`fr-FR` → `fr`, `en-US` → `en`), `fr` by default. */
export function languageFromLocale(locale: unknown, languages: readonly Lang[]): Lang {
  return languageOfLocale(locale, languages) ?? 'fr';
}

/** The service language a locale names (`en-GB` → `en`), or undefined when it names none we speak. */
export function languageOfLocale(locale: unknown, languages: readonly Lang[]): Lang | undefined {
  if (typeof locale !== 'string' || locale === '' || locale.length > 35) return undefined;
  const lower = locale.toLowerCase();
  if (languages.includes(lower)) return lower;
  const base = lower.split(/[-_]/)[0] ?? '';
  return languages.includes(base) ? base : undefined;
}

/** Reads coordinates from an activity: a `GeoCoordinates` entity (Bot Framework's location schema). */
export function coordinatesOf(activity: Partial<Activity>): { lat: number; lon: number } | undefined {
  const entities: unknown = activity.entities;
  if (!Array.isArray(entities)) return undefined;
  for (const e of entities) {
    if (!e || typeof e !== 'object') continue;
    const geo = e as { type?: unknown; latitude?: unknown; longitude?: unknown };
    if (geo.type !== 'GeoCoordinates') continue;
    const lat = typeof geo.latitude === 'number' || typeof geo.latitude === 'string' ? Number(geo.latitude) : NaN;
    const lon = typeof geo.longitude === 'number' || typeof geo.longitude === 'string' ? Number(geo.longitude) : NaN;
    if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) return { lat, lon };
  }
  return undefined;
}

/**
 * Reads what the person did: a button's stable value (`value.choice`, or `value.intent`,
 * `value.flow`), else the typed text. Returns undefined for a message with nothing to read.
 */
export function inputFromActivity(activity: Partial<Activity>): Input | undefined {
  const value: unknown = activity.value;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.choice === 'string' && v.choice !== '') return { kind: 'choice', value: v.choice };
    if (typeof v.intent === 'string' && (INTENTS as readonly string[]).includes(v.intent)) {
      return { kind: 'intent', intent: v.intent as Intent, ...(typeof v.lang === 'string' ? { lang: v.lang } : {}) };
    }
    if (typeof v.flow === 'string' && v.flow !== '') return { kind: 'flow', flowId: v.flow };
  }
  const text = typeof activity.text === 'string' ? activity.text.trim() : '';
  return text === '' ? undefined : { kind: 'text', text };
}

/**
 * The engine input of a message: the channel's position first (with the person's consent, it is a
 * place to search around), else what `inputFromActivity` reads, typed text masked.
 */
export function readActivity(context: TurnContext): Input | undefined {
  const coords = coordinatesOf(context.activity);
  if (coords) return { kind: 'location', ...coords };
  const input = inputFromActivity(context.activity);
  const masked = context.turnState.get(MASKED) === true;
  // A button's value is the client's to choose, and an answer's value is kept in the state.
  if (input?.kind === 'choice') return masked ? input : { kind: 'choice', value: maskPersonalData(input.value).text };
  if (input?.kind !== 'text') return input;
  const text = masked ? input.text : maskPersonalData(input.text).text;
  return hadSecret(text) ? { kind: 'text', text, secret: true } : { kind: 'text', text };
}

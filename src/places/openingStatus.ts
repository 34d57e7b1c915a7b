/**
 * Opening status of a place at a given instant, with the `opening_hours` library.
 *
 * `opening_hours` reads a Date's *local* fields (getDay, getHours), i.e. the server's time zone. To
 * get the same answer on a UTC server as on a Paris laptop, the instant is first turned into a
 * "wall-clock" Date whose local fields are the place's local time (Europe/Paris, or the overseas
 * territory's zone), evaluated, and the library's answers are read back the same way.
 * Public holidays (`PH`) use the French calendar, including the regional ones (Alsace-Moselle,
 * overseas abolition days) via the département. A place whose hours say nothing about holidays is
 * taken as closed on them: that is what French public services do, and a wasted trip is worse than
 * a missed opening.
 */
import type OpeningHoursType from 'opening_hours';
import { placesList, placesText } from './placesText';

// The library takes a tenth of a second to load: loaded when the first hours are read (after the
// service is ready) instead of on the path to ready.
let openingHours: typeof OpeningHoursType | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const OpeningHours = (): typeof OpeningHoursType => (openingHours ??= require('opening_hours') as typeof OpeningHoursType);
type OpeningHours = OpeningHoursType;

/** Structured opening status; `until`/`nextOpen` are given in the place's local wall-clock time. */
export type OpeningStatus =
  | { state: 'open'; until?: WallTime; holiday?: boolean }
  | { state: 'closed'; nextOpen?: WallTime; holiday?: boolean }
  | { state: 'unknown'; reason: 'missing' | 'unparseable' | 'unknown' };

/** A local time: the real instant (ISO) and its local calendar fields. */
export interface WallTime {
  iso: string;
  /** 0 = Sunday. */
  weekday: number;
  /** Local date as YYYY-MM-DD. */
  date: string;
  hour: number;
  minute: number;
  /** Whole local days between the query instant and this time (0 = same day). */
  daysAhead: number;
}

/** Time zone and holiday region of a département (`971`, `57`…); mainland France by default. */
const REGIONS: Record<string, { tz: string; state: string }> = {
  '57': { tz: 'Europe/Paris', state: 'Moselle' },
  '67': { tz: 'Europe/Paris', state: 'Bas-Rhin' },
  '68': { tz: 'Europe/Paris', state: 'Haut-Rhin' },
  '971': { tz: 'America/Guadeloupe', state: 'Guadeloupe' },
  '972': { tz: 'America/Martinique', state: 'Martinique' },
  '973': { tz: 'America/Cayenne', state: 'Guyane' },
  '974': { tz: 'Indian/Reunion', state: 'La Réunion' },
  '975': { tz: 'America/Miquelon', state: 'Saint-Pierre-et-Miquelon' },
  '976': { tz: 'Indian/Mayotte', state: 'Mayotte' },
  '977': { tz: 'America/St_Barthelemy', state: 'Saint-Barthélemy' },
  '978': { tz: 'America/Marigot', state: 'Saint-Martin' },
  '986': { tz: 'Pacific/Wallis', state: 'Wallis-et-Futuna' },
  '987': { tz: 'Pacific/Tahiti', state: 'Polynésie française' },
  '988': { tz: 'Pacific/Noumea', state: 'Nouvelle-Calédonie' },
};

/** The département of a postcode (`97411` → `974`, `57000` → `57`). */
export function departementOfPostcode(postcode: string | undefined): string | undefined {
  if (!postcode || !/^\d{5}$/.test(postcode)) return undefined;
  return postcode.startsWith('97') || postcode.startsWith('98') ? postcode.slice(0, 3) : postcode.slice(0, 2);
}

/** Where hours are evaluated: a time zone and a holiday region. */
export interface HoursRegion {
  tz: string;
  state: string;
}

/** The region of a place from its postcode (mainland Paris time and national holidays by default). */
export function regionOfPostcode(postcode: string | undefined): HoursRegion {
  return REGIONS[departementOfPostcode(postcode) ?? ''] ?? { tz: 'Europe/Paris', state: '' };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallParts(instant: Date, tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year ?? 1970, m: p.month ?? 1, d: p.day ?? 1, h: (p.hour ?? 0) % 24, mi: p.minute ?? 0, s: p.second ?? 0 };
}

/** The instant → a Date whose *local* fields show the wall-clock time in `tz`. */
function toWallClock(instant: Date, tz: string): Date {
  const w = wallParts(instant, tz);
  return new Date(w.y, w.m - 1, w.d, w.h, w.mi, w.s);
}

/** A wall-clock Date (local fields = time in `tz`) → the real instant. */
function fromWallClock(wall: Date, tz: string): Date {
  const asUtc = Date.UTC(wall.getFullYear(), wall.getMonth(), wall.getDate(), wall.getHours(), wall.getMinutes(), wall.getSeconds());
  const offset = (t: number) => {
    const w = wallParts(new Date(t), tz);
    return Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
  };
  let t = asUtc - offset(asUtc);
  t = asUtc - offset(t);
  return new Date(t);
}

const pad = (n: number) => String(n).padStart(2, '0');
const localDate = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const dayNumber = (d: Date) => Math.round(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000);

type Parsed = { ok: true; oh: OpeningHours } | { ok: false; error: string };
const parseCache = new Map<string, Parsed>();

/**
 * Parses an opening_hours value for a region. A value that does not mention holidays gets
 * `; PH off` (see the module comment). Results are cached: thousands of places share few values.
 */
export function parseOpeningHours(value: string, region: HoursRegion = { tz: 'Europe/Paris', state: '' }): Parsed {
  const key = `${region.state}\u0000${value}`;
  const hit = parseCache.get(key);
  if (hit) return hit;
  const nominatim = { lat: 46.6, lon: 1.9, address: { country_code: 'fr', state: region.state } };
  let result: Parsed;
  try {
    const trimmed = value.trim().replace(/;\s*$/, '');
    const withHolidays = /\bPH\b/.test(trimmed) ? trimmed : `${trimmed}; PH off`;
    result = { ok: true, oh: new (OpeningHours())(withHolidays, nominatim, { mode: 0, locale: 'fr' } as never) };
  } catch (err) {
    result = { ok: false, error: (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 160) ?? 'erreur' };
  }
  if (parseCache.size > 5000) parseCache.clear();
  parseCache.set(key, result);
  return result;
}

/**
 * The everyday subset of the syntax (`Mo-Fr 09:00-12:00,13:30-17:00; Sa 09:00-12:00; PH off`):
 * values in this shape are valid by construction, which spares the full parser (slow: about 4 ms
 * per value, because it tries its typo corrections on every token) on most imported rows.
 */
const SIMPLE_HOURS = (() => {
  const day = '(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)';
  const days = `${day}(?:-${day})?(?:,${day}(?:-${day})?)*`;
  const time = '(?:(?:[01]\\d|2[0-3]):[0-5]\\d|24:00)';
  const ranges = `${time}-${time}(?:,${time}-${time})*`;
  const rule = `${days} (?:${ranges}|off|closed)`;
  return new RegExp(`^${rule}(?: ?; ?${rule})*$`);
})();

/** Whether a value parses, for import validation: the simple shape at once, else the real parser. */
export function checkOpeningHours(value: string): { ok: true } | { ok: false; error: string } {
  if (SIMPLE_HOURS.test(value.trim())) return { ok: true };
  const parsed = parseOpeningHours(value);
  return parsed.ok ? { ok: true } : parsed;
}

const holidayCache = new Map<string, OpeningHours>();
function isHoliday(wall: Date, region: HoursRegion): boolean {
  let oh = holidayCache.get(region.state);
  if (!oh) {
    oh = new (OpeningHours())('PH', { lat: 46.6, lon: 1.9, address: { country_code: 'fr', state: region.state } }, { mode: 0 } as never);
    holidayCache.set(region.state, oh);
  }
  return oh.getState(wall);
}

/**
 * The status of `horaires` at `at`, in the place's time zone (from its postcode; Europe/Paris when
 * unknown). Never throws: unparseable or missing hours give `{ state: 'unknown' }`.
 */
export function openingStatus(horaires: string | undefined, at: Date, postcode?: string): OpeningStatus {
  if (!horaires || !horaires.trim()) return { state: 'unknown', reason: 'missing' };
  const region = regionOfPostcode(postcode);
  const parsed = parseOpeningHours(horaires, region);
  if (!parsed.ok) return { state: 'unknown', reason: 'unparseable' };
  const wall = toWallClock(at, region.tz);
  const toWallTime = (d: Date): WallTime => ({
    iso: fromWallClock(d, region.tz).toISOString(),
    weekday: d.getDay(),
    date: localDate(d),
    hour: d.getHours(),
    minute: d.getMinutes(),
    daysAhead: dayNumber(d) - dayNumber(wall),
  });
  try {
    const oh = parsed.oh;
    const holiday = isHoliday(wall, region) || undefined;
    const state = oh.getStateString(wall, true);
    const horizon = new Date(wall.getTime() + 31 * 86_400_000);
    if (state === 'unknown') return { state: 'unknown', reason: 'unknown' };
    if (state === 'open') {
      const change = oh.getNextChange(wall, horizon);
      return { state: 'open', ...(change ? { until: toWallTime(change) } : {}), ...(holiday ? { holiday } : {}) };
    }
    // Closed: walk the changes until one opens (a change may lead to "unknown").
    let cursor = wall;
    for (let i = 0; i < 50; i++) {
      const change = oh.getNextChange(cursor, horizon);
      if (!change) break;
      if (oh.getState(change)) return { state: 'closed', nextOpen: toWallTime(change), ...(holiday ? { holiday } : {}) };
      cursor = change;
    }
    return { state: 'closed', ...(holiday ? { holiday } : {}) };
  } catch {
    return { state: 'unknown', reason: 'unparseable' };
  }
}

/** "17 h", "17 h 30" (fr) / "17:00" (en). */
function timeText(lang: string, t: WallTime): string {
  if (t.hour === 0 && t.minute === 0) return placesText(lang, 'time.midnight');
  return t.minute === 0 ? placesText(lang, 'time.hour', { h: t.hour }) : placesText(lang, 'time.hour_minutes', { h: t.hour, mm: pad(t.minute) });
}

/** The status as one short sentence: "Ouvert maintenant, jusqu'à 17 h", "Fermé, ouvre lundi à 9 h"… */
export function describeOpeningStatus(status: OpeningStatus, lang = 'fr'): string {
  const days = placesList(lang, 'days');
  if (status.state === 'unknown') return placesText(lang, 'status.unknown');
  if (status.state === 'open') {
    const u = status.until;
    if (!u || u.daysAhead > 6) return placesText(lang, 'status.open');
    if (u.daysAhead === 0 || (u.daysAhead === 1 && u.hour === 0 && u.minute === 0)) return placesText(lang, 'status.open_until', { time: timeText(lang, u) });
    return placesText(lang, 'status.open_until_day', { day: days[u.weekday] ?? '', time: timeText(lang, u) });
  }
  const n = status.nextOpen;
  const prefix = status.holiday ? `${placesText(lang, 'status.holiday')} — ` : '';
  if (!n) return prefix + placesText(lang, 'status.closed');
  const time = timeText(lang, n);
  if (n.daysAhead === 0) return prefix + placesText(lang, 'status.opens_today', { time });
  if (n.daysAhead === 1) return prefix + placesText(lang, 'status.opens_tomorrow', { time });
  if (n.daysAhead < 7) return prefix + placesText(lang, 'status.opens_day', { day: days[n.weekday] ?? '', time });
  const [, mm, dd] = n.date.split('-');
  const date = `${Number(dd)} ${placesList(lang, 'months')[Number(mm) - 1] ?? mm}`;
  return prefix + placesText(lang, 'status.opens_date', { date, time });
}

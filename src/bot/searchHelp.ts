/**
 * The "where are you?" sub-dialogue that follows a handoff: find the person's place (postcode,
 * commune, coordinates), show the best help places as hero cards, and offer to continue alone.
 *
 * Its state (`HelpState`) is plain JSON kept next to the engine state under the same store key, so
 * it is written in the same eTag-checked write as the engine turn (see ArianeBot's file comment).
 * The search itself is the places module's (`findHelp`); this file only decides what to ask and how
 * results look on a Bot Framework channel.
 */
import { ActionTypes, ActivityTypes, CardFactory, type Activity, type CardAction } from 'botbuilder';
import type { Catalog, ConversationState, Lang } from '../engine';
import type { Support } from '../flow';
import { findHelp, type HelpSearch, type NearResult, type PlaceDirectory } from '../places';
import { botText, choiceAction, type Translate } from './renderOutputs';

/** Button value of "continue alone": returns to the step where the person stopped. */
export const CONTINUE_VALUE = 'ariane:continue';
/** Prefix of the buttons that pick one commune among homonyms (`ariane:where:<query>`). */
export const WHERE_PREFIX = 'ariane:where:';
/** How many places are shown. */
export const PLACES_SHOWN = 3;

/** A known location in this conversation. */
export interface KnownPlace {
  label: string;
  lat: number;
  lon: number;
}

/** Bot-side state of the help sub-dialogue (plain JSON). */
export interface HelpState {
  /** Where the person said they are, kept for a later handoff in the same conversation. */
  where?: KnownPlace;
  /** Set while the bot waits for a location. */
  asking?: {
    support?: Support;
    /** Communes offered when the name was shared by several (their `query` to search). */
    choices?: Array<{ label: string; query: string; departement: string }>;
  };
}

/** The outcome of a location step: what to show and the new help state. */
export interface HelpStep {
  activities: Array<Partial<Activity>>;
  help: HelpState;
}

function message(text: string, lang: Lang, actions?: CardAction[]): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    text,
    locale: lang,
    inputHint: 'expectingInput',
    ...(actions?.length ? { suggestedActions: { to: [], actions } } : {}),
  };
}

/** The "continue alone" button. */
export function continueAction(lang: Lang, t: Translate): CardAction {
  return choiceAction(t(botText('help.continue'), lang), CONTINUE_VALUE);
}

/** Reads coordinates from an activity: a `GeoCoordinates` entity (Bot Framework's location schema). */
export function coordinatesOf(activity: Partial<Activity>): { lat: number; lon: number } | undefined {
  for (const e of activity.entities ?? []) {
    const geo = e as { type?: unknown; latitude?: unknown; longitude?: unknown };
    if (geo.type !== 'GeoCoordinates') continue;
    const lat = Number(geo.latitude);
    const lon = Number(geo.longitude);
    if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) return { lat, lon };
  }
  return undefined;
}

/** A postcode (5 digits) or `lat,lon`: surely a location, never an answer to a flow's question. */
export function looksLikeLocation(text: string): boolean {
  const s = text.trim();
  return /^\d{2}\s?\d{3}$/.test(s) || /^-?\d{1,2}(?:\.\d+)?\s*[,;]\s*-?\d{1,3}(?:\.\d+)?$/.test(s);
}

/**
 * A location the engine state already holds: the answer of an `input` node of type `postcode` or
 * `commune` in the current flow (the person told the flow where they live).
 */
export function locationFromAnswers(catalog: Catalog, state: ConversationState): string | undefined {
  const flow = state.flowId ? catalog.flows.get(state.flowId) : undefined;
  if (!flow) return undefined;
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'input' || (node.type !== 'postcode' && node.type !== 'commune')) continue;
    const value = state.answers[node.name ?? id];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return undefined;
}

function distanceText(r: NearResult, lang: Lang, t: Translate): string {
  if (r.distanceKm < 1) return t({ key: 'places:result.distance_m', params: { m: Math.max(50, Math.round((r.distanceKm * 1000) / 50) * 50) } }, lang);
  const km = r.distanceKm < 10 ? r.distanceKm.toLocaleString(lang === 'fr' || lang.startsWith('fr-') ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 }) : String(Math.round(r.distanceKm));
  return t({ key: 'places:result.distance', params: { km } }, lang);
}

/** One place as a hero card: name, address and distance, opening status, call/book/e-mail/map buttons. */
export function placeCard(r: NearResult, lang: Lang, t: Translate): ReturnType<typeof CardFactory.heroCard> {
  const buttons: CardAction[] = [];
  if (r.phoneLink) buttons.push({ type: ActionTypes.Call, title: t({ key: 'places:result.call', params: { phone: r.phoneText ?? r.phoneLink.slice(4) } }, lang), value: r.phoneLink });
  if (r.appointmentUrl) buttons.push({ type: ActionTypes.OpenUrl, title: t({ key: 'places:result.appointment' }, lang), value: r.appointmentUrl });
  if (r.email) buttons.push({ type: ActionTypes.OpenUrl, title: t({ key: 'places:result.email' }, lang), value: `mailto:${r.email}` });
  buttons.push({ type: ActionTypes.OpenUrl, title: t({ key: 'places:result.map' }, lang), value: r.mapUrl });
  const notes = [r.statusText];
  if (r.place.starter) notes.push(t({ key: 'places:result.starter' }, lang));
  if (r.place.position_approx) notes.push(t({ key: 'places:result.approx' }, lang));
  return CardFactory.heroCard(r.place.nom, undefined, buttons, { subtitle: `${r.address} · ${distanceText(r, lang, t)}`, text: notes.join('\n') });
}

/** Options of a search: what the procedure needs, the instant for opening hours. */
export interface SearchOptions {
  support?: Support;
  lang: Lang;
  at: Date;
  translate: Translate;
}

/** Turns a `findHelp` result into what to show and the next help state. */
export function showSearch(search: HelpSearch, help: HelpState, o: SearchOptions): HelpStep {
  const t = o.translate;
  const lang = o.lang;
  const cont = continueAction(lang, t);
  switch (search.kind) {
    case 'found': {
      const where: KnownPlace = { label: search.where.label, lat: search.where.lat, lon: search.where.lon };
      const next: HelpState = { where };
      if (search.results.length === 0) {
        return { help: next, activities: [message(t(botText('help.none', { where: where.label }), lang), lang, [cont])] };
      }
      return {
        help: next,
        activities: [
          {
            ...message(t(botText('help.places', { where: where.label }), lang), lang),
            attachmentLayout: 'list',
            attachments: search.results.map((r) => placeCard(r, lang, t)),
          },
          message(t(botText('help.orContinue'), lang), lang, [cont]),
        ],
      };
    }
    case 'ambiguous': {
      const choices = search.choices.map((c) => ({ label: c.label, query: c.query, departement: c.commune.departement }));
      return {
        help: { ...help, asking: { ...help.asking, choices } },
        activities: [message(t(botText('help.which'), lang), lang, [...choices.map((c) => choiceAction(c.label, WHERE_PREFIX + c.query)), cont])],
      };
    }
    case 'not-found':
      return {
        help: { ...help, asking: { ...help.asking } },
        activities: [message(t(botText('help.notFound'), lang), lang, [cont])],
      };
  }
}

/** Searches around a query or a point with the places module; never throws on what the person typed. */
export function searchHelp(directory: PlaceDirectory, where: string | { lat: number; lon: number }, help: HelpState, o: SearchOptions): HelpStep {
  const search = findHelp(directory, where, { support: o.support, limit: PLACES_SHOWN, lang: o.lang, at: o.at });
  return showSearch(search, help, o);
}

/** The question "where are you?", with the continue-alone button; the help state now waits. */
export function askWhere(support: Support | undefined, help: HelpState, lang: Lang, t: Translate): HelpStep {
  return {
    help: { ...help, asking: { ...(support ? { support } : {}) } },
    activities: [message(t(botText('help.where'), lang), lang, [continueAction(lang, t)])],
  };
}

/** A typed answer to "which one?": the département number or the label of one of the communes offered. */
export function pickOffered(help: HelpState, text: string): string | undefined {
  const choices = help.asking?.choices;
  if (!choices?.length) return undefined;
  const s = text.trim().toLowerCase();
  return choices.find((c) => c.departement.toLowerCase() === s || c.label.toLowerCase() === s)?.query;
}

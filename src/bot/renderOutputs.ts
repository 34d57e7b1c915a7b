/**
 * Turns engine outputs into Bot Framework activities. Rendering only: every decision (what to say,
 * which buttons) was taken by the engine; this file chooses how it looks on a Bot Framework channel.
 */
import { ActionTypes, ActivityTypes, CardFactory, HandoffEventNames, type Activity, type CardAction } from 'botbuilder';
import type { Choice, HelpPlace, Lang, Message, Output } from '../engine';

/** Translates an engine or bot message into the conversation's language (i18next behind it). */
export type Translate = (message: Message, lang: Lang) => string;

/** What a button click sends back in `activity.value`: the engine's stable value, never the label. */
export interface ChoiceValue {
  choice: string;
}

/** A bot-level text (namespace `bot`, `locales/<lng>/bot.json`). */
export function botText(key: string, params?: Record<string, string | number>): Message {
  return { key: `bot:${key}`, params };
}

/**
 * A button for a choice. `messageBack` shows the label in the transcript (the person sees what they
 * clicked, in their words) while the bot receives the stable value in `value.choice`, so a click
 * never depends on matching the label text. Typed text stays accepted through the engine's matching.
 */
export function choiceAction(label: string, value: string): CardAction {
  return { type: ActionTypes.MessageBack, title: label, text: label, displayText: label, value: { choice: value } satisfies ChoiceValue };
}

function message(text: string, lang: Lang): Partial<Activity> {
  return { type: ActivityTypes.Message, text, locale: lang, inputHint: 'expectingInput' };
}

function distanceText(km: number, lang: Lang, t: Translate): string {
  if (km < 1) return t({ key: 'places:result.distance_m', params: { m: Math.max(50, Math.round((km * 1000) / 50) * 50) } }, lang);
  const shown = km < 10 ? km.toLocaleString(lang === 'fr' || lang.startsWith('fr-') ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 }) : String(Math.round(km));
  return t({ key: 'places:result.distance', params: { km: shown } }, lang);
}

/**
 * One help place as a hero card: its name, then the opening status, the phone number, the address
 * and distance, whether it moves from day to day, and the date of the information; call first among
 * the buttons, then book, e-mail, map.
 */
export function placeCard(p: HelpPlace, lang: Lang, t: Translate): ReturnType<typeof CardFactory.heroCard> {
  const buttons: CardAction[] = [];
  if (p.phone) buttons.push({ type: ActionTypes.Call, title: t({ key: 'places:result.call', params: { phone: p.phone.text } }, lang), value: p.phone.link });
  if (p.appointmentUrl) buttons.push({ type: ActionTypes.OpenUrl, title: t({ key: 'places:result.appointment' }, lang), value: p.appointmentUrl });
  if (p.email) buttons.push({ type: ActionTypes.OpenUrl, title: t({ key: 'places:result.email' }, lang), value: `mailto:${p.email}` });
  buttons.push({ type: ActionTypes.OpenUrl, title: t({ key: 'places:result.map' }, lang), value: p.mapUrl });
  const lines: string[] = [];
  if (p.phone) lines.push(t({ key: 'places:result.phone', params: { phone: p.phone.text } }, lang));
  lines.push(`${p.address} · ${distanceText(p.distanceKm, lang, t)}`);
  if (p.itinerant) lines.push(t({ key: 'places:result.itinerant' }, lang));
  if (p.approximate) lines.push(t({ key: 'places:result.approx' }, lang));
  if (p.updatedText) lines.push(p.updatedText);
  return CardFactory.heroCard(p.name, undefined, buttons, { subtitle: p.status, text: lines.join('\n') });
}

function imageContentType(src: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(src)?.[1]?.toLowerCase();
  if (ext === 'jpg' || ext === 'jpeg') return 'image/jpeg';
  if (ext === 'svg') return 'image/svg+xml';
  if (ext === 'gif' || ext === 'webp' || ext === 'png') return `image/${ext}`;
  return 'image/png';
}

/**
 * Renders one turn's outputs, in order. Choices become suggested actions on the message just before
 * them (or on a short "choose" line when nothing precedes them); a handoff becomes a kind message and
 * a Bot Framework `handoff.initiate` event carrying the engine's context and the summary when given.
 */
export function renderOutputs(outputs: ReadonlyArray<Output | (Output & { code?: string; summary?: unknown })>, lang: Lang, translate: Translate): Array<Partial<Activity>> {
  const activities: Array<Partial<Activity>> = [];
  let current = lang;
  const t = (m: Message) => translate(m, current);
  const lastMessage = (): Partial<Activity> | undefined => {
    const last = activities[activities.length - 1];
    return last && last.type === ActivityTypes.Message && !last.suggestedActions ? last : undefined;
  };

  for (const out of outputs) {
    switch (out.kind) {
      case 'say':
        activities.push(message(t(out.message), current));
        break;
      case 'choices': {
        const actions = out.choices.map((c: Choice) => choiceAction(t(c.label), c.value));
        let target = lastMessage();
        if (!target) {
          target = message(t(botText('choose')), current);
          activities.push(target);
        }
        target.suggestedActions = { actions, to: [] };
        break;
      }
      case 'link': {
        const label = t(out.label);
        const card = CardFactory.heroCard('', label, undefined, [{ type: ActionTypes.OpenUrl, title: t(botText('open')), value: out.url }]);
        activities.push({ ...message('', current), text: undefined, attachments: [card] });
        break;
      }
      case 'image':
        activities.push({
          ...message('', current),
          text: undefined,
          attachments: [{ contentType: imageContentType(out.src), contentUrl: out.src, name: t(out.alt) }],
        });
        break;
      case 'checklist': {
        const lines = out.items.map((item) => `- ${t(item)}`);
        const title = out.title ? t(out.title) : undefined;
        activities.push({ ...message([title, ...lines].filter(Boolean).join('\n'), current), textFormat: 'markdown' });
        break;
      }
      case 'end':
        activities.push({ ...message(t(botText('end')), current), inputHint: 'acceptingInput' });
        break;
      case 'handoff': {
        const detail = out.detail ? t(out.detail) : undefined;
        const code = 'code' in out && typeof out.code === 'string' ? out.code : undefined;
        const summary = 'summary' in out ? out.summary : undefined;
        if (detail) activities.push(message(detail, current));
        activities.push(message(t(botText('handoff')), current));
        if (code) activities.push(message(t(botText('handoffCode', { code })), current));
        activities.push({
          type: ActivityTypes.Event,
          name: HandoffEventNames.InitiateHandoff,
          locale: current,
          value: {
            reason: out.reason,
            flowId: out.flowId,
            nodeId: out.nodeId,
            support: out.support,
            detail,
            lang: current,
            code,
            // The mediator's summary ("fiche de liaison"), for channels that connect a human-agent hub.
            ...(summary !== undefined ? { summary } : {}),
          },
        });
        break;
      }
      case 'language':
        // The engine says so itself, in the new language; from here on, render in it.
        current = out.lang;
        break;
      case 'official': {
        // Official pages as link cards, with the sentence that introduces them.
        const cards = out.pages.map((p) =>
          CardFactory.heroCard(p.title, p.description ?? '', undefined, [{ type: ActionTypes.OpenUrl, title: t(botText('official.open')), value: p.url }]),
        );
        const last = activities[activities.length - 1];
        const target = last && last.type === ActivityTypes.Message && !last.suggestedActions && !last.attachments ? last : undefined;
        if (target) Object.assign(target, { attachmentLayout: 'list', attachments: cards });
        else activities.push({ ...message('', current), text: undefined, attachmentLayout: 'list', attachments: cards });
        break;
      }
      case 'contact': {
        const details = [out.cost, out.hours].filter(Boolean).join(' · ');
        const text = out.phone
          ? t(botText('contact.call', { label: out.label, phone: out.phone })) + (details ? ` (${details})` : '')
          : t(botText('contact.online', { label: out.label }));
        const buttons: CardAction[] = [];
        if (out.phone) buttons.push({ type: ActionTypes.Call, title: t(botText('contact.button', { phone: out.phone })), value: `tel:${out.phone.replace(/\s+/g, '')}` });
        if (out.url) buttons.push({ type: ActionTypes.OpenUrl, title: t(botText('contact.page')), value: out.url });
        activities.push({ ...message(text, current), attachments: [CardFactory.heroCard('', undefined, buttons)] });
        break;
      }
      case 'places': {
        // The cards go with the sentence that introduces them, as one message.
        const cards = out.places.map((p) => placeCard(p, current, translate));
        const last = activities[activities.length - 1];
        const target = last && last.type === ActivityTypes.Message && !last.suggestedActions && !last.attachments ? last : undefined;
        if (target) Object.assign(target, { attachmentLayout: 'list', attachments: cards });
        else activities.push({ ...message('', current), text: undefined, attachmentLayout: 'list', attachments: cards });
        break;
      }
    }
  }
  return activities;
}

/**
 * Bot Framework hero cards (`application/vnd.microsoft.card.hero`) as accessible DOM: the bot sends help
 * places this way (name as title, distance and opening status in subtitle/text, buttons to call, book
 * and open a map). Rendering stays generic so any hero card the bot sends is shown, and unknown
 * attachment kinds are skipped rather than shown broken.
 */
import type { Attachment, CardAction } from './directLine';
import { link, renderText, safeHref } from './renderText';

export const HERO_CARD = 'application/vnd.microsoft.card.hero';

interface HeroCard {
  title?: unknown;
  subtitle?: unknown;
  text?: unknown;
  buttons?: unknown;
  tap?: unknown;
}

export interface CardStrings {
  newTab: string;
  listLabel: string;
}

/** Called when a card button sends something back to the bot (imBack, postBack, messageBack). */
export type ActionHandler = (action: CardAction) => void;

/** The hero cards of an activity as a list element, or undefined when there are none to show. */
export function renderCards(attachments: Attachment[] | undefined, headingTag: string, strings: CardStrings, onAction: ActionHandler): HTMLElement | undefined {
  const cards = (attachments ?? []).filter((a) => a && a.contentType === HERO_CARD && a.content && typeof a.content === 'object');
  if (cards.length === 0) return undefined;
  const ul = document.createElement('ul');
  ul.className = 'cards';
  ul.setAttribute('aria-label', strings.listLabel);
  for (const att of cards) {
    const card = att.content as HeroCard;
    const li = document.createElement('li');
    li.className = 'card';
    if (typeof card.title === 'string' && card.title) {
      const h = document.createElement(headingTag);
      h.className = 'card-title';
      h.textContent = card.title;
      li.append(h);
    }
    if (typeof card.subtitle === 'string' && card.subtitle) {
      const p = document.createElement('p');
      p.className = 'card-subtitle';
      p.textContent = card.subtitle;
      li.append(p);
    }
    if (typeof card.text === 'string' && card.text) {
      const div = document.createElement('div');
      div.className = 'card-text';
      renderText(div, card.text, strings.newTab);
      li.append(div);
    }
    const buttons = Array.isArray(card.buttons) ? (card.buttons as CardAction[]) : [];
    if (buttons.length > 0) {
      const row = document.createElement('div');
      row.className = 'card-actions';
      for (const b of buttons) {
        const el = renderAction(b, strings, onAction);
        if (el) row.append(el);
      }
      li.append(row);
    }
    ul.append(li);
  }
  return ul;
}

/** One card button: a link for openUrl/call (so it works even with the bot unreachable), else a button. */
export function renderAction(action: CardAction, strings: CardStrings, onAction: ActionHandler): HTMLElement | undefined {
  if (!action || typeof action !== 'object') return undefined;
  const title = typeof action.title === 'string' && action.title ? action.title : typeof action.value === 'string' ? action.value : '';
  if (!title) return undefined;
  if (action.type === 'openUrl' || action.type === 'call' || action.type === 'downloadFile' || action.type === 'showImage') {
    let href = typeof action.value === 'string' ? action.value : undefined;
    if (action.type === 'call' && href && !/^tel:/i.test(href)) href = 'tel:' + href.replace(/[^\d+]/g, '');
    const safe = safeHref(href);
    if (!safe) return undefined;
    const a = link(safe, title, strings.newTab);
    a.className = 'btn btn-secondary' + (action.type === 'call' ? ' btn-call' : '');
    return a;
  }
  if (action.type === 'imBack' || action.type === 'postBack' || action.type === 'messageBack') {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'btn btn-secondary';
    b.textContent = title;
    b.addEventListener('click', () => onAction(action));
    return b;
  }
  return undefined;
}

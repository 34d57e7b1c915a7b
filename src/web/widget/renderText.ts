/**
 * Turns a bot message into DOM nodes WITHOUT innerHTML, so that no text — the bot's or a resident's
 * echoed back — can inject HTML. Understands the little Markdown the bot writes: paragraphs, "- " and
 * "1. " lists, **bold**, [label](https://…) links and bare https:// or tel: links. Anything else is
 * shown as typed.
 */

const INLINE = /\*\*([^*\n]+)\*\*|\[([^\]\n]+)\]\(((?:https?:\/\/|tel:|mailto:)[^)\s]+)\)|((?:https?:\/\/)[^\s<>()]+[^\s<>().,;:!?'"»])/g;

/** Only web, phone and mail links: never `javascript:` or `data:`. */
export function safeHref(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const u = url.trim();
  return /^(https?:\/\/|tel:|mailto:|geo:)/i.test(u) ? u : undefined;
}

/** A link that opens outside the widget; says so to screen readers (WCAG 3.2.5). */
export function link(href: string, label: string, newTabHint: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = label;
  if (!/^tel:|^mailto:/i.test(href)) {
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    const hint = document.createElement('span');
    hint.className = 'sr-only';
    hint.textContent = ' ' + newTabHint;
    a.append(hint);
  }
  return a;
}

function inline(parent: HTMLElement, text: string, newTabHint: string): void {
  let last = 0;
  INLINE.lastIndex = 0;
  for (let m = INLINE.exec(text); m; m = INLINE.exec(text)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    if (m[1] !== undefined) {
      const b = document.createElement('strong');
      b.textContent = m[1];
      parent.append(b);
    } else if (m[2] !== undefined && m[3] !== undefined) {
      parent.append(link(m[3], m[2], newTabHint));
    } else if (m[4] !== undefined) {
      parent.append(link(m[4], m[4], newTabHint));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

/** Renders `text` into `parent` (appends). */
export function renderText(parent: HTMLElement, text: string, newTabHint: string): void {
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    let list: HTMLElement | undefined;
    let para: HTMLElement | undefined;
    for (const line of lines) {
      const bullet = /^\s*(?:[-*•]|(\d+)[.)])\s+(.*)$/.exec(line);
      if (bullet) {
        const ordered = bullet[1] !== undefined;
        if (!list || (list.tagName === 'OL') !== ordered) {
          list = document.createElement(ordered ? 'ol' : 'ul');
          parent.append(list);
        }
        const li = document.createElement('li');
        inline(li, bullet[2] ?? '', newTabHint);
        list.append(li);
        para = undefined;
      } else {
        list = undefined;
        if (!para) {
          para = document.createElement('p');
          parent.append(para);
        } else {
          para.append(document.createElement('br'));
        }
        inline(para, line.trim(), newTabHint);
      }
    }
  }
}

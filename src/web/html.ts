/**
 * Server-side HTML for the web pages: an escaping template tag and the common page layout.
 * Every interpolated value is escaped unless wrapped in {@link raw}, so text typed by a resident or
 * written in a flow can never become markup (issue 7: no HTML injection anywhere it is displayed).
 */

/** Markup that is already safe (built by `html` or a trusted renderer). */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup (ours, or the checklist renderer's escaped output). */
export function raw(value: string): Raw {
  return new Raw(value);
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function part(value: unknown): string {
  if (value instanceof Raw) return value.value;
  if (Array.isArray(value)) return value.map(part).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(value);
}

/** Template tag: `html\`<p>${text}</p>\`` escapes `text`; arrays are joined; false/null/undefined vanish. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += part(values[i]) + (strings[i + 1] ?? '');
  return new Raw(out);
}

/** Options of {@link page}. */
export interface PageOptions {
  title: string;
  lang?: string;
  body: Raw;
  /** Our bundled scripts under /assets (no inline script: the CSP forbids it). */
  scripts?: string[];
  styles?: string[];
  /** Extra class on <body>. */
  bodyClass?: string;
}

/** A complete HTML page in the site's layout (skip link, main landmark, external CSS/JS only). */
export function page(o: PageOptions): string {
  return (
    '<!doctype html>\n' +
    html`<html lang="${o.lang ?? 'fr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,"><title>${o.title}</title>${(o.styles ?? ['/assets/pages.css']).map((s) => html`<link rel="stylesheet" href="${s}">`)}${(o.scripts ?? []).map((s) => html`<script src="${s}" defer></script>`)}</head><body class="${o.bodyClass ?? ''}"><a class="skip" href="#main">Aller au contenu</a>${o.body}</body></html>`.value
  );
}

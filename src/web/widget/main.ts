/**
 * Entry point of `/widget.js`. On a partner's page: `<script src="https://<host>/widget.js" async></script>`
 * with optional `data-lang`, `data-title`, `data-color`, `data-text-color`, `data-open="true"`,
 * `data-position="left"`; on our own page `/`, `data-mode="page"` and `data-target` (an element id).
 * The server base is taken from the script's own URL, so the partner configures nothing else.
 */
import { Widget } from './Widget';
import { pickLang } from './strings';

function currentScript(): HTMLScriptElement | null {
  const cs = document.currentScript as HTMLScriptElement | null;
  if (cs) return cs;
  // `async` scripts in old browsers may not set currentScript: find ourselves by file name.
  const all = document.querySelectorAll<HTMLScriptElement>('script[src*="widget.js"]');
  return all[all.length - 1] ?? null;
}

function boot(script: HTMLScriptElement | null): void {
  const d = script?.dataset ?? {};
  const src = script?.src ? new URL(script.src, location.href) : new URL(location.href);
  const target = d.target ? document.getElementById(d.target) : null;
  if (document.querySelector('ariane-widget')) return; // the tag was pasted twice
  const host = document.createElement('ariane-widget');
  (target ?? document.body).append(host);
  const widget = new Widget(host, {
    base: src.origin,
    lang: pickLang(d.lang ?? document.documentElement.lang),
    title: d.title || undefined,
    color: d.color || undefined,
    textColor: d.textColor || undefined,
    open: d.open === 'true' || d.open === '',
    mode: d.mode === 'page' ? 'page' : 'bubble',
    position: d.position === 'left' ? 'left' : 'right',
  });
  widget.mount();
}

const script = currentScript();
if (document.body) boot(script);
else document.addEventListener('DOMContentLoaded', () => boot(script));

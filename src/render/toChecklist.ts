import { citationUrl, sourceUrl, type Flow, type FlowNode, type Support } from '../flow';
import { labelsFor, type RenderLabels } from './labels';
import { pickText } from './pickText';
import { describeWhen, edgesFrom, walkFlow, type FlowEdge } from './walkFlow';

/** How to print a checklist. */
export interface ChecklistOptions {
  /** Language of the texts (default `fr`); missing translations fall back to French. */
  lang?: string;
  /** `md` (Markdown, default) or `html` (a standalone printable page). */
  format?: 'md' | 'html';
}

/** A piece of a node's section, independent of the output format. */
type Block =
  | { type: 'text'; label?: string; text: string }
  | { type: 'check'; text: string }
  | { type: 'link'; url: string; label: string }
  | { type: 'route'; text: string; target?: string }
  | { type: 'source'; urls: string[] };

interface Section {
  id: string;
  number: number;
  kind: FlowNode['kind'];
  blocks: Block[];
}

interface Model {
  lang: string;
  words: RenderLabels;
  title: string;
  summary: string;
  meta: Array<[string, string]>;
  sources: Array<{ url: string; title?: string }>;
  sections: Section[];
  /** Number of sections reachable from the start; the rest are listed apart. */
  reachableCount: number;
}

/**
 * The flow as a mediator's printable checklist: every node once, in depth-first order from the
 * start (the order a conversation meets them), numbered so that "→ 7" can be followed on paper;
 * actions and documents as tick boxes, links written out, branches as "si … alors …", ends and
 * handovers with what comes next. `html` is a standalone page (print stylesheet, one checkbox per
 * item, every text escaped); `md` suits a wiki or a README. Pure: text in, text out.
 */
export function toChecklist(flow: Flow, options: ChecklistOptions = {}): string {
  const model = buildModel(flow, options.lang ?? 'fr');
  return options.format === 'html' ? renderHtml(model) : renderMarkdown(model);
}

function buildModel(flow: Flow, lang: string): Model {
  const words = labelsFor(lang);
  const { reachable, unreachable } = walkFlow(flow);
  const order = [...reachable, ...unreachable];
  const numberOf = new Map(order.map((id, i) => [id, i + 1]));

  // Choice labels by answer name and value, so that a condition reads « Permis de conduire » rather than `permis`.
  const choiceLabels = new Map<string, Map<string, string>>();
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.kind !== 'question') continue;
    const byValue = new Map<string, string>();
    for (const c of node.choices) byValue.set(c.value ?? c.next, pickText(c.label, lang));
    choiceLabels.set(node.name ?? id, byValue);
  }
  const showValue = (answer: string, value: string | number | boolean) => {
    const label = choiceLabels.get(answer)?.get(String(value));
    return label === undefined ? String(value) : `« ${label} »`;
  };

  const goTo = (target: string | undefined): { target?: string; text: string } =>
    target === undefined
      ? { text: words.defaultHelp }
      : { target, text: `${numberOf.get(target) ?? '?'}. ${target}` };

  const routeOf = (edge: FlowEdge): Block => {
    switch (edge.kind) {
      case 'choice':
        return route(`« ${pickText(edge.label, lang)} »`, goTo(edge.target), words);
      case 'next':
        return route(words.continue, goTo(edge.target), words);
      case 'done':
        return route(words.done, goTo(edge.target), words);
      case 'cannot':
        return route(words.cannot, goTo(edge.target), words);
      case 'rule':
        return route(`${words.if} ${describeWhen(edge.when, words, showValue)} ${words.then}`, goTo(edge.target), words);
      case 'otherwise':
        return route(capitalise(words.otherwise), goTo(edge.target), words);
    }
  };

  const sections: Section[] = order.map((id) => {
    const node = flow.nodes[id] as FlowNode;
    const blocks: Block[] = [];
    const text = node.kind === 'branch' ? pickText(node.text, lang) : pickText(node.text, lang);
    switch (node.kind) {
      case 'question':
        if (text) blocks.push({ type: 'text', text });
        blocks.push({ type: 'text', text: `${words.answers} :` });
        break;
      case 'input':
        blocks.push({ type: 'text', text });
        blocks.push({ type: 'text', label: words.expected, text: `${words.inputTypes[node.type as keyof RenderLabels['inputTypes']] ?? node.type} (${words.savedAs} « ${node.name} »)` });
        break;
      case 'step':
        blocks.push({ type: 'check', text });
        if (node.link) blocks.push({ type: 'link', url: node.link.url, label: pickText(node.link.label, lang) });
        if (node.image) blocks.push({ type: 'text', label: words.image, text: pickText(node.image.alt, lang) });
        break;
      case 'checklist':
        if (text) blocks.push({ type: 'text', text });
        for (const item of node.items) blocks.push({ type: 'check', text: pickText(item, lang) });
        break;
      case 'branch':
        if (text) blocks.push({ type: 'text', text });
        break;
      case 'end':
        blocks.push({ type: 'text', text });
        if (node.next_steps !== undefined) blocks.push({ type: 'text', label: words.nextSteps, text: pickText(node.next_steps, lang) });
        if (node.if_problem !== undefined) blocks.push({ type: 'text', label: words.ifProblem, text: pickText(node.if_problem, lang) });
        for (const l of node.links ?? []) blocks.push({ type: 'link', url: l.url, label: pickText(l.label, lang) });
        break;
      case 'handoff': {
        blocks.push({ type: 'text', text });
        blocks.push({ type: 'text', label: words.reason, text: pickText(node.reason, lang) });
        const support: Support = node.support ?? flow.support;
        blocks.push({ type: 'text', label: words.helpNeeded, text: support.services.join(', ') });
        if (support.programmes && support.programmes.length > 0) blocks.push({ type: 'text', label: words.programmes, text: support.programmes.join(', ') });
        break;
      }
    }
    for (const edge of edgesFrom(node)) blocks.push(routeOf(edge));
    if ('source' in node && node.source !== undefined) blocks.push({ type: 'source', urls: (Array.isArray(node.source) ? node.source : [node.source]).map(citationUrl) });
    return { id, number: numberOf.get(id) as number, kind: node.kind, blocks };
  });

  return {
    lang,
    words,
    title: pickText(flow.title, lang),
    summary: pickText(flow.summary, lang),
    meta: [
      [words.organisation, flow.organisation],
      [words.reviewed, flow.reviewed],
      [words.language, lang],
    ],
    sources: flow.sources.map((s) => ({ url: sourceUrl(s), ...(s.title ? { title: s.title } : {}) })),
    sections,
    reachableCount: reachable.length,
  };
}

function route(prefix: string, to: { target?: string; text: string }, words: RenderLabels): Block {
  const text = `${prefix} → ${words.goTo}`;
  return to.target === undefined ? { type: 'route', text: `${text} ${to.text}` } : { type: 'route', text, target: to.target };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Only web links are printed as links: a `javascript:` URL must never become clickable. */
function isWebUrl(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

// ---------- Markdown ----------

/** Backslash-escapes Markdown syntax so that flow text is shown as written, never interpreted. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/([\\`*_[\]<>#|~])/g, '\\$1');
}

function renderMarkdown(m: Model): string {
  const out: string[] = [];
  const e = escapeMarkdown;
  const target = (id: string) => {
    const s = m.sections.find((x) => x.id === id);
    return s ? `${s.number}. \`${id}\`` : `\`${id}\``;
  };
  out.push(`# ${e(m.title)}`, '');
  if (m.summary) out.push(e(m.summary), '');
  out.push(m.meta.map(([k, v]) => `**${e(k)}** : ${e(v)}`).join(' · '), '');
  out.push(`_${e(m.words.mediatorNote)}_`, '');
  for (const f of m.words.fields) out.push(`${e(f)} : ______________________________  `);
  out.push('');
  out.push(`**${e(m.words.sources)}** :`, '');
  for (const s of m.sources) out.push(`- ${s.title ? `${e(s.title)} — ` : ''}<${s.url.replace(/[<>\s]/g, encodeURIComponent)}>`);
  out.push('');
  m.sections.forEach((s, i) => {
    if (i === m.reachableCount) out.push(`## ${e(m.words.unreachable)}`, '');
    out.push(`## ${s.number}. ${e(m.words.kinds[s.kind])} — \`${s.id}\``, '');
    for (const b of s.blocks) {
      switch (b.type) {
        case 'text':
          out.push(b.label ? `**${e(b.label)}** : ${e(b.text)}` : e(b.text), '');
          break;
        case 'check':
          out.push(`- [ ] ${e(b.text)}`);
          break;
        case 'link':
          out.push(isWebUrl(b.url) ? `- 🔗 [${e(b.label)}](<${b.url.replace(/[<>\s]/g, encodeURIComponent)}>) — ${e(b.url)}` : `- ${e(b.label)} — ${e(b.url)}`);
          break;
        case 'route':
          out.push(`- ${e(b.text)}${b.target !== undefined ? ` ${target(b.target)}` : ''}`);
          break;
        case 'source':
          out.push('', `<sub>${e(m.words.source)} : ${b.urls.map((u) => e(u)).join(', ')}</sub>`);
          break;
      }
    }
    out.push('');
  });
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

// ---------- HTML ----------

/** Escapes text for HTML content and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const RTL = new Set(['ar', 'he', 'fa', 'ur']);

const STYLE = `
  body { font-family: system-ui, sans-serif; font-size: 12pt; line-height: 1.4; max-width: 50em; margin: 1em auto; padding: 0 1em; color: #111; }
  h1 { font-size: 1.6em; margin-bottom: .2em; }
  h2 { font-size: 1.15em; margin: 1.2em 0 .4em; border-bottom: 1px solid #999; }
  .kind { font-weight: normal; color: #444; }
  code { font-size: .9em; }
  ul { padding-inline-start: 1.2em; }
  ul.checks { list-style: none; padding-inline-start: 0; }
  ul.checks li { margin: .25em 0; }
  input[type=checkbox] { width: 1.1em; height: 1.1em; vertical-align: middle; margin-inline-end: .4em; }
  .label { font-weight: bold; }
  .source, .meta { font-size: .85em; color: #444; }
  section { break-inside: avoid; page-break-inside: avoid; }
  table.fields { border-collapse: collapse; width: 100%; margin: .5em 0 1em; }
  table.fields th { text-align: start; font-weight: normal; width: 16em; padding: .3em .5em .3em 0; }
  table.fields td { border-bottom: 1px solid #666; }
  @media print {
    body { margin: 0; max-width: none; font-size: 11pt; }
    a { color: inherit; text-decoration: none; }
    a.ext::after { content: " (" attr(href) ")"; font-size: .85em; word-break: break-all; }
    h2 { break-after: avoid; page-break-after: avoid; }
  }
`;

function renderHtml(m: Model): string {
  const h = escapeHtml;
  const numberOf = new Map(m.sections.map((s) => [s.id, s.number]));
  const link = (url: string, label: string) =>
    // Printed pages show a link's address after its label (print stylesheet), unless the label is the address.
    isWebUrl(url) ? `<a${label === url ? '' : ' class="ext"'} href="${h(url)}">${h(label)}</a>` : `${h(label)} (${h(url)})`;
  const out: string[] = [];
  out.push('<!doctype html>');
  out.push(`<html lang="${h(m.lang)}"${RTL.has(m.lang.split('-')[0] ?? '') ? ' dir="rtl"' : ''}>`);
  out.push('<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>${h(m.title)}</title>`, `<style>${STYLE}</style>`, '</head>', '<body>');
  out.push(`<h1>${h(m.title)}</h1>`);
  if (m.summary) out.push(`<p>${h(m.summary)}</p>`);
  out.push(`<p class="meta">${m.meta.map(([k, v]) => `<span class="label">${h(k)}</span> : ${h(v)}`).join(' · ')}</p>`);
  out.push(`<p><em>${h(m.words.mediatorNote)}</em></p>`);
  out.push('<table class="fields">');
  for (const f of m.words.fields) out.push(`<tr><th>${h(f)}</th><td></td></tr>`);
  out.push('</table>');
  out.push(`<p class="label">${h(m.words.sources)} :</p>`, '<ul class="source">');
  for (const s of m.sources) out.push(`<li>${link(s.url, s.title ?? s.url)}</li>`);
  out.push('</ul>');
  m.sections.forEach((s, i) => {
    if (i === m.reachableCount) out.push(`<h2>${h(m.words.unreachable)}</h2>`);
    out.push(`<section id="n-${h(s.id)}">`);
    out.push(`<h2>${s.number}. ${h(m.words.kinds[s.kind])} <span class="kind">— <code>${h(s.id)}</code></span></h2>`);
    let list: 'checks' | 'routes' | undefined;
    const open = (kind: 'checks' | 'routes') => {
      if (list === kind) return;
      if (list) out.push('</ul>');
      out.push(`<ul class="${kind}">`);
      list = kind;
    };
    const close = () => {
      if (list) out.push('</ul>');
      list = undefined;
    };
    for (const b of s.blocks) {
      switch (b.type) {
        case 'text':
          close();
          out.push(b.label ? `<p><span class="label">${h(b.label)}</span> : ${h(b.text)}</p>` : `<p>${h(b.text)}</p>`);
          break;
        case 'check':
          open('checks');
          out.push(`<li><label><input type="checkbox"> ${h(b.text)}</label></li>`);
          break;
        case 'link':
          open('checks');
          out.push(`<li>🔗 ${link(b.url, b.label)}</li>`);
          break;
        case 'route':
          open('routes');
          out.push(
            b.target !== undefined
              ? `<li>${h(b.text)} <a href="#n-${h(b.target)}">${numberOf.get(b.target) ?? '?'}. <code>${h(b.target)}</code></a></li>`
              : `<li>${h(b.text)}</li>`,
          );
          break;
        case 'source':
          close();
          out.push(`<p class="source">${h(m.words.source)} : ${b.urls.map((u) => link(u, u)).join(', ')}</p>`);
          break;
      }
    }
    close();
    out.push('</section>');
  });
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}

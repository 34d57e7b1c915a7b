/**
 * A handoff summary as text (CLI, terminal), Markdown (tickets, e-mail) or HTML (the mediator's web
 * page). Headings come from `locales/<lng>/places.json` (`handoff.*`); the summary's own content is
 * French, as stored.
 */
import { placesText } from '../places';
import type { HandoffSummary } from './createHandoff';

/** Output formats. */
export type HandoffFormat = 'text' | 'md' | 'html';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Markdown: neutralise characters that would turn a resident's answer into markup. */
const escapeMd = (s: string) => s.replace(/([\\`*_[\]<>#|])/g, '\\$1');

function longDate(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang.startsWith('en') ? 'en-GB' : 'fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' }).format(new Date(iso));
}

interface Section {
  heading: string;
  lines: string[];
  list?: boolean;
}

function sections(s: HandoffSummary, lang: string): { title: string; intro: string; sections: Section[]; footer: string[] } {
  const t = (key: string, params?: Record<string, string>) => placesText(lang, `handoff.${key}`, params);
  const out: Section[] = [];
  if (s.flow) out.push({ heading: t('procedure'), lines: [`${s.flow.title} (${s.flow.organisation})`] });
  out.push({
    heading: t('answers'),
    lines: s.answers.length ? s.answers.map((a) => `${a.question} → ${a.answer}`) : [t('no_answers')],
    list: s.answers.length > 0,
  });
  if (s.stoppedAt) out.push({ heading: t('stopped_at'), lines: [s.stoppedAt.text] });
  out.push({ heading: t('why'), lines: [t(`reason.${s.reason}`), ...(s.detail ? [s.detail] : [])] });
  out.push({ heading: t('bring'), lines: s.bring.length ? s.bring : [t('nothing_to_bring')], list: s.bring.length > 0 });
  if (s.pages?.length) out.push({ heading: t('pages'), lines: s.pages.map((p) => (p.title ? `${p.title} : ${p.url}` : p.url)), list: true });
  const footer = [
    ...(s.lang !== 'fr' ? [t('person_lang', { lang: placesText(lang, `handoff.languages.${s.lang}`).replace(/^handoff\.languages\..*/, s.lang) })] : []),
    t('created', { date: longDate(s.createdAt, lang) }),
    t('expires', { date: longDate(s.expiresAt, lang) }),
    t('privacy'),
  ];
  return { title: t('title', { code: s.code }), intro: t('intro'), sections: out, footer };
}

/** Renders a summary for a mediator. */
export function renderHandoff(summary: HandoffSummary, lang = 'fr', format: HandoffFormat = 'text'): string {
  const doc = sections(summary, lang);
  if (format === 'html') {
    const body = doc.sections
      .map((sec) => {
        const content = sec.list
          ? `<ul>${sec.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>`
          : sec.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('');
        return `<section><h2>${escapeHtml(sec.heading)}</h2>${content}</section>`;
      })
      .join('\n');
    return `<article class="handoff" lang="fr">\n<h1>${escapeHtml(doc.title)}</h1>\n<p>${escapeHtml(doc.intro)}</p>\n${body}\n<footer>${doc.footer.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</footer>\n</article>\n`;
  }
  if (format === 'md') {
    const body = doc.sections
      .map((sec) => `## ${sec.heading}\n\n${sec.lines.map((l) => (sec.list ? `- ${escapeMd(l)}` : escapeMd(l))).join('\n')}`)
      .join('\n\n');
    return `# ${doc.title}\n\n${doc.intro}\n\n${body}\n\n---\n\n${doc.footer.map((l) => `_${l}_`).join('  \n')}\n`;
  }
  const body = doc.sections.map((sec) => `${sec.heading}\n${sec.lines.map((l) => (sec.list ? `  • ${l}` : `  ${l}`)).join('\n')}`).join('\n\n');
  return `${doc.title}\n${'='.repeat(doc.title.length)}\n${doc.intro}\n\n${body}\n\n${doc.footer.join('\n')}\n`;
}

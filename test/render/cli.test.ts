import { runChecklist } from '../../src/cli/checklistCommand';
import { runGraph } from '../../src/cli/graphCommand';
import { RENDER_FLOWS } from './fixture';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (l: string) => err.push(l) }, out, err };
}

describe('ariane graph', () => {
  it('prints the Mermaid chart of a flow', () => {
    const c = capture();
    expect(runGraph('render-demo', { flows: RENDER_FLOWS }, c.io)).toBe(0);
    expect(c.out.join('')).toMatch(/^flowchart TD\n/);
    expect(c.err).toEqual([]);
  });

  it('wraps the chart in a mermaid block with --markdown', () => {
    const c = capture();
    expect(runGraph('render-demo', { flows: RENDER_FLOWS, markdown: true }, c.io)).toBe(0);
    const text = c.out.join('');
    expect(text.startsWith('```mermaid\nflowchart TD\n')).toBe(true);
    expect(text.endsWith('\n```\n')).toBe(true);
  });

  it('names the closest flow when the id is unknown, and fails', () => {
    const c = capture();
    expect(runGraph('render-dmo', { flows: RENDER_FLOWS }, c.io)).toBe(1);
    expect(c.out).toEqual([]);
    expect(c.err.join('\n')).toContain('vouliez-vous dire « render-demo »');
  });
});

describe('ariane checklist', () => {
  it('prints Markdown by default and HTML on request', () => {
    const md = capture();
    expect(runChecklist('render-demo', { flows: RENDER_FLOWS }, md.io)).toBe(0);
    expect(md.out.join('')).toMatch(/^# Démo/);
    const html = capture();
    expect(runChecklist('render-demo', { flows: RENDER_FLOWS, format: 'html', lang: 'en' }, html.io)).toBe(0);
    expect(html.out.join('')).toContain('<html lang="en">');
  });

  it('refuses an unknown format with exit code 2', () => {
    const c = capture();
    expect(runChecklist('render-demo', { flows: RENDER_FLOWS, format: 'pdf' }, c.io)).toBe(2);
    expect(c.err.join('\n')).toContain('« pdf » inconnu');
  });

  it('warns when the flow is not translated into the requested language, and still prints', () => {
    const c = capture();
    expect(runChecklist('render-demo', { flows: RENDER_FLOWS, lang: 'ar' }, c.io)).toBe(0);
    expect(c.err.join('\n')).toContain('pas traduit en « ar »');
    expect(c.out.join('')).toContain('## 1. Question');
  });
});

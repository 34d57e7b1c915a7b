import { join } from 'node:path';
import { loadFlowDirectory } from '../../src/flow';
import { toChecklist, toMermaid } from '../../src/render';
import { mermaidId } from '../../src/render/toMermaid';

// Every shipped flow must render: an admin runs `ariane graph` / `ariane checklist` on any of them.
const set = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));

describe.each(set.flows.map((f) => [f.id, f] as const))('rendering flows/%s.yaml', (_id, flow) => {
  it('draws every node and every arrow target in Mermaid', () => {
    const chart = toMermaid(flow);
    const declared = new Set([...chart.matchAll(/^ {2}(\w+)[[{(>]/gm)].map((m) => m[1]));
    for (const id of Object.keys(flow.nodes)) expect(declared).toContain(mermaidId(id));
    for (const m of chart.matchAll(/(?:-->|-\.->)(?:\|"[^"]*"\|)? (\w+)$/gm)) expect(declared).toContain(m[1]);
  });

  it('gives every node a section in each declared language', () => {
    for (const lang of flow.languages) {
      const html = toChecklist(flow, { lang, format: 'html' });
      for (const id of Object.keys(flow.nodes)) expect(html).toContain(`<section id="n-${id}">`);
      expect(html).not.toContain('<script');
    }
  });
});

/**
 * One rule for a residence permit that ends soon (issue 12, item 5). `prefecture-rendez-vous` and
 * `titre-sejour-renouvellement` both ask when the permit ends; for "in less than 2 months" and "it has
 * already ended" they must give the same advice, word for word in every language, with the same sources.
 * The flow format cannot yet hand a conversation over to another flow, so each flow carries a copy:
 * this test keeps the copies equal.
 */
import { join } from 'node:path';
import { loadFlowDirectory, sourceUrl, type Flow, type FlowNode } from '../../src/flow';

const flows = loadFlowDirectory(join(__dirname, '..', '..', 'flows'), { today: '2026-12-03' }).byId;

/** [node in prefecture-rendez-vous, node in titre-sejour-renouvellement] giving the same advice. */
const SHARED: Array<[string, string]> = [
  ['sejour-retard', 'hors-delai'],
  ['sejour-expire', 'urgent'],
];

function flow(id: string): Flow {
  const f = flows.get(id);
  if (!f) throw new Error(`flow ${id} not found`);
  return f;
}

function node(flowId: string, id: string): FlowNode {
  const n = flow(flowId).nodes[id];
  if (!n) throw new Error(`${flowId}: node ${id} not found`);
  return n;
}

/** The French label of the deadline question's choice that leads to `target`. */
function labelLeadingTo(flowId: string, target: string): string | undefined {
  for (const n of Object.values(flow(flowId).nodes)) {
    if (n.kind !== 'question') continue;
    const c = n.choices.find((ch) => ch.next === target);
    if (c) return typeof c.label === 'string' ? c.label : c.label.fr;
  }
  return undefined;
}

const sources = (n: FlowNode) => ('source' in n && n.source !== undefined ? [n.source].flat().sort() : []);

describe('same advice for a residence permit ending in less than 2 months', () => {
  it.each(SHARED)('prefecture-rendez-vous/%s = titre-sejour-renouvellement/%s', (a, b) => {
    const pa = node('prefecture-rendez-vous', a);
    const tb = node('titre-sejour-renouvellement', b);
    expect(pa.kind).toBe(tb.kind);
    expect(pa.text).toEqual(tb.text);
    if (pa.kind === 'handoff' && tb.kind === 'handoff') expect(pa.reason).toEqual(tb.reason);
    expect(sources(pa)).toEqual(sources(tb));
    expect(sources(pa).length).toBeGreaterThan(0);
    // Reached by the same answer in both flows.
    expect(labelLeadingTo('prefecture-rendez-vous', a)).toBe(labelLeadingTo('titre-sejour-renouvellement', b));
  });

  it('every source of the shared advice is among both flows’ sources', () => {
    for (const [a, b] of SHARED) {
      for (const [flowId, id] of [['prefecture-rendez-vous', a], ['titre-sejour-renouvellement', b]] as const) {
        const listed = flow(flowId).sources.map((s) => sourceUrl(s).replace(/\/$/, ''));
        for (const url of sources(node(flowId, id))) expect(listed).toContain(url.replace(/\/$/, ''));
      }
    }
  });

  it('late but not expired: the person is told to apply anyway, not only sent to a human', () => {
    expect(node('prefecture-rendez-vous', 'sejour-retard').kind).toBe('step');
    const late = node('titre-sejour-renouvellement', 'hors-delai');
    if (late.kind !== 'step') throw new Error('hors-delai should be a step');
    expect(typeof late.text === 'string' ? late.text : late.text.fr).toMatch(/Déposez-la quand même aujourd'hui/);
  });
});

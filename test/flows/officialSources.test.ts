/**
 * What the 15 flows owe residents and reviewers (issues 13 and 14): the organisation's phone line
 * (or contact page) with the page it comes from, the service-public fiches that are about the
 * procedure, each with its title, and no claim resting on an organisation's home page alone.
 */
import { join } from 'node:path';
import { ficheIdOf, loadFlowDirectory, type Flow } from '../../src/flow';
import { urlsOf } from '../../src/flow/checkFlows';

const flows = [...loadFlowDirectory(join(__dirname, '..', '..', 'flows'), { today: '2026-12-03' }).byId.values()];

/**
 * Flows for which the catalogue has no fiche about the procedure, with the reason. Searched by hand
 * on 2026-12-03; a flow leaves this list as soon as it cites a fiche (the last test checks it).
 */
const NO_FICHE: Record<string, string> = {
  franceconnect: 'no service-public fiche is about FranceConnect',
};

/** General home pages of the organisations: they prove nothing a reviewer can trace. */
const HOME_PAGES = /^https:\/\/(www\.)?(caf\.fr|francetravail\.fr|impots\.gouv\.fr|ameli\.fr|assure\.ameli\.fr|msa\.fr|lassuranceretraite\.fr)\/?$/;

const fichesAbout = (flow: Flow) => flow.sources.flatMap((s) => ('fiche' in s ? [s.fiche] : (ficheIdOf(s.url) ?? [])));

describe('official sources and phone lines of the real flows', () => {
  it('loads the 15 flows', () => {
    expect(flows).toHaveLength(15);
  });

  it.each(flows.map((f) => [f.id, f] as const))('%s has a contact: a phone with its cost, or a contact page, and its source', (_id, flow) => {
    const c = flow.contact;
    expect(c).toBeDefined();
    if (!c) return;
    expect(c.phone !== undefined || c.url !== undefined).toBe(true);
    if (c.phone !== undefined) {
      expect(c.phone).toMatch(/^[0-9]+( [0-9]+)*$/);
      expect(c.cost).toBeDefined();
    }
    expect([c.source ?? []].flat().length).toBeGreaterThan(0);
    // The organisation's line is written in every language the flow speaks.
    for (const text of [c.label, c.cost, c.hours]) {
      if (text === undefined) continue;
      expect(typeof text === 'string' ? ['fr'] : Object.keys(text).sort()).toEqual([...flow.languages].sort());
    }
  });

  it.each(flows.filter((f) => !(f.id in NO_FICHE)).map((f) => [f.id, f] as const))('%s cites at least one service-public fiche about its procedure, each with its title', (_id, flow) => {
    expect(fichesAbout(flow).length).toBeGreaterThan(0);
    for (const s of flow.sources) if ('fiche' in s) expect(`${s.fiche}: ${s.title ?? ''}`).toMatch(/^[FRN]\d+: \S/);
  });

  it.each(flows.map((f) => [f.id, f] as const))('%s rests no claim on an organisation’s home page alone', (_id, flow) => {
    const sources = urlsOf(flow).filter(([path]) => path[0] === 'sources' || path.includes('source'));
    expect(sources.filter(([, url]) => HOME_PAGES.test(url)).map(([path, url]) => `${path.join('.')}: ${url}`)).toEqual([]);
  });

  it('the flows without a fiche are exactly those listed, with a reason', () => {
    expect(flows.filter((f) => fichesAbout(f).length === 0).map((f) => f.id).sort()).toEqual(Object.keys(NO_FICHE).sort());
  });
});

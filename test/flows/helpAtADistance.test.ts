/**
 * Help at a distance (issue 14): in every real flow, a resident who asks for a person is given the
 * organisation's own line (phone and cost, or its contact page) before they say where they are,
 * and again beside the places of the starter directory, or when no place is near; in the
 * resident's language.
 */
import { join } from 'node:path';
import { buildCatalog, converse, initialState, type EngineEnv, type Output, type StepResult } from '../../src/engine';
import { loadFlowDirectory, type Flow } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';
import { starterFinder } from '../../src/places';

const flows = [...loadFlowDirectory(join(__dirname, '..', '..', 'flows'), { today: '2026-12-03' }).byId.values()];
const catalog = buildCatalog(flows, loadLexicons(), []);
const env: EngineEnv = { findHelp: starterFinder(new Date('2026-12-08T09:00:00Z')) };

type Contact = Extract<Output, { kind: 'contact' }>;
const contactOf = (outputs: Output[]) => outputs.filter((o): o is Contact => o.kind === 'contact');
const kinds = (outputs: Output[]) => outputs.map((o) => o.kind);
const said = (outputs: Output[]) => outputs.flatMap((o) => (o.kind === 'say' && 'key' in o.message ? [o.message.key] : []));

/** Starts `flow`, asks for a person, then says where they are (each step's result). */
function askForHelp(flow: Flow, where: string, lang = 'fr'): { asked: StepResult; answered: StepResult } {
  const started = converse(catalog, initialState(lang), { kind: 'flow', flowId: flow.id }, env);
  const asked = converse(catalog, started.state, { kind: 'text', text: lang === 'en' ? 'I want to talk to someone' : 'je voudrais parler à un conseiller' }, env);
  const answered = converse(catalog, asked.state, { kind: 'text', text: where }, env);
  return { asked, answered };
}

/** What the engine should say of the flow's line, in French. */
function expected(flow: Flow): Partial<Contact> {
  const c = flow.contact!;
  const fr = (t: typeof c.label | undefined) => (t === undefined ? undefined : typeof t === 'string' ? t : t.fr);
  return { kind: 'contact', label: fr(c.label)!, ...(c.phone ? { phone: c.phone, cost: fr(c.cost)! } : {}), ...(c.url ? { url: c.url } : {}) };
}

describe('help at a distance in the real flows', () => {
  it('covers the 15 flows, each with a contact', () => {
    expect(flows).toHaveLength(15);
    expect(flows.filter((f) => !f.contact).map((f) => f.id)).toEqual([]);
  });

  it.each(flows.map((f) => [f.id, f] as const))('%s: the line before the person says where, then beside the places', (_id, flow) => {
    const { asked, answered } = askForHelp(flow, '35550');
    expect(kinds(asked.outputs)).toContain('handoff');
    expect(contactOf(asked.outputs)).toEqual([expect.objectContaining(expected(flow))]);
    // The buttons ("continue alone") stay last, where chat clients show them.
    expect(kinds(asked.outputs).at(-1)).toBe('choices');

    const k = kinds(answered.outputs);
    expect(k).toContain('places');
    // Shown once, after the places, so that the places come first and the line is never lost.
    expect(contactOf(answered.outputs)).toEqual([expect.objectContaining(expected(flow))]);
    expect(k.indexOf('contact')).toBe(k.indexOf('places') + 1);
    expect(k.at(-1)).toBe('choices');
  });

  it('gives the line when no place is near (Saint-Pierre-et-Miquelon): a human at a distance is all there is', () => {
    const caf = flows.find((f) => f.id === 'caf-attestation')!;
    const { answered } = askForHelp(caf, '97500');
    expect(said(answered.outputs)).toContain('engine:help.none');
    expect(kinds(answered.outputs)).not.toContain('places');
    expect(contactOf(answered.outputs)).toEqual([expect.objectContaining({ phone: '32 30' })]);
    expect(kinds(answered.outputs).at(-1)).toBe('choices');
  });

  it('does not repeat it with the gentle retry of a place it cannot read', () => {
    const caf = flows.find((f) => f.id === 'caf-attestation')!;
    const { answered } = askForHelp(caf, 'xyzzy plouf');
    expect(said(answered.outputs)).toContain('engine:help.notFound');
    expect(contactOf(answered.outputs)).toEqual([]);
  });

  it('in the resident’s language', () => {
    const ft = flows.find((f) => f.id === 'france-travail-inscription')!;
    const { answered } = askForHelp(ft, '75011', 'en');
    expect(contactOf(answered.outputs)).toEqual([expect.objectContaining({ label: 'France Travail (job centre)', phone: '39 49', cost: 'Free service + cost of a call' })]);
  });

  it('a flow whose organisation has no phone line gives its contact page instead', () => {
    const fc = flows.find((f) => f.id === 'franceconnect')!;
    const { answered } = askForHelp(fc, '35550');
    const [line] = contactOf(answered.outputs);
    expect(line).toMatchObject({ url: 'https://franceconnect.gouv.fr/partenaires' });
    expect(line?.phone).toBeUndefined();
  });
});

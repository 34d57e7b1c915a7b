/**
 * `ariane match`: what admins see when tuning keywords. Run in-process through the real CLI program
 * on the shipped flows, and on a tiny fixture directory written here so scores are predictable.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main';
import { formatMatch, matchSentence, runMatch, type MatchReport } from '../../src/cli/matchCommand';
import { buildCatalog } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';

const ROOT = join(__dirname, '..', '..');
const FLOWS = join(ROOT, 'flows');

function capture(words: string[], options: Parameters<typeof runMatch>[1]) {
  let out = '';
  const err: string[] = [];
  const code = runMatch(words, options, { out: (t) => (out += t), err: (l) => err.push(l) });
  return { code, out, err };
}

const fixture = (id: string, keywords: string[]) => `id: ${id}
title: Parcours ${id}
keywords: [${keywords.map((k) => JSON.stringify(k)).join(', ')}]
organisation: Test
support: { services: ["Aide aux démarches administratives"] }
sources: [{ url: "https://example.org" }]
reviewed: "2026-11-22"
languages: [fr]
start: fin
nodes:
  fin: { kind: end, text: Fini. }
`;

describe('ariane match', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ariane-match-'));
    writeFileSync(join(dir, 'velo-location.yaml'), fixture('velo-location', ['vélo', 'location de vélo']));
    writeFileSync(join(dir, 'cantine-inscription.yaml'), fixture('cantine-inscription', ['cantine', 'inscription cantine']));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ranks flows best first with scores, and says the conversation would start the clear winner', () => {
    const { code, out } = capture(['je', 'veux', 'la', 'location', 'de', 'velo'], { flows: dir });
    expect(code).toBe(0);
    expect(out).toMatch(/« je veux la location de velo » \(fr\)/);
    expect(out).toMatch(/1\. velo-location\s+\d\.\d{3}\s+Parcours velo-location/);
    expect(out).not.toMatch(/cantine-inscription/);
    expect(out).toMatch(/Décision : démarre le parcours « velo-location »/);
  });

  it('--json gives scripts the ranking, the threshold and the decision', () => {
    const { code, out } = capture(['inscription cantine'], { flows: dir, json: true });
    expect(code).toBe(0);
    const report = JSON.parse(out) as MatchReport;
    expect(report.ranked[0]).toMatchObject({ flowId: 'cantine-inscription', accepted: true });
    expect(report.ranked[0]?.score).toBeGreaterThan(report.threshold);
    expect(report.decision).toEqual({ kind: 'start', flowId: 'cantine-inscription' });
  });

  it('--lang is the conversation language: a sentence in another language is followed, and says so', () => {
    const set = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));
    const catalog = buildCatalog(set.flows, loadLexicons());
    const fromFrench = matchSentence(catalog, 'I need a payment certificate from the CAF for my landlord', 'fr');
    expect(fromFrench.langAfter).toBe('en');
    expect(formatMatch(fromFrench, 10)).toMatch(/langue suivie : en/);
    const inEnglish = matchSentence(catalog, 'I need a payment certificate from the CAF for my landlord', 'en');
    expect(inEnglish.langAfter).toBe('en');
    expect(formatMatch(inEnglish, 10)).not.toMatch(/langue suivie/);
    expect(inEnglish.decision).toEqual({ kind: 'start', flowId: 'caf-attestation' });
  });

  it('says plainly when nothing matches: no flow is proposed, human help is', () => {
    const { out } = capture(['recette', 'de', 'couscous'], { flows: dir });
    expect(out).toMatch(/aucun parcours ne partage un mot/);
    expect(out).toMatch(/Décision : ne reconnaît aucune démarche/);
  });

  it('runs from the real CLI on the shipped flows, in another language', async () => {
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await buildProgram().parseAsync(['node', 'ariane', 'match', '--lang', 'en', '--json', '--flows', FLOWS, 'renew', 'my', 'residence', 'permit'], { from: 'node' });
    } finally {
      spy.mockRestore();
    }
    const report = JSON.parse(out) as MatchReport;
    expect(report.lang).toBe('en');
    expect(report.ranked[0]?.flowId).toBe('titre-sejour-renouvellement');
    expect(report.ranked[0]?.title).toBe('Renew your residence permit online (ANEF)');
    // The shipped example requests are loaded too: the classifier's reading is shown beside the keywords'.
    expect(report.learnt[0]?.flowId).toBe('titre-sejour-renouvellement');
  });

  it('shows what the classifier learnt from the example files reads in the sentence', () => {
    const set = loadFlowDirectory(FLOWS);
    const catalog = buildCatalog(set.flows, loadLexicons(), [], { examples: [...set.examples, { text: 'ma voisine fait du bruit la nuit', flow: 'none' }, { text: 'les voisins font du bruit', flow: 'none' }] });
    const report = matchSentence(catalog, 'le voisin fait trop de bruit');
    expect(report.learnt[0]?.flowId).toBe('none');
    expect(formatMatch(report, 10)).toMatch(/d'après les exemples : none 0\.\d\d/);
    expect(matchSentence(buildCatalog(set.flows, loadLexicons()), 'le voisin fait trop de bruit').learnt).toEqual([]);
  });

  it('refuses an empty sentence and an empty flow directory with a clear message', () => {
    expect(capture([' '], { flows: dir })).toMatchObject({ code: 1, err: [expect.stringMatching(/Donnez une phrase/)] });
    const empty = mkdtempSync(join(tmpdir(), 'ariane-match-empty-'));
    try {
      expect(capture(['caf'], { flows: empty })).toMatchObject({ code: 1, err: [expect.stringMatching(/Aucun parcours/)] });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

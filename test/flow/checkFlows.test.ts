import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkFlows, loadFlow, loadFlowDirectory, loadFlowFiles, parseFlow, type Diagnostic, type ParsedFlow } from '../../src/flow';

const fixtures = join(__dirname, '..', 'fixtures');
const broken = (name: string) => join(fixtures, 'flows-broken', name);
const TODAY = '2026-11-22';

function summary(diagnostics: Diagnostic[]) {
  return diagnostics.map((d) => ({ file: d.file, line: d.line, col: d.col, severity: d.severity, code: d.code, message: d.message, hint: d.hint }));
}

describe('checkFlows: errors', () => {
  it('a valid flow (every node kind, two languages) is clean', () => {
    const set = loadFlowDirectory(join(fixtures, 'flows-valid'), { today: TODAY, checkScenarios: true });
    expect(set.diagnostics).toEqual([]);
    expect(set.ok).toBe(true);
    expect([...set.byId.keys()]).toEqual(['exemple-complet']);
    expect(set.scenarioFiles).toHaveLength(1);
  });

  it('next / start naming no node → did you mean the closest id', () => {
    const file = broken('unknown-node.yaml');
    const set = loadFlowFiles([file], { today: TODAY });
    expect(summary(set.diagnostics)).toEqual([
      { file, line: 12, col: 8, severity: 'error', code: 'unknown-node', message: 'aucun nœud ne s’appelle « debutt »', hint: 'vouliez-vous dire « debut » ?' },
      { file, line: 19, col: 15, severity: 'error', code: 'unknown-node', message: 'aucun nœud ne s’appelle « fn »', hint: 'vouliez-vous dire « fin » ?' },
    ]);
    expect(set.ok).toBe(false);
  });

  it('id different from the file name', () => {
    const file = broken('id-mismatch.yaml');
    expect(summary(loadFlowFiles([file], { today: TODAY }).diagnostics)).toEqual([
      expect.objectContaining({ file, line: 2, col: 5, code: 'id-mismatch', message: 'l’identifiant « autre-nom » ne correspond pas au nom du fichier « id-mismatch.yaml »' }),
    ]);
  });

  it('duplicate flow ids across files: reported on the second file', () => {
    const set = loadFlowFiles([broken('duplicate-a'), broken('duplicate-b')], { today: TODAY });
    expect(summary(set.diagnostics)).toEqual([
      expect.objectContaining({ file: join(broken('duplicate-b'), 'meme-id.yaml'), line: 2, col: 5, code: 'duplicate-flow-id', message: expect.stringContaining('existe déjà dans') }),
    ]);
    expect(set.byId.size).toBe(1);
    expect(set.fileById.get('meme-id')).toBe(join(broken('duplicate-a'), 'meme-id.yaml'));
  });

  it('traps: each node of a loop with no way out, at the node key', () => {
    const file = broken('trap.yaml');
    const errors = loadFlowFiles([file], { today: TODAY }).diagnostics.filter((d) => d.severity === 'error');
    expect(summary(errors)).toEqual([
      expect.objectContaining({ line: 29, col: 3, code: 'trap', message: expect.stringContaining('« boucle »') }),
      expect.objectContaining({ line: 33, col: 3, code: 'trap', message: expect.stringContaining('« encore »') }),
    ]);
  });

  it('a loop made only of branches (the conversation would spin for ever)', () => {
    expect(summary(loadFlowFiles([broken('branch-loop.yaml')], { today: TODAY }).diagnostics)).toEqual([
      expect.objectContaining({ line: 29, col: 3, code: 'branch-loop', message: 'boucle d’aiguillages sans question : « tri-a » → « tri-b » → « tri-a »' }),
    ]);
  });

  it('branch conditions with zero or several operators', () => {
    const file = broken('condition-operators.yaml');
    const errors = loadFlowFiles([file], { today: TODAY }).diagnostics.filter((d) => d.severity === 'error');
    expect(summary(errors)).toEqual([
      expect.objectContaining({ line: 32, col: 15, code: 'condition-operators', message: 'condition sans test sur « debut »' }),
      expect.objectContaining({ line: 34, col: 15, code: 'condition-operators', message: 'plusieurs tests dans une même condition (equals, missing)' }),
      expect.objectContaining({ line: 39, col: 15, code: 'condition-operators', message: 'plusieurs tests dans une même condition (lt, gt)' }),
    ]);
  });

  it('two answers of a question with the same value but different next nodes', () => {
    expect(summary(loadFlowFiles([broken('duplicate-choice.yaml')], { today: TODAY }).diagnostics)).toEqual([
      expect.objectContaining({ line: 22, col: 16, code: 'duplicate-choice', message: 'deux réponses de la question « debut » ont la même valeur « oui » mais mènent à des nœuds différents' }),
    ]);
  });

  it('a date that does not exist', () => {
    expect(summary(loadFlowFiles([broken('bad-date.yaml')], { today: TODAY }).diagnostics)).toEqual([
      expect.objectContaining({ line: 10, col: 11, code: 'bad-date', message: 'date impossible « 2026-02-30 »' }),
    ]);
  });

  it('schema errors stop a file before graph checks, but other files are still checked', () => {
    const set = loadFlowFiles([broken('unknown-kind.yaml'), broken('unknown-node.yaml')], { today: TODAY });
    expect(set.diagnostics.map((d) => d.code)).toEqual(['unknown-kind', 'unknown-node', 'unknown-node']);
    expect(set.flows.map((f) => f.id)).toEqual(['unknown-node']);
  });

  it('a folder without any flow is an error, not a clean result', () => {
    const missing = loadFlowFiles([join(fixtures, 'no-such-folder')], { today: TODAY });
    expect(missing.diagnostics.map((d) => d.message)).toEqual(['fichier introuvable']);
    expect(missing.ok).toBe(false);
    const empty = loadFlowDirectory(join(__dirname), { today: TODAY });
    expect(summary(empty.diagnostics)).toEqual([expect.objectContaining({ file: __dirname, line: 1, code: 'io', message: 'aucun parcours (fichier .yaml) dans ce dossier' })]);
    expect(empty.ok).toBe(false);
  });

  it('every broken fixture yields at least one error (none is silently accepted)', () => {
    const set = loadFlowFiles([join(fixtures, 'flows-broken')], { today: TODAY });
    const files = new Set(set.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));
    const all = readdirSync(join(fixtures, 'flows-broken')).filter((f) => f.endsWith('.yaml'));
    expect(all.length).toBeGreaterThanOrEqual(17);
    expect([...files].sort()).toEqual(all.map((f) => join(fixtures, 'flows-broken', f)).sort());
  });
});

describe('checkFlows: warnings and --strict', () => {
  const file = join(fixtures, 'flows-warnings', 'avertissements.yaml');

  it('unreachable nodes, missing translations, stale review, http links, unknown answers', () => {
    const set = loadFlowFiles([file], { today: TODAY });
    expect(set.ok).toBe(true);
    expect(summary(set.diagnostics)).toEqual([
      expect.objectContaining({ line: 6, col: 1, severity: 'warning', code: 'missing-translation', message: 'mots-clés sans liste « en »' }),
      expect.objectContaining({ line: 11, col: 10, severity: 'warning', code: 'insecure-link', message: 'lien non sécurisé « http://www.caf.fr/ »' }),
      expect.objectContaining({ line: 12, col: 11, severity: 'warning', code: 'review-outdated', message: 'contenu vérifié le 2025-10-01, il y a plus de 12 mois' }),
      expect.objectContaining({ line: 33, col: 3, severity: 'warning', code: 'unreachable', message: 'le nœud « oublie » n’est jamais atteint depuis « debut »' }),
      expect.objectContaining({ line: 35, col: 11, severity: 'warning', code: 'missing-translation', message: 'texte sans traduction « en »' }),
      expect.objectContaining({ line: 40, col: 3, severity: 'warning', code: 'unreachable', message: 'le nœud « tri » n’est jamais atteint depuis « debut »' }),
      expect.objectContaining({ line: 43, col: 25, severity: 'warning', code: 'unknown-answer', hint: 'vouliez-vous dire « debut » ?' }),
    ]);
  });

  it('a condition comparing a question with a value it never gives', () => {
    const set = loadFlowFiles([join(fixtures, 'flows-warnings', 'valeur-inconnue.yaml')], { today: TODAY });
    expect(summary(set.diagnostics)).toEqual([
      expect.objectContaining({ line: 33, col: 40, severity: 'warning', code: 'unknown-value', message: 'la question « debut » ne donne jamais la valeur « Oui » : cette condition est toujours fausse', hint: 'vouliez-vous dire « oui » ?' }),
      expect.objectContaining({ line: 35, col: 42, severity: 'warning', code: 'unknown-value', hint: expect.stringContaining('valeurs possibles : oui, aide') }),
    ]);
  });

  it('strict turns every warning into an error', () => {
    const set = loadFlowFiles([file], { today: TODAY, strict: true });
    expect(set.ok).toBe(false);
    expect(set.diagnostics).toHaveLength(7);
    expect(set.diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('review age is relative to the `today` given: 12 months exactly is still fine', () => {
    expect(loadFlowFiles([file], { today: '2026-10-01' }).diagnostics.map((d) => d.code)).not.toContain('review-outdated');
    expect(loadFlowFiles([file], { today: '2026-10-02' }).diagnostics.map((d) => d.code)).toContain('review-outdated');
  });

  it('a future review date is suspicious', () => {
    expect(loadFlowFiles([file], { today: '2025-01-01' }).diagnostics.find((d) => d.code === 'review-outdated')?.message).toMatch(/futur/);
  });
});

describe('checkFlows: pure on parsed flows', () => {
  it('works on flows parsed from text, with positions from their source', () => {
    const loaded = loadFlow(join(fixtures, 'flows-valid', 'exemple-complet.yaml'));
    const text = loaded.source.text.replace('otherwise: aide', 'otherwise: aid');
    const reparsed = parseFlow(text, 'exemple-complet.yaml');
    const diagnostics = checkFlows([reparsed as ParsedFlow], { today: TODAY });
    expect(summary(diagnostics)).toEqual([expect.objectContaining({ file: 'exemple-complet.yaml', line: 51, col: 16, code: 'unknown-node', hint: 'vouliez-vous dire « aide » ?' })]);
  });
});

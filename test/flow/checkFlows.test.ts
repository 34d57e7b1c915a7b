import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadFlowDirectory, loadFlowFiles, type Diagnostic, type FicheLookup } from '../../src/flow';
import { checkFlows, fichesOf, urlsOf, type ParsedFlow } from '../../src/flow/checkFlows';
import { loadFlow, parseFlow } from '../../src/flow/loadFlow';

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

describe('checkFlows: service-public fiches cited', () => {
  const file = join(fixtures, 'flows-fiches', 'fiches-citees.yaml');
  /** A catalogue of three fiches, as src/sources would hand it over. */
  const lookup = (complete: boolean, modified = '2026-01-10'): FicheLookup => {
    const fiches: Record<string, { title: string; modified: string }> = {
      F10027: { title: 'Complémentaire santé solidaire (ex-CMU-C)', modified },
      R42726: { title: "Téléservice : Demander la prime d'activité", modified: '2020-02-04' },
      N19775: { title: 'Revenu de solidarité active (RSA)', modified: '2026-11-23' },
    };
    return {
      get: (id) => fiches[id],
      suggest: (id, title) => (title?.includes('santé') || id === 'F10028' ? { id: 'F10027', title: fiches.F10027!.title } : undefined),
      complete,
      label: complete ? 'du catalogue téléchargé le 1er décembre 2026' : 'du catalogue embarqué (fiches jusqu’au 12 novembre 2020)',
    };
  };

  it('without a catalogue, citations are not checked (src/flow does no I/O)', () => {
    expect(loadFlowFiles([file], { today: TODAY }).diagnostics).toEqual([]);
  });

  it('an unknown id is an error against a downloaded catalogue, with the closest fiche as hint; a fiche modified after `reviewed` is a warning, once', () => {
    const set = loadFlowFiles([file], { today: TODAY, fiches: lookup(true) });
    expect(summary(set.diagnostics)).toEqual([
      {
        file,
        line: 10,
        col: 10,
        severity: 'error',
        code: 'unknown-fiche',
        message: 'fiche service-public F1002700 inconnue du catalogue téléchargé le 1er décembre 2026',
        hint: 'vouliez-vous dire F10027 « Complémentaire santé solidaire (ex-CMU-C) » ?',
      },
      {
        file,
        line: 27,
        col: 43,
        severity: 'error',
        code: 'unknown-fiche',
        message: 'fiche service-public F10028 inconnue du catalogue téléchargé le 1er décembre 2026',
        hint: 'vouliez-vous dire F10027 « Complémentaire santé solidaire (ex-CMU-C) » ?',
      },
      {
        file,
        line: 27,
        col: 51,
        severity: 'warning',
        code: 'fiche-modified',
        message: 'N19775 « Revenu de solidarité active (RSA) » modifiée le 2026-11-23 après votre relecture du 2026-11-22',
        hint: 'relisez la fiche (https://www.service-public.gouv.fr/particuliers/vosdroits/N19775) et ce que le parcours en dit, puis mettez la date du jour dans « reviewed »',
      },
    ]);
    expect(set.ok).toBe(false);
  });

  it('against the embedded snapshot, an id that may be a newer fiche is not reported; others still are', () => {
    const newer = (id: string) => id === 'F10028';
    const d = loadFlowFiles([file], { today: TODAY, fiches: { ...lookup(false), mayBeNewer: newer } }).diagnostics.filter((x) => x.code === 'unknown-fiche');
    expect(d.map((x) => x.message)).toEqual(['fiche service-public F1002700 inconnue du catalogue embarqué (fiches jusqu’au 12 novembre 2020)']);
    // A downloaded catalogue is complete: there, the same id is an error.
    const sync = loadFlowFiles([file], { today: TODAY, fiches: { ...lookup(true), mayBeNewer: newer } }).diagnostics.filter((x) => x.code === 'unknown-fiche');
    expect(sync.map((x) => x.severity)).toEqual(['error', 'error']);
  });

  it('against the embedded snapshot an unknown id is only a warning: the fiche may be newer than it', () => {
    const d = loadFlowFiles([file], { today: TODAY, fiches: lookup(false) }).diagnostics.filter((x) => x.code === 'unknown-fiche');
    expect(d.map((x) => x.severity)).toEqual(['warning', 'warning']);
    expect(d[0]?.message).toBe('fiche service-public F1002700 inconnue du catalogue embarqué (fiches jusqu’au 12 novembre 2020)');
    expect(d[0]?.hint).toMatch(/; si la fiche est plus récente que ce catalogue, lancez « ariane sources sync »$/);
  });

  it('a fiche cited by the flow and by a node, modified after the review: one warning, at its first citation', () => {
    const d = loadFlowFiles([file], { today: TODAY, fiches: lookup(true, '2026-12-01') }).diagnostics.filter((x) => x.code === 'fiche-modified');
    expect(summary(d).map((x) => [x.line, x.col, x.message])).toEqual([
      [9, 12, 'F10027 « Complémentaire santé solidaire (ex-CMU-C) » modifiée le 2026-12-01 après votre relecture du 2026-11-22'],
      [27, 51, 'N19775 « Revenu de solidarité active (RSA) » modifiée le 2026-11-23 après votre relecture du 2026-11-22'],
    ]);
  });

  it('a fiche modified on the review day itself is fine', () => {
    expect(loadFlowFiles([file], { today: TODAY, fiches: lookup(true, TODAY) }).diagnostics.filter((x) => x.code === 'fiche-modified' && x.message.startsWith('F10027'))).toEqual([]);
  });

  it('a fiche id badly written is a schema error with the expected form; fiche ids are not links', () => {
    const bad = join(fixtures, 'flows-fiches', 'fiches-mal-ecrites.yaml');
    expect(summary(loadFlowFiles([bad], { today: TODAY }).diagnostics)).toEqual([
      expect.objectContaining({ line: 9, col: 12, code: 'schema', message: 'identifiant de fiche invalide « f10027 »', hint: expect.stringContaining('comme F10027') }),
      expect.objectContaining({ line: 17, col: 13, code: 'schema', message: 'source invalide « caf.fr »', hint: expect.stringContaining('https://') }),
    ]);
    const loaded = loadFlow(file);
    expect(urlsOf(loaded.flow!).map(([, u]) => u)).toEqual([
      'https://www.service-public.fr/particuliers/vosdroits/F1002700',
      'https://www.caf.fr/',
      'https://www.ameli.fr/assure',
      'https://www.service-public.gouv.fr/particuliers/vosdroits/R42726',
    ]);
    expect(fichesOf(loaded.flow!).map((f) => f.id)).toEqual(['F10027', 'F1002700', 'R42726', 'F10027', 'F10028', 'N19775', 'R42726']);
  });
});

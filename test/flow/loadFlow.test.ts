import { join } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../../src/flow';
import { loadFlow, parseFlow } from '../../src/flow/loadFlow';

const broken = (name: string) => join(__dirname, '..', 'fixtures', 'flows-broken', name);
const valid = join(__dirname, '..', 'fixtures', 'flows-valid', 'exemple-complet.yaml');

/** The parts of diagnostics a test cares about, in file order. */
function summary(diagnostics: Diagnostic[]) {
  return diagnostics.map((d) => ({ line: d.line, col: d.col, severity: d.severity, code: d.code, message: d.message, hint: d.hint }));
}

describe('loadFlow: a valid file', () => {
  it('returns the flow and no diagnostic', () => {
    const r = loadFlow(valid);
    expect(r.diagnostics).toEqual([]);
    expect(r.flow?.id).toBe('exemple-complet');
    expect(Object.keys(r.flow?.nodes ?? {})).toContain('aiguillage');
  });
});

describe('loadFlow: YAML syntax errors point at the slip', () => {
  it('unclosed bracket: line and column of the bracket, not of the line the parser noticed it', () => {
    const r = loadFlow(broken('yaml-syntax.yaml'));
    expect(r.flow).toBeUndefined();
    expect(summary(r.diagnostics)).toEqual([
      { line: 4, col: 11, severity: 'error', code: 'yaml-syntax', message: 'crochet « [ » non fermé', hint: 'fermez la liste avec « ] » sur la même ligne' },
    ]);
  });

  it('duplicate key: the second occurrence', () => {
    const r = loadFlow(broken('yaml-duplicate-key.yaml'));
    expect(summary(r.diagnostics)).toEqual([expect.objectContaining({ line: 25, col: 5, code: 'yaml-syntax', message: 'clé en double « text »' })]);
  });

  it('tab indentation: one message, no cascade', () => {
    const r = loadFlow(broken('yaml-tab.yaml'));
    expect(summary(r.diagnostics)).toEqual([expect.objectContaining({ line: 26, col: 1, code: 'yaml-syntax', message: 'tabulation dans l’indentation' })]);
  });

  it('unclosed quote and alias to nothing are diagnostics, not exceptions', () => {
    expect(parseFlow('a: "x\nb: 1\n', 'q.yaml').diagnostics[0]).toMatchObject({ line: 1, col: 4, message: 'guillemet « " » non fermé' });
    expect(parseFlow('a: *nulle-part\n', 'alias.yaml').diagnostics[0]).toMatchObject({ code: 'yaml-syntax' });
  });

  it('empty file and a file that is not a map', () => {
    expect(summary(loadFlow(broken('empty.yaml')).diagnostics)).toEqual([expect.objectContaining({ line: 1, col: 1, message: 'le fichier est vide' })]);
    expect(loadFlow(broken('not-a-map.yaml')).diagnostics[0]?.message).toMatch(/table de champs/);
  });

  it('a missing file is a diagnostic', () => {
    expect(loadFlow(broken('nope.yaml')).diagnostics).toEqual([expect.objectContaining({ code: 'io', message: 'fichier introuvable', line: 1 })]);
  });
});

describe('loadFlow: schema errors, one per real problem', () => {
  it('unknown field → did you mean, at the key', () => {
    const r = loadFlow(broken('unknown-field.yaml'));
    expect(summary(r.diagnostics)).toEqual([
      { line: 17, col: 5, severity: 'error', code: 'unknown-field', message: 'champ inconnu « choises » dans un nœud « question »', hint: 'vouliez-vous dire « choices » ?' },
    ]);
    expect(formatDiagnostic(r.diagnostics[0] as Diagnostic)).toBe(
      `${broken('unknown-field.yaml')}:17:5: error: champ inconnu « choises » dans un nœud « question » (vouliez-vous dire « choices » ?)`,
    );
  });

  it('missing field: at the node, naming it', () => {
    const r = loadFlow(broken('missing-field.yaml'));
    expect(summary(r.diagnostics)).toEqual([
      expect.objectContaining({ line: 22, col: 3, code: 'missing-field', message: 'il manque « next » dans le nœud « fin »' }),
    ]);
  });

  it('unknown kind: the variant errors of the 7 node kinds collapse into one message', () => {
    const r = loadFlow(broken('unknown-kind.yaml'));
    expect(summary(r.diagnostics)).toEqual([
      { line: 15, col: 11, severity: 'error', code: 'unknown-kind', message: 'type de nœud inconnu « qestion »', hint: 'vouliez-vous dire « question » ?' },
    ]);
  });

  it('wrong types and too few choices', () => {
    const r = loadFlow(broken('bad-type.yaml'));
    expect(summary(r.diagnostics)).toEqual([
      expect.objectContaining({ line: 18, col: 7, code: 'schema', message: 'une question doit proposer au moins 2 réponses' }),
      expect.objectContaining({ line: 22, col: 11, code: 'schema', message: '« text » doit être un texte ou une table, pas un nombre' }),
    ]);
  });

  it('closed lists, dates, URLs and node ids', () => {
    const r = loadFlow(broken('bad-values.yaml'));
    expect(summary(r.diagnostics)).toEqual([
      expect.objectContaining({ line: 7, col: 14, hint: 'vouliez-vous dire « Aide aux démarches administratives » ?' }),
      expect.objectContaining({ line: 9, col: 10, message: 'adresse web invalide « www.caf.fr »', hint: 'elle doit commencer par https://' }),
      expect.objectContaining({ line: 10, col: 11, message: 'date invalide « 01/06/2026 »' }),
      expect.objectContaining({ line: 25, col: 3, message: 'identifiant de nœud invalide « Aide_Humaine »', hint: expect.stringContaining('« aide-humaine »') }),
    ]);
  });

  it('language maps: unknown language code, missing fr', () => {
    const base = 'id: t\ntitle:\n  fr: Titre\n  english: Title\nkeywords: [t]\norganisation: CAF\nsupport: { services: [Aide aux démarches administratives] }\nsources: [{ url: "https://www.caf.fr/" }]\nreviewed: "2026-01-01"\nlanguages: [fr]\nstart: a\nnodes:\n  a: { kind: end, text: { en: Done } }\n';
    const r = parseFlow(base, 't.yaml');
    expect(summary(r.diagnostics)).toEqual([
      expect.objectContaining({ line: 4, col: 3, code: 'unknown-field', message: 'code de langue inconnu « english »' }),
      expect.objectContaining({ line: 13, col: 19, code: 'missing-field', message: 'il manque « fr » dans « text »' }),
    ]);
  });

  it('branch conditions: the all/any/condition union picks the variant written', () => {
    const text = [
      'id: t', 'title: T', 'keywords: [t]', 'organisation: CAF', 'support: { services: [Aide aux démarches administratives] }',
      'sources: [{ url: "https://www.caf.fr/" }]', 'reviewed: "2026-01-01"', 'languages: [fr]', 'start: b', 'nodes:',
      '  b:', '    kind: branch', '    rules:', '      - when: { all: [{ answr: x, equals: 1 }] }', '        next: e', '    otherwise: e',
      '  e: { kind: end, text: Fin }', '',
    ].join('\n');
    expect(summary(parseFlow(text, 't.yaml').diagnostics)).toEqual([
      // « il manque answer » is left out: the typo message already says it.
      expect.objectContaining({ line: 14, col: 25, code: 'unknown-field', message: 'champ inconnu « answr »', hint: 'vouliez-vous dire « answer » ?' }),
    ]);
  });
});

describe('loadFlow: other schema messages an admin meets', () => {
  const head = [
    'id: t', 'title: T', 'keywords: [t]', 'organisation: CAF', 'support: { services: [Aide aux démarches administratives] }',
    'sources: [{ url: "https://www.caf.fr/" }]', 'reviewed: "2026-01-01"', 'languages: [fr]', 'start: a', 'nodes:',
  ];
  const parse = (...nodeLines: string[]) => parseFlow([...head, ...nodeLines, '  fin: { kind: end, text: Fin }', ''].join('\n'), 't.yaml');
  const messages = (...nodeLines: string[]) => parse(...nodeLines).diagnostics.map((d) => `${d.line}:${d.col} ${d.message}${d.hint ? ` (${d.hint})` : ''}`);

  it('too many choices', () => {
    const choices = Array.from({ length: 9 }, (_, i) => `      - { label: R${i}, next: fin }`);
    expect(messages('  a:', '    kind: question', '    text: Q', '    choices:', ...choices)).toEqual(['15:7 une question propose au plus 8 réponses (découpez en deux questions)']);
  });

  it('empty text, bad answer name, unknown input type, number written as text', () => {
    expect(messages('  a:', '    kind: input', '    type: code-postal', '    name: Code Postal', '    text: ""', '    min: "3"', '    next: fin')).toEqual([
      '13:11 valeur non prévue pour « type » : « code-postal » (valeurs possibles : « postcode », « commune », « date », « number », « yesno » ou « text »)',
      '14:11 nom de réponse invalide « Code Postal » (lettres minuscules sans accent, chiffres et _ ; il commence par une lettre, par exemple « code_postal »)',
      '15:11 « text » est vide (écrivez un texte, ou supprimez la ligne si le champ est facultatif)',
      '16:10 « min » doit être un nombre, pas un texte',
    ]);
  });

  it('an empty value where a node id is expected', () => {
    expect(messages('  a:', '    kind: step', '    text: Faites-le.', '    next:')).toEqual([expect.stringMatching(/^14:10 « next » doit être un texte, pas une valeur vide/)]);
  });
});

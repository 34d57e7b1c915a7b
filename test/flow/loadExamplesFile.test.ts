import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowCache, formatDiagnostic, loadFlowDirectory } from '../../src/flow';
import { isExamplesFile, loadExamplesFile, parseExamplesFile } from '../../src/flow/loadExamplesFile';

const IDS = new Set(['caf-attestation', 'rsa-demande']);
const IDS_RSA = new Set(['rsa-demande']);

describe('example files (*.examples.yaml)', () => {
  it('reads requests by flow id, and « none » for those no procedure covers', () => {
    const text = ['examples:', '  caf-attestation:', '    - "jveu mon atestation kaf"', '  none:', '    - "imprimante en panne"', '    - "mot de passe gmail"'].join('\n');
    expect(parseExamplesFile(text, 'demandes.examples.yaml', IDS)).toEqual({
      examples: [
        { text: 'jveu mon atestation kaf', flow: 'caf-attestation' },
        { text: 'imprimante en panne', flow: 'none' },
        { text: 'mot de passe gmail', flow: 'none' },
      ],
      diagnostics: [],
    });
  });

  it('an unknown flow id is an error at its line, with the closest id; its examples are left out', () => {
    const text = ['examples:', '  caf-attestation:', '    - "attestation caf"', '  rsa-demandes:', '    - "demander le rsa"'].join('\n');
    const { examples, diagnostics } = parseExamplesFile(text, 'x.examples.yaml', IDS);
    expect(examples).toEqual([{ text: 'attestation caf', flow: 'caf-attestation' }]);
    expect(diagnostics.map(formatDiagnostic)).toEqual(['x.examples.yaml:4:3: error: exemples pour un parcours inconnu « rsa-demandes » (vouliez-vous dire « rsa-demande » ? (ou « none » : aucune démarche))']);
  });

  it('a request given twice is a warning (kept once); a wrong shape is a schema error with its line', () => {
    const twice = parseExamplesFile(['examples:', '  caf-attestation:', '    - "attestation caf"', '  none:', '    - "Attestation  CAF"'].join('\n'), 'x.examples.yaml', IDS);
    expect(twice.examples).toHaveLength(1);
    expect(twice.diagnostics.map((d) => [d.line, d.severity, d.code])).toEqual([[5, 'warning', 'duplicate-example']]);
    const bad = parseExamplesFile(['examples:', '  caf-attestation: "attestation caf"'].join('\n'), 'x.examples.yaml', IDS);
    expect(bad.examples).toEqual([]);
    expect(bad.diagnostics[0]).toMatchObject({ line: 2, severity: 'error' });
    expect(parseExamplesFile('examples: [', 'x.examples.yaml', IDS).diagnostics[0]).toMatchObject({ code: 'yaml-syntax' });
  });

  it('sit next to the flows: loaded with them, never as a flow', () => {
    expect(isExamplesFile('flows/demandes.examples.yaml')).toBe(true);
    expect(isExamplesFile('flows/caf-attestation.yaml')).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'ariane-examples-'));
    try {
      writeFileSync(join(dir, 'only.examples.yaml'), 'examples:\n  none:\n    - "bonjour"\n');
      // Examples alone are no flows: the folder is still reported as empty of flows.
      expect(loadFlowDirectory(dir).diagnostics.map((d) => d.message)).toContain('aucun parcours (fichier .yaml) dans ce dossier');
      copyFileSync(join(__dirname, '..', '..', 'flows', 'rsa-demande.yaml'), join(dir, 'rsa-demande.yaml'));
      writeFileSync(join(dir, 'only.examples.yaml'), 'examples:\n  rsa-demande:\n    - "je nai plus rien pour vivre"\n  none:\n    - "bonjour"\n');
      const set = loadFlowDirectory(dir, { today: '2026-12-04' });
      expect(set.flows.map((f) => f.id)).toEqual(['rsa-demande']);
      expect(set.examples).toEqual([
        { text: 'je nai plus rien pour vivre', flow: 'rsa-demande' },
        { text: 'bonjour', flow: 'none' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are kept in the parsed-flow cache: a second load reads the same examples without parsing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-examples-cache-'));
    try {
      const file = join(dir, 'x.examples.yaml');
      writeFileSync(file, 'examples:\n  rsa-demande:\n    - "plus rien pour vivre"\n  nope:\n    - "x"\n');
      const cache = new FlowCache(join(dir, 'cache.json'));
      const first = loadExamplesFile(file, IDS_RSA, cache);
      cache.save();
      expect(JSON.parse(readFileSync(join(dir, 'cache.json'), 'utf8')).flows).toEqual({ [FlowCache.keyOf(readFileSync(file, 'utf8'))]: { examples: { 'rsa-demande': ['plus rien pour vivre'], nope: ['x'] } } });
      const again = loadExamplesFile(file, IDS_RSA, new FlowCache(join(dir, 'cache.json')));
      // The checks against the flows still run on a cached file, with their lines.
      expect(again).toEqual(first);
      expect(again.diagnostics.map((d) => [d.line, d.code])).toEqual([[4, 'example']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shipped examples are all valid', () => {
    const set = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));
    expect(set.diagnostics.filter((d) => d.file.endsWith('.examples.yaml')).map(formatDiagnostic)).toEqual([]);
    expect(set.examples.length).toBeGreaterThan(1000);
  });
});

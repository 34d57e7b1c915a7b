import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main';
import { loadFlowFiles } from '../../src/flow';
import { DIAGNOSTIC_CODES } from '../../src/flow/diagnostic';

const readme = readFileSync(join(__dirname, '..', '..', 'flows', 'README.md'), 'utf8');

/** The YAML block between `<!-- name:debut -->` and `<!-- name:fin -->` in the admin guide. */
function block(name: string): string {
  const m = new RegExp(`<!-- ${name}:debut -->\\s*\`\`\`yaml\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:fin -->`).exec(readme);
  if (!m?.[1]) throw new Error(`block ${name} not found in flows/README.md`);
  return m[1];
}

async function run(...args: string[]): Promise<{ out: string; code: number }> {
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'ariane', ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, code };
}

describe('flows/README.md (the admin guide) tells the truth', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ariane-readme-'));
    writeFileSync(join(dir, 'exemple-attestation-caf.yaml'), block('exemple-complet'));
    writeFileSync(join(dir, 'exemple-attestation-caf.test.yaml'), block('exemple-scenarios'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the full example flow passes `ariane check --strict` with no output', async () => {
    expect(await run('check', dir, '--strict', '--today', '2026-11-22')).toEqual({ out: '', code: 0 });
  });

  it('the full example uses every node kind', () => {
    const flow = loadFlowFiles([dir], { today: '2026-11-22' }).byId.get('exemple-attestation-caf');
    const kinds = new Set(Object.values(flow?.nodes ?? {}).map((n) => n.kind));
    expect([...kinds].sort()).toEqual(['branch', 'checklist', 'end', 'handoff', 'input', 'question', 'step']);
  });

  it('the example scenarios pass `ariane test` through the real engine', async () => {
    const r = await run('test', join(dir, 'exemple-attestation-caf.test.yaml'));
    expect(r.out).toMatch(/3 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('lists every kind of problem `ariane check` can report', () => {
    // Each diagnostic code's typical message appears in the guide's tables.
    const phrases: Record<(typeof DIAGNOSTIC_CODES)[number], string> = {
      io: 'fichier introuvable',
      'yaml-syntax': 'tabulation dans l’indentation',
      schema: 'valeur non prévue pour',
      'unknown-field': 'champ inconnu',
      'missing-field': 'il manque « … »',
      'unknown-kind': 'type de nœud inconnu',
      'unknown-node': 'aucun nœud ne s’appelle',
      'duplicate-flow-id': 'existe déjà dans',
      'id-mismatch': 'ne correspond pas au nom du fichier',
      trap: 'impasse',
      'branch-loop': 'boucle d’aiguillages sans question',
      'condition-operators': 'plusieurs tests dans une même condition',
      'bad-date': 'date impossible',
      'duplicate-choice': 'ont la même valeur',
      scenario: 'attend à la fois « end » et « handoff »',
      example: 'exemples pour un parcours inconnu',
      'duplicate-example': 'demande déjà donnée plus haut',
      unreachable: 'n’est jamais atteint',
      'missing-translation': 'texte sans traduction',
      'review-outdated': 'il y a plus de 12 mois',
      'insecure-link': 'lien non sécurisé',
      'unknown-answer': 'ne garde de réponse',
      'unknown-value': 'ne donne jamais la valeur',
      'unknown-fiche': 'inconnue du catalogue',
      contact: 'numéro de téléphone invalide',
      'fiche-modified': 'après votre relecture du',
    };
    for (const code of DIAGNOSTIC_CODES) expect(`${code}: ${readme.includes(phrases[code])}`).toBe(`${code}: true`);
  });
});

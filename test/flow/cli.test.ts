import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main';

const fixtures = join(__dirname, '..', 'fixtures');

/** Runs `ariane …` in-process and returns what it printed and its exit code. */
async function ariane(...args: string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'ariane', ...args]);
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

describe('ariane check', () => {
  it('prints nothing and exits 0 when clean', async () => {
    expect(await ariane('check', join(fixtures, 'flows-valid'), '--today', '2026-11-22')).toEqual({ out: [], err: [], code: 0 });
  });

  it('prints path:line:col: error: message (hint) and exits 1 on errors', async () => {
    const file = join(fixtures, 'flows-broken', 'unknown-node.yaml');
    const r = await ariane('check', file, '--today', '2026-11-22');
    expect(r.out).toEqual([
      `${file}:12:8: error: aucun nœud ne s’appelle « debutt » (vouliez-vous dire « debut » ?)`,
      `${file}:19:15: error: aucun nœud ne s’appelle « fn » (vouliez-vous dire « fin » ?)`,
    ]);
    expect(r.code).toBe(1);
  });

  it('warnings alone exit 0; --strict makes them errors (exit 1)', async () => {
    const file = join(fixtures, 'flows-warnings', 'avertissements.yaml');
    const lax = await ariane('check', file, '--today', '2026-11-22');
    expect(lax.code).toBe(0);
    expect(lax.out).toHaveLength(7);
    expect(lax.out.every((l) => l.includes(': warning: '))).toBe(true);
    const strict = await ariane('check', file, '--strict', '--today', '2026-11-22');
    expect(strict.code).toBe(1);
    expect(strict.out.every((l) => l.includes(': error: '))).toBe(true);
  });

  it('checks scenario files too', async () => {
    const r = await ariane('check', join(fixtures, 'flows-scenarios'), '--today', '2026-11-22');
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(5);
    expect(r.out[0]).toMatch(/autre\.test\.yaml:1:7: error: /);
  });

  it('the project flows are clean: `ariane check flows` prints nothing', async () => {
    expect(await ariane('check', join(__dirname, '..', '..', 'flows'))).toEqual({ out: [], err: [], code: 0 });
  });

  it('a bad --today is refused', async () => {
    const r = await ariane('check', join(fixtures, 'flows-valid'), '--today', 'hier');
    expect(r.code).toBe(2);
  });
});

describe('ariane new', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ariane-new-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a commented skeleton with the schema line that passes check (no warning)', async () => {
    const r = await ariane('new', 'mon-parcours', '--flows', dir);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, 'mon-parcours.yaml'), 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=flow.schema.json');
    expect(text).toMatch(/^id: mon-parcours$/m);
    expect(await ariane('check', dir, '--strict')).toEqual({ out: [], err: [], code: 0 });
  });

  it('refuses to overwrite an existing file', async () => {
    writeFileSync(join(dir, 'deja-la.yaml'), 'mon travail\n');
    const r = await ariane('new', 'deja-la', '--flows', dir);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/existe déjà/);
    expect(readFileSync(join(dir, 'deja-la.yaml'), 'utf8')).toBe('mon travail\n');
  });

  it('refuses an invalid id', async () => {
    const r = await ariane('new', 'Mon Parcours', '--flows', dir);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/identifiant invalide/);
  });
});

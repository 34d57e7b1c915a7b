/**
 * Coordinates with a negative latitude or longitude (La Réunion, Mayotte, Nouvelle-Calédonie, west
 * of Greenwich) are places, not options, for `ariane places near` and `ariane geocode`; a mistyped
 * option is still refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildProgram } from '../../src/cli/main';

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.join(' '));
  });
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'ariane', ...args]);
    return { out: out.join(''), err: err.join('\n'), code: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    error.mockRestore();
    process.exitCode = before;
  }
}

describe('negative coordinates on the command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ariane-negative-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ariane places near -20.88,55.45 searches around Saint-Denis de La Réunion', async () => {
    const r = await run(['places', 'near', '-20.88,55.45', '--data-dir', dir, '--json', '--limit', '1']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { where: { lat: number; lon: number; kind: string } };
    expect(json.where).toMatchObject({ lat: -20.88, lon: 55.45, kind: 'coordinates' });
  });

  it('ariane geocode -12.78,45.23 is read as coordinates (Mayotte)', async () => {
    const r = await run(['geocode', '-12.78,45.23', '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.out) as { kind: string; matches: Array<{ departement: string }> };
    expect(result.kind).toBe('coordinates');
    expect(result.matches[0]?.departement).toBe('976');
  });

  it('a mistyped option is refused, not searched as a place', async () => {
    const r = await run(['places', 'near', '35550', '--opne-now', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Option inconnue : « --opne-now »');
  });
});

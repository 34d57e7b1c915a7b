import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '../../src/cli/testCommand';

const FIXTURES = join(__dirname, '..', 'fixtures', 'flows-engine');

function run(paths: string[]): { code: number; out: string[] } {
  const out: string[] = [];
  const code = runTests(paths, (l) => out.push(l));
  return { code, out };
}

describe('ariane test', () => {
  it('passes on the fixtures, one line per scenario, "N passed, N failed" last', () => {
    const { code, out } = run([join(FIXTURES, 'demo-all.test.yaml')]);
    expect(code).toBe(0);
    expect(out[0]).toBe('✓ demo-all › Adult with an account, every input typed loosely');
    const scenarios = readFileSync(join(FIXTURES, 'demo-all.test.yaml'), 'utf8').match(/^ {2}- name:/gm)!.length;
    expect(out.filter((l) => l.startsWith('✓ '))).toHaveLength(scenarios);
    expect(out[out.length - 1]).toBe(`${scenarios} passed, 0 failed`);
  });

  it('fails with the first mismatch, the node reached and the last outputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-test-'));
    copyFileSync(join(FIXTURES, 'demo-all.yaml'), join(dir, 'demo-all.yaml'));
    writeFileSync(
      join(dir, 'demo-all.test.yaml'),
      [
        'flow: demo-all',
        'scenarios:',
        '  - name: wrong end',
        '    answers: ["oui", "15/03/1990", "75011", "12"]',
        '    end: fin-ok',
        '  - name: answers left after the end',
        '    answers: ["oui", "15/03/1990", "75011", "12", "encore"]',
        '    end: mineur-fin',
        '  - name: wrong path',
        '    answers: ["non", "c est fait"]',
        '    path: [compte, naissance]',
        '    end: fin-ok',
        '  - name: handoff expected but none',
        '    answers: ["non", "c est fait"]',
        '    handoff: stuck',
        '  - name: good',
        '    answers: ["3"]',
        '    handoff: node',
        '',
      ].join('\n'),
    );
    const { code, out } = run([dir]);
    expect(code).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('✗ demo-all › wrong end');
    expect(text).toContain('expected to end on "fin-ok", but the conversation is ended on "mineur-fin"');
    expect(text).toContain('nœud atteint : mineur-fin');
    expect(text).toContain('      Il faut être majeur.');
    expect(text).toContain('with 1 answer(s) left');
    expect(text).toContain('path: node "naissance" was not visited');
    expect(text).toContain('expected a handoff "stuck", got: none');
    expect(text).toContain('✓ demo-all › good');
    expect(out[out.length - 1]).toBe('1 passed, 4 failed');
  });

  it('a broken scenario file is a failure with its file and line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ariane-test-'));
    copyFileSync(join(FIXTURES, 'demo-all.yaml'), join(dir, 'demo-all.yaml'));
    writeFileSync(join(dir, 'demo-all.test.yaml'), 'flow: demo-all\nscenarios:\n  - name: x\n    answers: [oui]\n    end: no-such-node\n');
    const { code, out } = run([join(dir, 'demo-all.test.yaml')]);
    expect(code).toBe(1);
    expect(out.join('\n')).toMatch(/demo-all\.test\.yaml:5:\d+: error: .*no-such-node/);
    expect(out[out.length - 1]).toBe('0 passed, 1 failed');
  });
});

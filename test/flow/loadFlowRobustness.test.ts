import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { checkFlows } from '../../src/flow/checkFlows';
import { parseFlow } from '../../src/flow/loadFlow';

const valid = readFileSync(join(__dirname, '..', 'fixtures', 'flows-valid', 'exemple-complet.yaml'), 'utf8');
const lines = valid.split('\n');

/** One admin-style slip: a character typed, deleted or a line moved. */
const slip = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(valid.length), text: fc.constantFrom(':', '- ', ' ', '  ', '\t', '"', "'", '[', ']', '{', '}', '#', '\n', '*', '&', 'x', '!', '|', '>', '%', '@') }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(valid.length), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('dupline' as const), line: fc.nat(lines.length - 1) }),
);

function apply(text: string, s: { kind: string; at?: number; text?: string; length?: number; line?: number }): string {
  if (s.kind === 'insert') return text.slice(0, s.at) + (s.text ?? '') + text.slice(s.at);
  if (s.kind === 'delete') return text.slice(0, s.at) + text.slice((s.at ?? 0) + (s.length ?? 1));
  const ls = text.split('\n');
  ls.splice(s.line ?? 0, 0, ls[s.line ?? 0] ?? '');
  return ls.join('\n');
}

describe('loader robustness: whatever an admin types, a diagnostic, never an exception', () => {
  it('mutated flows: no throw, positions inside the file, a flow only when there is no error', () => {
    fc.assert(
      fc.property(fc.array(slip, { minLength: 1, maxLength: 3 }), (slips) => {
        const text = slips.reduce((t, s) => apply(t, s), valid);
        const result = parseFlow(text, 'exemple-complet.yaml');
        const lineCount = text.split('\n').length;
        for (const d of result.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lineCount);
          expect(d.col).toBeGreaterThanOrEqual(1);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.message).not.toMatch(/undefined|\[object Object\]/);
        }
        if (result.diagnostics.length === 0) expect(result.flow).toBeDefined();
        else expect(result.flow).toBeUndefined();
        if (result.flow) {
          for (const d of checkFlows([{ flow: result.flow, source: result.source }], { today: '2026-11-22' })) {
            expect(d.line).toBeLessThanOrEqual(lineCount);
          }
        }
      }),
      { numRuns: 200, seed: 20261122 },
    );
  });

  it('odd but valid YAML values are diagnostics too', () => {
    for (const text of ['', '---\n', '[]', '42', 'id: [', 'nodes: 5', 'id: x\nnodes:\n  a:\n', 'id: &a x\ntitle: *a\n', '\u0000', 'a: !!binary x']) {
      expect(() => parseFlow(text, 'x.yaml')).not.toThrow();
      expect(parseFlow(text, 'x.yaml').diagnostics.length).toBeGreaterThan(0);
    }
  });
});

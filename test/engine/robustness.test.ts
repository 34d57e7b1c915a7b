/**
 * Property test: whatever arrives (any text, any button value, any intent, in any order, from any
 * stored state), `converse` returns a valid plain-JSON state and never throws.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { buildCatalog, converse, initialState, type Input } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';
import { FIXTURES } from './helpers';

const flows = [...loadFlowDirectory(FIXTURES).flows, ...loadFlowDirectory(join(__dirname, '..', '..', 'flows')).flows];
const catalog = buildCatalog(flows, loadLexicons(), []);
const ids = [...catalog.flows.keys()];

const input: fc.Arbitrary<Input> = fc.oneof(
  fc.constant<Input>({ kind: 'start' }),
  fc.constantFrom(...ids).map((flowId): Input => ({ kind: 'flow', flowId })),
  fc.string({ maxLength: 40 }).map((text): Input => ({ kind: 'text', text })),
  fc.constantFrom('oui', 'non', '1', '2', '9', 'aide', 'retour', 'recommencer', 'english', 'c est fait', '15/03/1990', '75011', '', '   ', 'je ne sais pas', 'aucune idée', "je n'ai pas", 'le 2', 'la deuxième', 'c bon', 'wakha', 'ما عندي').map((text): Input => ({ kind: 'text', text })),
  fc.constantFrom('done', 'cannot', 'continue', 'yes', 'no', 'help', 'back', 'restart', 'lang:en', 'lang:xx', 'flow:nope', `flow:${ids[0]}`, 'garbage', 'ariane:confirm:yes', 'ariane:confirm:no').map((value): Input => ({ kind: 'choice', value })),
  fc.constantFrom('back', 'restart', 'help', 'language').map((intent): Input => ({ kind: 'intent', intent: intent as 'back' })),
);

describe('engine robustness', () => {
  it('never throws, always returns a valid JSON state, over random conversations', () => {
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 25 }), fc.constantFrom('fr', 'en', 'ar', 'fr-facile'), (inputs, lang) => {
        let state: unknown = initialState(lang);
        for (const i of inputs) {
          const r = converse(catalog, state, i);
          expect(['choosing', 'active', 'ended', 'handoff']).toContain(r.state.status);
          expect(JSON.parse(JSON.stringify(r.state))).toEqual(r.state);
          if (r.state.flowId && r.state.status === 'active') expect(catalog.flows.get(r.state.flowId)?.nodes[r.state.nodeId as string]).toBeDefined();
          // A confirmation in progress is always about the node waiting.
          if (r.state.confirming) expect(r.state.confirming.nodeId).toBe(r.state.nodeId);
          state = JSON.parse(JSON.stringify(r.state));
        }
      }),
      { numRuns: 150, seed: 20261122 },
    );
  });

  it('never throws on arbitrary stored JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string({ maxLength: 20 }), (raw, text) => {
        const r = converse(catalog, raw, { kind: 'text', text });
        expect(r.state.v).toBe(1);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe('client-provided language codes', () => {
  const set = loadFlowDirectory(join(__dirname, '..', 'fixtures', 'flows-engine'));
  const catalog = buildCatalog(set.flows, loadLexicons(), []);
  test.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'xx'])('"%s" is not a language: the person is asked which one, later turns still work', (lang) => {
    for (const start of [initialState('fr'), converse(catalog, initialState('fr'), { kind: 'flow', flowId: 'demo-all' }).state]) {
      const asked = converse(catalog, start, { kind: 'intent', intent: 'language', lang });
      expect(asked.state.lang).toBe('fr');
      expect(asked.outputs).toContainEqual({ kind: 'say', message: { key: 'engine:language.ask' } });
      const clicked = converse(catalog, asked.state, { kind: 'choice', value: `lang:${lang}` });
      expect(clicked.state.lang).toBe('fr');
      const next = converse(catalog, clicked.state, { kind: 'text', text: 'oui' });
      expect(next.outputs.length).toBeGreaterThan(0);
    }
  });
});

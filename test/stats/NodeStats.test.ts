/** Per-node counters from real engine turns: reached, left, help; no text or id stored. */
import * as path from 'node:path';
import { buildCatalog, converse, initialState, type ConversationState, type Input } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';
import { NodeStats, recordTurn } from '../../src/stats';
import { MemoryStore } from '../../src/store';

const FLOWS = path.resolve(__dirname, '../../flows');

describe('NodeStats from real engine turns', () => {
  const set = loadFlowDirectory(FLOWS);
  const catalog = buildCatalog(set.flows, loadLexicons());

  it('counts reached, left and help per node, with no text or id stored', async () => {
    const store = new MemoryStore();
    const stats = new NodeStats(store.kv);
    const play = async (inputs: Input[]) => {
      let state: ConversationState = initialState('fr');
      for (const input of inputs) {
        const r = converse(catalog, state, input);
        await recordTurn(stats, state, r);
        state = r.state;
      }
    };
    await play([{ kind: 'flow', flowId: 'caf-attestation' }, { kind: 'text', text: 'oui' }, { kind: 'intent', intent: 'help' }]);
    await play([{ kind: 'flow', flowId: 'caf-attestation' }, { kind: 'text', text: 'oui' }]);
    const counters = await stats.forFlow('caf-attestation');
    expect(counters.get('allocataire')).toEqual({ reached: 2, left: 2, help: 0 });
    expect(counters.get('attestation')).toEqual({ reached: 2, left: expect.any(Number), help: 1 });
    const stored = await store.kv.scan('stats:');
    for (const item of stored) expect(Object.keys(item.value as object).sort()).toEqual(expect.arrayContaining(['reached']));
    expect(JSON.stringify(stored)).not.toMatch(/oui/);
  });
});

/**
 * How well Ariane understands what people type to ask for a procedure.
 *
 * `requests.yaml` holds real-sounding requests (typos, SMS style, old names, English, Arabic) with
 * the flow each should lead to, or `none`. This suite ranks every flow of `flows/` for each request
 * with the engine's own `pickFlow`, prints top-1 / top-3 accuracy and every miss, and fails below the
 * targets of issue 6:
 *   - top-1 ≥ 95 %: the expected flow is ranked first, with a score the engine accepts
 *     (≥ MIN_PICK_SCORE, the threshold under which `converse` says "I did not understand");
 *   - top-3 = 100 %: the expected flow is among the first three accepted scores, so it is at least
 *     among the procedures offered when the engine asks "which one?";
 *   - "none" is not forced: for a `none` request, a fresh conversation fed the sentence through
 *     `converse` (with the official pages, as the service has them) starts no flow (it may ask
 *     "Vous voulez dire… ?" or answer with official pages, the most asked procedures and a person).
 * A request marked `pending` is a known miss that only another team can fix (its flow's keywords, the
 * engine): it counts as a miss in every printed figure, is left out of the top-3 and "none" checks, and
 * must keep missing — when it starts passing the test fails until the marker is removed.
 * It also reports how `converse` itself decides (start the right flow / ask which one / start a
 * wrong flow), the last being the mistake residents feel most.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildCatalog, converse, initialState, MIN_PICK_SCORE, pickFlow, type Catalog, type EngineEnv } from '../../src/engine';
import { type FlowScore } from '../../src/engine/pickFlow';
import { loadFlowDirectory } from '../../src/flow';
import { isPlaceName } from '../../src/geo';
import { loadLexicons } from '../../src/i18n';
import { officialPages, officialWords } from '../../src/sources';
import { embeddedCatalogue } from '../sources/support/embedded';

interface Request {
  text: string;
  expect: string;
  lang?: string;
  /**
   * A known miss that only a change outside the flows of this set's authors can fix (another team's
   * keywords, the engine): says which change. Counted as a miss in every printed figure; left out of
   * the top-3 and "none" assertions; and it must still miss, so the marker goes once it is fixed.
   */
  pending?: string;
}

const ROOT = join(__dirname, '..', '..');
const TOP1_TARGET = 0.95;

function loadRequests(): Request[] {
  const doc = parse(readFileSync(join(__dirname, 'requests.yaml'), 'utf8')) as { requests?: Request[] };
  return doc.requests ?? [];
}

/** Flows the engine would accept for this sentence, best first. */
function accepted(catalog: Catalog, r: Request): FlowScore[] {
  return pickFlow(catalog, r.text, r.lang ?? 'fr').filter((s) => s.score >= MIN_PICK_SCORE);
}

/** What `converse` does with the sentence at the start of a conversation. */
function decision(catalog: Catalog, r: Request): { started?: string; candidates: string[] } {
  const { state } = converse(catalog, initialState(r.lang ?? 'fr'), { kind: 'text', text: r.text }, env);
  const offered = state.candidates?.length ? state.candidates : state.offer?.kind === 'flow' ? [state.offer.flowId] : [];
  return { started: state.status === 'active' || state.status === 'ended' || state.status === 'handoff' ? state.flowId : undefined, candidates: offered };
}

/** The official pages the service weighs against the procedures (the embedded snapshot). */
const env: EngineEnv = { searchOfficial: officialPages(embeddedCatalogue), knownWord: officialWords(embeddedCatalogue), isPlace: isPlaceName };

describe('understanding what people type', () => {
  const set = loadFlowDirectory(join(ROOT, 'flows'));
  const catalog = buildCatalog(set.flows, loadLexicons(join(ROOT, 'locales')), [], { examples: set.examples });
  const requests = loadRequests();

  it('has a meaningful test set: ≥ 150 requests, every flow and "none" covered, only known flow ids', () => {
    expect(requests.length).toBeGreaterThanOrEqual(150);
    const expected = new Set(requests.map((r) => r.expect));
    for (const id of catalog.flows.keys()) expect({ id, covered: expected.has(id) }).toEqual({ id, covered: true });
    expect(expected.has('none')).toBe(true);
    const unknown = [...expected].filter((id) => id !== 'none' && !catalog.flows.has(id));
    expect(unknown).toEqual([]);
  });

  it('ranks the expected flow first (≥ 95 %), within the top 3 (100 %), and forces no flow on "none"', () => {
    let top1 = 0;
    let top3 = 0;
    const misses: string[] = [];
    const forcedNone: string[] = [];
    let startedRight = 0;
    let askedWhich = 0;
    const startedWrong: string[] = [];
    const pendingMisses: string[] = [];
    const pendingFixed: string[] = [];
    let top3Required = 0;
    let top3RequiredOk = 0;
    const byLang = new Map<string, { n: number; top1: number }>();
    for (const r of requests) {
      const lang = byLang.get(r.lang ?? 'fr') ?? { n: 0, top1: 0 };
      byLang.set(r.lang ?? 'fr', lang);
      lang.n++;
      const ranked = accepted(catalog, r);
      const shown = ranked.slice(0, 3).map((s) => `${s.flowId} ${s.score}`).join(', ') || '—';
      const d = decision(catalog, r);
      if (r.expect === 'none') {
        // Out of scope: what counts is that no procedure starts (issue 12's target); the engine may
        // still ask "Vous voulez dire… ?" about a procedure whose words the request shares.
        const ok = !d.started;
        if (ok) {
          top1++;
          top3++;
          lang.top1++;
        }
        if (r.pending) (ok ? pendingFixed : pendingMisses).push(`"${r.text}" (${r.pending})`);
        else if (!ok) forcedNone.push(`"${r.text}" → ${d.started}`);
        if (!ok || d.candidates.length) misses.push(`[none] "${r.text}" → ${d.started ? `started ${d.started}` : `asked ${d.candidates.join(' / ')}`}${r.pending ? '   (pending)' : ''}`);
        continue;
      }
      const rank = ranked.findIndex((s) => s.flowId === r.expect);
      if (rank === 0) {
        top1++;
        lang.top1++;
      }
      if (rank >= 0 && rank < 3) top3++;
      if (rank !== 0) misses.push(`[${r.expect}] "${r.text}" → ${shown}${rank < 0 || rank >= 3 ? '   (NOT IN TOP 3)' : ''}${r.pending ? '   (pending)' : ''}`);
      if (r.pending) (rank === 0 ? pendingFixed : pendingMisses).push(`"${r.text}" (${r.pending})`);
      else {
        top3Required++;
        if (rank >= 0 && rank < 3) top3RequiredOk++;
      }
      if (d.started === r.expect) startedRight++;
      else if (d.candidates.includes(r.expect)) askedWhich++;
      else if (d.started) startedWrong.push(`[${r.expect}] "${r.text}" → started ${d.started}`);
    }
    const n = requests.length;
    const flowRequests = requests.filter((r) => r.expect !== 'none').length;
    const pct = (x: number, of = n) => `${((100 * x) / of).toFixed(1)} %`;
    console.log(
      [
        `Understanding set: ${n} requests (${flowRequests} for a flow, ${n - flowRequests} "none"), ${catalog.flows.size} flows`,
        `  top-1 accuracy: ${top1}/${n} = ${pct(top1)} (target ≥ ${TOP1_TARGET * 100} %)`,
        `  top-3 accuracy: ${top3}/${n} = ${pct(top3)} (target 100 %)`,
        `  top-1 by language: ${[...byLang].map(([l, v]) => `${l} ${v.top1}/${v.n}`).join(', ')}`,
        `  converse on flow requests: started the right flow ${pct(startedRight, flowRequests)}, asked "which one?" with it offered ${pct(askedWhich, flowRequests)}, started a wrong flow ${startedWrong.length}`,
        `  "none" forced into a flow: ${forcedNone.length}`,
        ...(misses.length ? ['  misses (expected → accepted scores):', ...misses.map((m) => `    ${m}`)] : []),
        ...(startedWrong.length ? ['  wrong flow started by converse:', ...startedWrong.map((m) => `    ${m}`)] : []),
        ...(forcedNone.length ? ['  "none" forced:', ...forcedNone.map((m) => `    ${m}`)] : []),
        ...(pendingMisses.length ? ['  pending (known misses, counted above, fixed outside these flows):', ...pendingMisses.map((m) => `    ${m}`)] : []),
      ].join('\n'),
    );
    expect(forcedNone).toEqual([]);
    expect(top3RequiredOk).toBe(top3Required);
    expect(top1 / n).toBeGreaterThanOrEqual(TOP1_TARGET);
    // A pending request that now passes: remove its `pending` marker so that it is checked again.
    expect(pendingFixed).toEqual([]);
  });

  it('asks about a procedure named by its keyword but sunk under unknown words, and still starts nothing for a weak shared word', () => {
    for (const [text, flowId] of [['RSA socle', 'rsa-demande'], ['rsa moi pa argen', 'rsa-demande']] as const) {
      const { state } = converse(catalog, initialState('fr'), { kind: 'text', text }, env);
      expect({ text, status: state.status, offer: state.offer }).toEqual({ text, status: 'choosing', offer: { kind: 'flow', flowId } });
    }
    const printer = converse(catalog, initialState('fr'), { kind: 'text', text: 'mon imprimante ne marche plus' }, env).state;
    expect(printer.offer).toBeUndefined();
  });
});

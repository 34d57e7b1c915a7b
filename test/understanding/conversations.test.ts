/**
 * The multi-turn derailment conversations of issue 12 (`conversations/*.yaml`), written before the
 * engine learned them: each is played with the engine's `converse` from the welcome, with the help
 * places of the starter directory, and judged by `judgeConversation` (where it ended against what a
 * person would expect). One line per conversation is printed, then the totals by theme and by kind
 * of failure, and how many end stuck in a wrong procedure (issue 12's target: none).
 *
 * The outcomes are NOT asserted yet: the engine is being rewritten for them, and README.md keeps the
 * first measure. What fails now is malformed data (unknown flow or node ids, a missing outcome,
 * fewer answers or conversations than the issue asks) and a broken judge. To turn the outcomes into
 * assertions, expect `verdicts.filter((v) => !v.verdict.ok)` to be empty.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCatalog, type Catalog } from '../../src/engine';
import { loadFlowDirectory, type Flow } from '../../src/flow';
import { isPlaceName } from '../../src/geo';
import { loadLexicons } from '../../src/i18n';
import { starterFinder } from '../../src/places';
import { officialPages, officialWords } from '../../src/sources';
import { embeddedCatalogue } from '../sources/support/embedded';
import {
  describePosition,
  duplicateNames,
  judgeConversation,
  parseConversations,
  playConversation,
  type Conversation,
  type FailureKind,
  type Played,
  type Verdict,
} from './conversationJudge';

const ROOT = join(__dirname, '..', '..');
const DIR = join(__dirname, 'conversations');
/** Issue 12 asks for at least 30 scenarios; the lead's brief for this set, at least 35. */
const MIN_CONVERSATIONS = 35;
/** Opening hours of the help places depend on the clock: a fixed weekday morning keeps runs alike. */
const AT = new Date('2026-12-03T10:00:00+01:00');

function readAll(catalog: Catalog): { conversations: Conversation[]; problems: string[] } {
  const langs = new Set(Object.keys(catalog.lexicons));
  const problems: string[] = [];
  const conversations: Conversation[] = [];
  for (const f of readdirSync(DIR).filter((n) => n.endsWith('.yaml')).sort()) {
    const r = parseConversations(f.replace(/\.yaml$/, ''), readFileSync(join(DIR, f), 'utf8'), catalog.flows, langs);
    problems.push(...r.problems);
    conversations.push(...r.conversations);
  }
  problems.push(...duplicateNames(conversations));
  return { conversations, problems };
}

describe('parseConversations: malformed data is reported, never judged', () => {
  const flow = (id: string, nodes: Record<string, { kind: string }>) => ({ id, nodes }) as unknown as Flow;
  const flows = new Map<string, Flow>([
    ['caf-attestation', flow('caf-attestation', { allocataire: { kind: 'question' }, fin: { kind: 'end' }, aide: { kind: 'handoff' }, quelle: { kind: 'branch' } })],
    ['rsa-demande', flow('rsa-demande', { age: { kind: 'question' } })],
  ]);
  const langs = new Set(['fr', 'en', 'ar']);
  const three = '["a", "b", "c"]';

  it('names unknown flows and nodes, a missing outcome, short conversations, wrong kinds and keys; keeps the good ones', () => {
    const yaml = [
      'conversations:',
      `  - { name: ok, answers: ${three}, flow: caf-attestation, at: allocataire, never: [rsa-demande], max_handoffs: 1, lang_at_end: en }`,
      `  - { name: none, answers: ${three}, flow: none, choosing: true, handoff: false }`,
      `  - { name: list, answers: ["a", 2, { choice: x }], flow: [caf-attestation, rsa-demande] }`,
      `  - { name: unknown flow, answers: ${three}, flow: rsa }`,
      `  - { name: unknown node, answers: ${three}, flow: caf-attestation, at: nope }`,
      `  - { name: no outcome, answers: ${three} }`,
      '  - { name: short, answers: ["a", "b"], flow: none }',
      `  - { name: at an end, answers: ${three}, flow: caf-attestation, at: fin }`,
      `  - { name: end on a branch, answers: ${three}, flow: caf-attestation, end: quelle }`,
      `  - { name: at without one flow, answers: ${three}, flow: none, at: allocataire }`,
      `  - { name: choosing in a flow, answers: ${three}, flow: rsa-demande, choosing: true }`,
      `  - { name: bad handoff, answers: ${three}, flow: none, handoff: maybe }`,
      `  - { name: bad lang, answers: ${three}, flow: none, lang: english }`,
      `  - { name: never expected, answers: ${three}, flow: rsa-demande, never: [rsa-demande, prime] }`,
      `  - { name: typo, answers: ${three}, flow: none, nevr: [] }`,
      '  - { name: bad answer, answers: ["a", { choise: x }, ""], flow: none }',
    ].join('\n');
    const { conversations, problems } = parseConversations('bad', yaml, flows, langs);
    expect(problems).toEqual([
      'bad: conversation 4 ("unknown flow"): unknown flow id "rsa" in flow',
      'bad: conversation 5 ("unknown node"): unknown node id "nope" in at (flow caf-attestation)',
      'bad: conversation 6 ("no outcome"): missing outcome "flow" (a flow id, a list of flow ids, or none)',
      'bad: conversation 7 ("short"): needs at least 3 answers, has 2',
      'bad: conversation 8 ("at an end"): "at: fin" is a node of kind end; at must name a node that waits for an answer (question, input, step, checklist)',
      'bad: conversation 9 ("end on a branch"): "end: quelle" is a node of kind branch; end must name an end or handoff node',
      'bad: conversation 10 ("at without one flow"): "at" needs exactly one flow in "flow"',
      'bad: conversation 11 ("choosing in a flow"): "choosing: true" goes only with "flow: none"',
      'bad: conversation 12 ("bad handoff"): "handoff" must be true, false or one of asked, failures, stuck, node, no-match',
      'bad: conversation 13 ("bad lang"): lang must be one of fr, en, ar',
      'bad: conversation 14 ("never expected"): "rsa-demande" is both expected and in never',
      'bad: conversation 14 ("never expected"): unknown flow id "prime" in never',
      'bad: conversation 15 ("typo"): unknown key "nevr"',
      'bad: conversation 16 ("bad answer"): answer 2 must be text, a number, { choice: <value> } or { location: { lat, lon } }',
      'bad: conversation 16 ("bad answer"): answer 3 must be text, a number, { choice: <value> } or { location: { lat, lon } }',
    ]);
    expect(conversations.map((c) => c.name)).toEqual(['ok', 'none', 'list']);
    expect(conversations[0]).toEqual({
      file: 'bad',
      name: 'ok',
      lang: 'fr',
      answers: ['a', 'b', 'c'],
      flows: ['caf-attestation'],
      at: 'allocataire',
      never: ['rsa-demande'],
      maxHandoffs: 1,
      langAtEnd: 'en',
    });
    expect(conversations[1]).toMatchObject({ flows: [], choosing: true, handoff: false });
    expect(parseConversations('empty', 'conversations: []', flows, langs).problems).toEqual(['empty: needs a non-empty "conversations" list']);
    expect(parseConversations('broken', 'conversations: [', flows, langs).problems[0]).toMatch(/^broken: not valid YAML/);
    expect(duplicateNames([...conversations, { ...conversations[0]!, file: 'other' }])).toEqual(['duplicate conversation name "ok" in other (first in bad)']);
  });
});

describe('judgeConversation: the final position against what the person expects', () => {
  const conv = (over: Partial<Conversation>): Conversation => ({ file: 't', name: 't', lang: 'fr', answers: ['a', 'b', 'c'], flows: [], never: [], ...over });
  const played = (positions: Played['positions'], handoffs: string[] = []): Played => ({ positions, handoffs });
  const active = (flowId: string, nodeId: string, lang = 'fr') => ({ status: 'active' as const, flowId, nodeId, lang });
  const choosing = { status: 'choosing' as const, lang: 'fr' };

  it('passes the expected flow and node, and tells every kind of failure apart', () => {
    const caf = conv({ flows: ['caf-attestation'], at: 'attestation' });
    expect(judgeConversation(caf, played([choosing, active('caf-attestation', 'attestation')]))).toEqual({ ok: true, reasons: [], stuckInWrongFlow: false });
    // Help offered on a question leaves the person on it: still waiting there.
    expect(judgeConversation(caf, played([{ ...active('caf-attestation', 'attestation'), status: 'handoff' }])).ok).toBe(true);
    const v = (c: Conversation, p: Played): Pick<Verdict, 'kind' | 'stuckInWrongFlow'> => {
      const { kind, stuckInWrongFlow } = judgeConversation(c, p);
      return { kind, stuckInWrongFlow };
    };
    expect(v(caf, played([active('rsa-demande', 'age')]))).toEqual({ kind: 'wrong-flow', stuckInWrongFlow: true });
    expect(v(caf, played([choosing]))).toEqual({ kind: 'no-procedure', stuckInWrongFlow: false });
    expect(v(caf, played([active('caf-attestation', 'allocataire')]))).toEqual({ kind: 'wrong-node', stuckInWrongFlow: false });
    expect(v(conv({}), played([active('caf-attestation', 'allocataire')]))).toEqual({ kind: 'procedure-running', stuckInWrongFlow: true });
    // A flow that ended is still the procedure the conversation is in: not "no procedure".
    const ended = { status: 'ended' as const, flowId: 'caf-attestation', nodeId: 'non-allocataire', lang: 'fr' };
    expect(v(conv({}), played([ended]))).toEqual({ kind: 'procedure-running', stuckInWrongFlow: true });
    expect(judgeConversation(conv({ flows: ['caf-attestation'], end: 'non-allocataire' }), played([ended])).ok).toBe(true);
    expect(v(conv({ flows: ['caf-attestation'], end: 'paiement-telecharge' }), played([ended]))).toEqual({ kind: 'wrong-node', stuckInWrongFlow: false });
    // "which one?" is no procedure running yet.
    expect(judgeConversation(conv({}), played([{ ...choosing, candidates: ['caf-attestation', 'rsa-demande'] }])).ok).toBe(true);
    expect(judgeConversation(conv({ flows: ['rsa-demande', 'caf-attestation'] }), played([active('caf-attestation', 'x')])).ok).toBe(true);
  });

  it('checks handoffs (offered, none, a reason, at most n), the language and the never-running flows', () => {
    const none = played([choosing, choosing, choosing], ['no-match', 'no-match']);
    expect(judgeConversation(conv({ handoff: true }), none).ok).toBe(true);
    expect(judgeConversation(conv({ handoff: false }), none).reasons).toEqual(['expected no handoff, but got 2 (no-match, no-match)']);
    expect(judgeConversation(conv({ handoff: 'failures' }), none).reasons).toEqual(['expected a "failures" handoff, got no-match, no-match']);
    expect(judgeConversation(conv({ maxHandoffs: 1 }), none)).toMatchObject({ ok: false, kind: 'other', reasons: ['expected at most 1 handoff(s), got 2 (no-match, no-match)'] });
    expect(judgeConversation(conv({ handoff: true }), played([choosing])).ok).toBe(false);
    expect(judgeConversation(conv({ langAtEnd: 'en' }), played([{ ...choosing, lang: 'en' }])).ok).toBe(true);
    expect(judgeConversation(conv({ langAtEnd: 'en' }), played([choosing])).reasons).toEqual(['expected the conversation in "en" at the end, but it is in "fr"']);
    const passedThrough = played([active('caf-attestation', 'allocataire'), choosing, active('rsa-demande', 'age')]);
    expect(judgeConversation(conv({ flows: ['rsa-demande'], never: ['caf-attestation'] }), passedThrough).reasons).toEqual(['caf-attestation was running after answer 1 (never expected)']);
    expect(judgeConversation(conv({ flows: ['rsa-demande'], never: ['prime-activite'] }), passedThrough).ok).toBe(true);
    // Every failed check is listed; the kind is the coarsest.
    const both = judgeConversation(conv({ flows: ['rsa-demande'], langAtEnd: 'en' }), played([choosing]));
    expect(both.kind).toBe('no-procedure');
    expect(both.reasons).toHaveLength(2);
    expect(describePosition({ status: 'ended', flowId: 'caf-attestation', nodeId: 'fin', lang: 'en' }, 'fr')).toBe('caf-attestation@fin (ended) [en]');
    expect(describePosition({ ...choosing, candidates: ['a', 'b'] })).toBe('which? a / b');
  });
});

describe('derailment conversations written before the engine learned them (issue 12)', () => {
  const set = loadFlowDirectory(join(ROOT, 'flows'));
  const catalog = buildCatalog(set.flows, loadLexicons(join(ROOT, 'locales')), [], { examples: set.examples });
  const { conversations, problems } = readAll(catalog);

  it('has well-formed data: known flows and nodes, an outcome and at least 3 answers each, unique names', () => {
    expect(problems).toEqual([]);
  });

  it(`has at least ${MIN_CONVERSATIONS} conversations`, () => {
    expect(conversations.length).toBeGreaterThanOrEqual(MIN_CONVERSATIONS);
  });

  it('plays every conversation and prints where each ended (outcomes recorded, not yet asserted)', () => {
    const env = { findHelp: starterFinder(AT), searchOfficial: officialPages(embeddedCatalogue), knownWord: officialWords(embeddedCatalogue), isPlace: isPlaceName };
    const verdicts = conversations.map((c) => {
      const p = playConversation(catalog, c, env);
      return { c, p, verdict: judgeConversation(c, p) };
    });
    const pass = verdicts.filter((v) => v.verdict.ok).length;
    const stuck = verdicts.filter((v) => v.verdict.stuckInWrongFlow).length;
    const lines = [`Derailment conversations (issue 12): ${pass}/${verdicts.length} as a person expects; ${stuck} end stuck in a wrong procedure (target: 0)`];
    for (const { c, p, verdict } of verdicts) {
      if (verdict.ok) lines.push(`  ✓ ${c.file} · ${c.name}`);
      else lines.push(`  ✗ ${c.file} · ${c.name} — ${verdict.kind}: ${verdict.reasons.join('; ')}`, `      turns: ${p.positions.map((x) => describePosition(x, c.lang)).join(' → ')}`);
    }
    lines.push('  by theme:');
    for (const file of [...new Set(conversations.map((c) => c.file))]) {
      const mine = verdicts.filter((v) => v.c.file === file);
      lines.push(`    ${file.padEnd(24)} ${mine.filter((v) => v.verdict.ok).length}/${mine.length}, stuck in a wrong procedure ${mine.filter((v) => v.verdict.stuckInWrongFlow).length}`);
    }
    const kinds: FailureKind[] = ['wrong-flow', 'procedure-running', 'no-procedure', 'wrong-node', 'other'];
    lines.push(`  failures by kind: ${kinds.map((k) => `${k} ${verdicts.filter((v) => v.verdict.kind === k).length}`).join(', ')}`);
    lines.push(`  TOTAL ${pass}/${verdicts.length} = ${((100 * pass) / verdicts.length).toFixed(1)} %`);
    console.log(lines.join('\n'));

    // Every conversation was played to its last answer; the outcomes become assertions once the engine is ready.
    expect(verdicts.every((v) => v.p.positions.length === v.c.answers.length)).toBe(true);
  });
});

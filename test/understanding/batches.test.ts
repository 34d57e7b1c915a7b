/**
 * The honest measure of issue 12: requests written before any tuning (`batches/*.yaml`) and a
 * held-out set (`heldout/heldout.yaml`), each played as the first message of a fresh conversation
 * with the engine's `converse`, the way a resident types it on the widget's French welcome.
 *
 * Each outcome is classified by `outcomeOf` (the one place to adapt when the engine answers in a new
 * way) and printed per batch, overall, by flow and by tag (sms, story, en, ar, darija…), against the
 * targets of issue 12: ≥ 95 % of in-scope requests start the right procedure or ask "which one?"
 * with it first; ≥ 95 % of out-of-scope requests start nothing. The scores also count, stricter,
 * out-of-scope requests that start nothing and offer nothing.
 *
 * The out-of-scope target is met and asserted, on the batches and on the held-out set. The
 * in-scope target is not met yet: it is printed (README.md keeps each batch's first measure). What
 * also fails is malformed data: an unknown flow id, a missing `expect`, a sentence written twice in
 * any file (`requests.yaml` included), and a set smaller than the issue asks for.
 *
 * The held-out set prints only its aggregate scores, never its sentences or misses, unless
 * ARIANE_SHOW_HELDOUT=1: whoever tunes the matcher must not read it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { buildCatalog, converse, initialState, type ConversationState, type EngineEnv, type StepResult } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { isPlaceName } from '../../src/geo';
import { loadLexicons } from '../../src/i18n';
import { officialPages, officialWords } from '../../src/sources';
import { embeddedCatalogue } from '../sources/support/embedded';
import { decisionOf, outcomeOf, RIGHT_OUTCOMES, type Outcome } from './outcomeOf';
import { duplicateProblems, parseBatch, type Batch, type BatchRequest } from './parseBatch';

const ROOT = join(__dirname, '..', '..');
const BATCH_DIR = join(__dirname, 'batches');
const HELDOUT_FILE = join(__dirname, 'heldout', 'heldout.yaml');
const SHOW_HELDOUT = process.env.ARIANE_SHOW_HELDOUT === '1';
/** Targets of issue 12: in scope printed beside the figures (not met yet); out of scope asserted. */
const IN_SCOPE_TARGET = 0.95;
const OUT_OF_SCOPE_TARGET = 0.95;
/** The widget opens in French; people then type in their own language. */
const WELCOME_LANG = 'fr';
/** Sub-scores printed when requests carry these tags (a request's language counts as a tag). */
const SUB_SCORE_TAGS = ['sms', 'phonetic', 'story', 'en', 'ar', 'arabic-script', 'darija', 'near', 'short'];

interface Scored {
  request: BatchRequest;
  outcome: Outcome;
  started?: string;
  offered: string[];
}

/** What the service gives the engine: the official pages of the embedded catalogue. */
const env: EngineEnv = { searchOfficial: officialPages(embeddedCatalogue), knownWord: officialWords(embeddedCatalogue), isPlace: isPlaceName };

/** Plays the request as the first message after the welcome. */
function play(catalog: ReturnType<typeof buildCatalog>, text: string): StepResult {
  const welcome = converse(catalog, initialState(WELCOME_LANG), { kind: 'start' }, env);
  return converse(catalog, welcome.state, { kind: 'text', text }, env);
}

interface Tally {
  inScope: number;
  inRight: number;
  outScope: number;
  outRight: number;
  counts: Record<Outcome, number>;
}

function tally(items: Scored[]): Tally {
  const counts = { 'started-right': 0, 'asked-first': 0, 'asked-later': 0, 'started-wrong': 0, 'asked-other': 0, nothing: 0, 'none-nothing': 0, 'none-offered': 0, 'none-started': 0 } as Record<Outcome, number>;
  let inScope = 0;
  let inRight = 0;
  let outScope = 0;
  let outRight = 0;
  for (const s of items) {
    counts[s.outcome]++;
    const right = RIGHT_OUTCOMES.has(s.outcome);
    if (s.request.expect === 'none') {
      outScope++;
      if (right) outRight++;
    } else {
      inScope++;
      if (right) inRight++;
    }
  }
  return { inScope, inRight, outScope, outRight, counts };
}

const pct = (x: number, of: number) => (of ? `${((100 * x) / of).toFixed(1)} %` : '—');

function tallyLine(label: string, t: Tally, detail = true): string {
  const c = t.counts;
  const inPart = t.inScope
    ? `in scope ${t.inRight}/${t.inScope} = ${pct(t.inRight, t.inScope)}${detail ? ` [started ${c['started-right']}, asked first ${c['asked-first']}, asked later ${c['asked-later']}, wrong flow ${c['started-wrong']}, asked others ${c['asked-other']}, nothing ${c.nothing}]` : ''}`
    : 'in scope —';
  const calm = t.outScope - c['none-started'];
  const outPart = t.outScope
    ? `out of scope ${t.outRight}/${t.outScope} = ${pct(t.outRight, t.outScope)}${detail ? ` [offered ${c['none-offered']}, started ${c['none-started']}]` : ''}, started nothing ${calm}/${t.outScope} = ${pct(calm, t.outScope)}`
    : 'out of scope —';
  return `${label.padEnd(28)} ${String(t.inScope + t.outScope).padStart(4)}  ${inPart}   ${outPart}`;
}

function describeMiss(s: Scored): string {
  const did = s.started ? `started ${s.started}` : s.offered.length ? `which? ${s.offered.join(' / ')}` : 'nothing';
  return `[${s.request.expect}] "${s.request.text}" → ${did} (${s.outcome})`;
}

function readBatches(flowIds: ReadonlySet<string>): { batches: Batch[]; heldout: Batch; problems: string[] } {
  const problems: string[] = [];
  const batches = readdirSync(BATCH_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const r = parseBatch(f.replace(/\.yaml$/, ''), readFileSync(join(BATCH_DIR, f), 'utf8'), flowIds);
      problems.push(...r.problems);
      return r.batch;
    });
  const h = parseBatch('heldout', readFileSync(HELDOUT_FILE, 'utf8'), flowIds, !SHOW_HELDOUT);
  problems.push(...h.problems);
  const reference = ((parse(readFileSync(join(__dirname, 'requests.yaml'), 'utf8')) as { requests?: { text: string }[] }).requests ?? []).map((r) => r.text);
  problems.push(
    ...duplicateProblems([
      { name: 'requests.yaml', texts: reference },
      ...batches.map((b) => ({ name: b.name, texts: b.requests.map((r) => r.text) })),
      { name: 'heldout', texts: h.batch.requests.map((r) => r.text), hidden: !SHOW_HELDOUT },
    ]),
  );
  return { batches, heldout: h.batch, problems };
}

describe('outcomeOf: what a first message did, against its label', () => {
  const result = (state: Partial<ConversationState>): StepResult => ({ state: { ...initialState('fr'), ...state }, outputs: [] });
  const started = (flowId: string) => result({ status: 'active', flowId, nodeId: 'intro' });
  const asked = (...candidates: string[]) => result({ status: 'choosing', candidates });

  it('tells a right start, "which one?" with it first, later or not at all, a wrong start and nothing apart', () => {
    expect(outcomeOf(started('caf-attestation'), { expect: 'caf-attestation' })).toBe('started-right');
    expect(outcomeOf(asked('caf-attestation', 'prime-activite'), { expect: 'caf-attestation' })).toBe('asked-first');
    expect(outcomeOf(asked('prime-activite', 'caf-attestation'), { expect: 'caf-attestation' })).toBe('asked-later');
    expect(outcomeOf(started('prime-activite'), { expect: 'caf-attestation' })).toBe('started-wrong');
    expect(outcomeOf(asked('prime-activite', 'rsa-demande'), { expect: 'caf-attestation' })).toBe('asked-other');
    expect(outcomeOf(result({ status: 'choosing' }), { expect: 'caf-attestation' })).toBe('nothing');
    // A flow that ended or handed off on its first turn was still started.
    expect(outcomeOf(result({ status: 'handoff', flowId: 'caf-attestation' }), { expect: 'caf-attestation' })).toBe('started-right');
  });

  it('accepts any acceptable flow of an ambiguous request, started or offered', () => {
    const caf = { expect: 'caf-attestation', ambiguous: ['caf-attestation', 'caf-changement-situation'] };
    expect(outcomeOf(started('caf-changement-situation'), caf)).toBe('started-right');
    expect(outcomeOf(asked('rsa-demande', 'caf-changement-situation'), caf)).toBe('asked-first');
    expect(outcomeOf(asked('rsa-demande', 'prime-activite'), caf)).toBe('asked-other');
    expect(outcomeOf(started('rsa-demande'), caf)).toBe('started-wrong');
  });

  it('for a "none" request, only starting and offering nothing is right (help or handoff without a flow is fine)', () => {
    expect(outcomeOf(result({ status: 'choosing' }), { expect: 'none' })).toBe('none-nothing');
    expect(outcomeOf(result({ status: 'handoff' }), { expect: 'none' })).toBe('none-nothing');
    expect(outcomeOf(asked('caf-attestation', 'rsa-demande'), { expect: 'none' })).toBe('none-offered');
    expect(outcomeOf(started('caf-attestation'), { expect: 'none' })).toBe('none-started');
    expect(decisionOf(started('caf-attestation'))).toEqual({ started: 'caf-attestation', offered: [] });
    expect([...RIGHT_OUTCOMES].sort()).toEqual(['asked-first', 'none-nothing', 'started-right']);
  });
});

describe('parseBatch and duplicateProblems: malformed data is reported', () => {
  const ids = new Set(['caf-attestation', 'rsa-demande']);

  it('names unknown flow ids, missing fields, bad ambiguity and unknown keys, and keeps only valid requests', () => {
    const yaml = [
      'tags: [sms]',
      'requests:',
      '  - { text: "attestation caf", expect: caf-attestation }',
      '  - { text: "rsa stp", expect: rsa }',
      '  - { text: "sans label" }',
      '  - { expect: none }',
      '  - { text: "caf", expect: caf-attestation, ambiguous: [rsa-demande, prime-activite] }',
      '  - { text: "bonjour", expect: none, ambiguous: [caf-attestation, rsa-demande] }',
      '  - { text: "hello", expect: none, lang: english }',
      '  - { text: "x", expect: none, exepct: none }',
      '  - { text: "salam", expect: none, lang: ar, tags: [darija] }',
      '  - { text: "سلام", expect: none, lang: ar }',
    ].join('\n');
    const { batch, problems } = parseBatch('bad', yaml, ids);
    expect(problems).toEqual([
      'bad: request 2 ("rsa stp"): unknown flow id "rsa" in expect',
      'bad: request 3 ("sans label"): missing "expect" (a flow id or none)',
      'bad: request 4: missing "text"',
      'bad: request 5 ("caf"): unknown flow id "prime-activite" in ambiguous',
      'bad: request 5 ("caf"): "ambiguous" must include the expected flow "caf-attestation"',
      'bad: request 6 ("bonjour"): a "none" request cannot be ambiguous',
      'bad: request 7 ("hello"): lang must be one of fr, en, ar',
      'bad: request 8 ("x"): unknown key "exepct"',
    ]);
    expect(batch.requests).toEqual([
      { text: 'attestation caf', expect: 'caf-attestation', lang: 'fr', tags: ['sms'] },
      { text: 'salam', expect: 'none', lang: 'ar', tags: ['sms', 'darija', 'ar'] },
      { text: 'سلام', expect: 'none', lang: 'ar', tags: ['sms', 'ar', 'arabic-script'] },
    ]);
    expect(parseBatch('empty', 'requests: []', ids).problems).toEqual(['empty: needs a non-empty "requests" list']);
    expect(parseBatch('broken', 'requests: [', ids).problems[0]).toMatch(/^broken: not valid YAML/);
  });

  it('hides the sentences of a hidden set in its problems', () => {
    const { problems } = parseBatch('heldout', 'requests:\n  - { text: "secret", expect: nope }', ids, true);
    expect(problems).toEqual(['heldout: request 1: unknown flow id "nope" in expect']);
  });

  it('finds the same sentence in two files, ignoring case and spacing, without quoting a hidden one', () => {
    expect(
      duplicateProblems([
        { name: 'requests.yaml', texts: ['Attestation CAF', 'rsa'] },
        { name: '01', texts: ['attestation  caf ', 'prime'] },
        { name: 'heldout', texts: ['prime'], hidden: true },
      ]),
    ).toEqual(['duplicate sentence "attestation  caf ": 01 request 1 repeats requests.yaml request 1', 'duplicate sentence: heldout request 1 repeats 01 request 2']);
  });
});

describe('understanding batches written before tuning (issue 12)', () => {
  const set = loadFlowDirectory(join(ROOT, 'flows'));
  const lexicons = loadLexicons(join(ROOT, 'locales'));
  // The service's catalog: the keyword reader and the classifier learnt from flows/*.examples.yaml.
  const catalog = buildCatalog(set.flows, lexicons, [], { examples: set.examples });
  const flowIds = new Set(catalog.flows.keys());
  const { batches, heldout, problems } = readBatches(flowIds);
  const key = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

  it('has well-formed data: known flow ids, an expect on every request, no sentence twice across all files', () => {
    expect(problems).toEqual([]);
  });

  it('the classifier never learnt a sentence of the held-out set (counted, never quoted)', () => {
    const held = new Set(heldout.requests.map((r) => key(r.text)));
    expect(set.examples.filter((e) => held.has(key(e.text))).length).toBe(0);
  });

  it('is as large as issue 12 asks: ≥ 600 requests, ≥ 150 "none", ≥ 25 per flow; held-out ≥ 150 with ≥ 40 "none"', () => {
    const all = batches.flatMap((b) => b.requests);
    expect(all.length).toBeGreaterThanOrEqual(600);
    expect(all.filter((r) => r.expect === 'none').length).toBeGreaterThanOrEqual(150);
    const perFlow = [...flowIds].map((id) => ({ id, n: all.filter((r) => r.expect === id).length }));
    expect(perFlow.filter((f) => f.n < 25)).toEqual([]);
    expect(heldout.requests.length).toBeGreaterThanOrEqual(150);
    expect(heldout.requests.filter((r) => r.expect === 'none').length).toBeGreaterThanOrEqual(40);
  });

  it('measures every batch and the held-out set, prints the scores, and holds the out-of-scope target (≥ 95 % start nothing)', () => {
    const score = (b: Batch, with_: typeof catalog): Scored[] =>
      b.requests.map((request) => {
        const result = play(with_, request.text);
        return { request, outcome: outcomeOf(result, request), ...decisionOf(result) };
      });
    const scored = batches.map((b) => ({ name: b.name, items: score(b, catalog) }));
    const held = score(heldout, catalog);
    // The batches are examples the classifier learnt: each is also scored by one trained without it.
    const crossed = batches.map((b) => {
      const own = new Set(b.requests.map((r) => key(r.text)));
      const without = buildCatalog(set.flows, lexicons, [], { examples: set.examples.filter((e) => !own.has(key(e.text))) });
      return { name: b.name, items: score(b, without) };
    });
    const crossedAll = crossed.flatMap((b) => b.items);
    const all = scored.flatMap((b) => b.items);
    const overall = tally(all);
    const heldTally = tally(held);
    const target = `targets: in scope ≥ ${IN_SCOPE_TARGET * 100} % (printed), out of scope ≥ ${OUT_OF_SCOPE_TARGET * 100} % start nothing (asserted)`;

    const lines: string[] = [`Understanding batches (issue 12), first message after the ${WELCOME_LANG} welcome; ${target}`, '  per batch:'];
    for (const b of scored) lines.push(`    ${tallyLine(b.name, tally(b.items))}`);
    lines.push(`    ${tallyLine('ALL BATCHES (learnt)', overall)}`);
    lines.push(`    ${tallyLine('HELD-OUT (aggregate only)', heldTally)}`);
    lines.push('  per batch, the classifier trained without it:');
    for (const b of crossed) lines.push(`    ${tallyLine(b.name, tally(b.items))}`);
    lines.push(`    ${tallyLine('ALL BATCHES (each unseen)', tally(crossedAll))}`);
    lines.push('  by tag (batches):');
    for (const tag of SUB_SCORE_TAGS) {
      const items = all.filter((s) => s.request.tags.includes(tag));
      if (items.length) lines.push(`    ${tallyLine(tag, tally(items), false)}`);
    }
    lines.push('  by tag (held-out):');
    for (const tag of SUB_SCORE_TAGS) {
      const items = held.filter((s) => s.request.tags.includes(tag));
      if (items.length) lines.push(`    ${tallyLine(tag, tally(items), false)}`);
    }
    lines.push('  by expected flow (batches, in scope right):');
    for (const id of [...flowIds].sort()) {
      const items = all.filter((s) => s.request.expect === id);
      const t = tally(items);
      lines.push(`    ${id.padEnd(32)} ${t.inRight}/${t.inScope} = ${pct(t.inRight, t.inScope)}`);
    }
    const pulls = new Map<string, number>();
    for (const s of crossedAll) if (s.outcome === 'none-started' || s.outcome === 'started-wrong') pulls.set(s.started as string, (pulls.get(s.started as string) ?? 0) + 1);
    lines.push(`  flows started wrongly (batches, each unseen): ${[...pulls].sort((a, b) => b[1] - a[1]).map(([id, n]) => `${id} ${n}`).join(', ') || 'none'}`);
    lines.push('  misses (batches, each scored by the classifier trained without it):');
    for (const b of crossed) {
      const misses = b.items.filter((s) => !RIGHT_OUTCOMES.has(s.outcome));
      if (misses.length) lines.push(`    ${b.name}:`, ...misses.map((s) => `      ${describeMiss(s)}`));
    }
    if (SHOW_HELDOUT) lines.push('  misses (held-out, ARIANE_SHOW_HELDOUT=1):', ...held.filter((s) => !RIGHT_OUTCOMES.has(s.outcome)).map((s) => `      ${describeMiss(s)}`));
    console.log(lines.join('\n'));

    expect(all.length).toBe(batches.reduce((n, b) => n + b.requests.length, 0));
    expect(held.length).toBe(heldout.requests.length);
    // Out of scope, started nothing: met, so held. In scope is printed until it is met.
    const calm = (t: Tally) => (t.outScope - t.counts['none-started']) / t.outScope;
    expect(calm(overall)).toBeGreaterThanOrEqual(OUT_OF_SCOPE_TARGET);
    expect(calm(heldTally)).toBeGreaterThanOrEqual(OUT_OF_SCOPE_TARGET);
  });
});

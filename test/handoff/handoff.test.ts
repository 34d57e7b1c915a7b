import { join } from 'node:path';
import { initialState, type ConversationState } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import type { Flow } from '../../src/flow/schema';
import { buildHandoffSummary, handoffCodeKind, handoffWrite, newHandoffCode, normalizeHandoffCode, readHandoff, renderHandoff } from '../../src/handoff';
import { CODE_ALPHABET } from '../../src/handoff/handoffCode';
import { createHandoff, HANDOFF_PREFIX, type HandoffSummary } from '../../src/handoff/createHandoff';
import { runHandoff } from '../../src/cli/handoffCommand';
import { ConflictError, MemoryStore, type KeyValueStore } from '../../src/store';

const flow = {
  id: 'test-caf',
  title: { fr: 'Attestation CAF', en: 'CAF certificate' },
  keywords: ['caf'],
  organisation: 'CAF',
  support: { services: ['Aide aux démarches administratives'] },
  sources: [{ url: 'https://www.caf.fr' }],
  reviewed: '2026-11-01',
  languages: ['fr', 'en'],
  start: 'situation',
  nodes: {
    situation: {
      kind: 'question',
      text: { fr: 'Avez-vous un compte CAF ?', en: 'Do you have a CAF account?' },
      name: 'compte',
      choices: [
        { label: { fr: 'Oui', en: 'Yes' }, value: 'oui', next: 'papiers' },
        { label: 'Non', value: 'non', next: 'creer' },
      ],
    },
    papiers: { kind: 'checklist', text: 'Préparez :', items: ['Votre numéro allocataire', { fr: 'Votre mot de passe', en: 'Your password' }], next: 'cp' },
    cp: { kind: 'input', text: 'Votre code postal ?', type: 'postcode', name: 'code_postal', next: 'message' },
    message: { kind: 'input', text: "Quel message d'erreur voyez-vous ?", type: 'text', name: 'message', next: 'connexion' },
    connexion: { kind: 'step', text: 'Connectez-vous sur caf.fr', next: 'fin' },
    fin: { kind: 'end', text: 'Terminé' },
    creer: { kind: 'handoff', text: 'Un conseiller peut vous aider.', reason: 'Il faut créer un compte avec un conseiller.' },
  },
} as unknown as Flow;

const state: ConversationState = {
  v: 1,
  lang: 'ar',
  flowId: 'test-caf',
  nodeId: 'connexion',
  history: ['situation', 'papiers', 'cp', 'message'],
  answers: { compte: 'oui', code_postal: '35000', message: '<script>alert(1)</script> mon mail jean.dupont@example.org' },
  failures: 0,
  status: 'handoff',
  turn: 6,
};
const NOW = new Date('2026-11-22T10:00:00Z');
const CODE_RE = new RegExp(`^[${CODE_ALPHABET}]{3}-[${CODE_ALPHABET}]{3}-[${CODE_ALPHABET}]{3}$`);

describe('handoff codes', () => {
  it('are XXX-XXX-XXX from an alphabet without look-alikes, and vary', () => {
    expect(CODE_ALPHABET).not.toMatch(/[01OIL]/);
    const codes = new Set(Array.from({ length: 1000 }, () => newHandoffCode()));
    for (const c of codes) expect(c).toMatch(CODE_RE);
    expect(codes.size).toBe(1000);
    for (const c of codes) expect(handoffCodeKind(c)).toBe('current');
  });

  it('are read back whatever the case, spaces or dashes', () => {
    expect(normalizeHandoffCode('k7p4qxm2r')).toBe('K7P-4QX-M2R');
    expect(normalizeHandoffCode(' K7P 4QX M2R ')).toBe('K7P-4QX-M2R');
    expect(normalizeHandoffCode('k7p-4qx.m2r')).toBe('K7P-4QX-M2R');
    expect(normalizeHandoffCode('K7P-4QX-M20')).toBeUndefined();
    expect(normalizeHandoffCode('K7P-4QX-M2')).toBeUndefined();
    expect(normalizeHandoffCode('K7P-4QX-M2RR')).toBeUndefined();
    expect(normalizeHandoffCode('')).toBeUndefined();
  });

  it('still reads the older six-character codes, told apart as legacy', () => {
    expect(normalizeHandoffCode('k7p4qx')).toBe('K7P-4QX');
    expect(normalizeHandoffCode(' K7P 4QX ')).toBe('K7P-4QX');
    expect(normalizeHandoffCode('K7P-4Q0')).toBeUndefined();
    expect(handoffCodeKind('K7P-4QX')).toBe('legacy');
    expect(handoffCodeKind('K7P-4QX-M2R')).toBe('current');
  });
});

describe('createHandoff / readHandoff', () => {
  it('stores a summary with labels, the stopping step, what to bring, and no identifier', async () => {
    const store = new MemoryStore({ now: () => NOW.getTime() });
    const summary = await createHandoff(store.kv, { flow, state, reason: 'stuck', now: NOW });
    expect(summary.code).toMatch(CODE_RE);
    expect(summary).toMatchObject({
      v: 1,
      createdAt: '2026-11-22T10:00:00.000Z',
      expiresAt: '2026-12-22T10:00:00.000Z',
      lang: 'ar',
      flow: { id: 'test-caf', title: 'Attestation CAF', organisation: 'CAF' },
      stoppedAt: { nodeId: 'connexion', text: 'Connectez-vous sur caf.fr' },
      reason: 'stuck',
      bring: ['Votre numéro allocataire', 'Votre mot de passe'],
    });
    expect(summary.answers).toEqual([
      { question: 'Avez-vous un compte CAF ?', answer: 'Oui' },
      { question: 'Votre code postal ?', answer: '35000' },
      { question: "Quel message d'erreur voyez-vous ?", answer: '<script>alert(1)</script> mon mail [email masqué]' },
    ]);
    const stored = await store.kv.get([HANDOFF_PREFIX + summary.code]);
    expect(JSON.stringify(stored)).not.toContain('jean.dupont');
    expect(await readHandoff(store.kv, summary.code.toLowerCase().replace('-', ''), NOW)).toEqual(summary);
  });

  it('expires after the configured number of days', async () => {
    let now = NOW.getTime();
    const store = new MemoryStore({ now: () => now });
    const summary = await createHandoff(store.kv, { flow, state, reason: 'asked', now: NOW, ttlDays: 2 });
    expect(summary.expiresAt).toBe('2026-11-24T10:00:00.000Z');
    expect(await readHandoff(store.kv, summary.code, new Date('2026-11-24T09:59:00Z'))).toBeDefined();
    now = Date.parse('2026-11-24T10:01:00Z');
    expect(await readHandoff(store.kv, summary.code, new Date(now))).toBeUndefined();
  });

  it('draws another code when one is taken', async () => {
    const store = new MemoryStore();
    let calls = 0;
    const kv: KeyValueStore = {
      ...store.kv,
      set: async (items) => {
        calls++;
        if (calls === 1) throw new ConflictError(items[0]?.key ?? '');
        return store.kv.set(items);
      },
    };
    const summary = await createHandoff(kv, { flow, state, reason: 'stuck', now: NOW });
    expect(calls).toBe(2);
    expect(await readHandoff(store.kv, summary.code, NOW)).toBeDefined();
  });

  it("uses a handoff node's reason, and works without a flow", async () => {
    const store = new MemoryStore();
    const atNode = await createHandoff(store.kv, { flow, state: { ...state, nodeId: 'creer', history: ['situation'], answers: { compte: 'non' } }, reason: 'node', now: NOW });
    expect(atNode.detail).toBe('Il faut créer un compte avec un conseiller.');
    expect(atNode.answers).toEqual([{ question: 'Avez-vous un compte CAF ?', answer: 'Non' }]);
    const noFlow = await createHandoff(store.kv, { state: { ...state, flowId: undefined, nodeId: undefined, history: [], answers: {} }, reason: 'no-match', now: NOW });
    expect(noFlow.flow).toBeUndefined();
    expect(noFlow.answers).toEqual([]);
  });

  it('opens a summary stored under an older six-character code (stored before codes grew)', async () => {
    const store = new MemoryStore();
    const old = { ...buildHandoffSummary({ flow, state, reason: 'stuck', now: NOW }, 'K7P-4QX') };
    await store.kv.set([handoffWrite(old)]);
    expect(await readHandoff(store.kv, 'k7p 4qx', NOW)).toEqual(old);
  });

  it('returns undefined for unknown or malformed codes', async () => {
    const store = new MemoryStore();
    expect(await readHandoff(store.kv, 'ABC-DEF', NOW)).toBeUndefined();
    expect(await readHandoff(store.kv, 'not a code', NOW)).toBeUndefined();
  });
});

describe('renderHandoff', () => {
  let summary: HandoffSummary;
  beforeAll(async () => {
    summary = await createHandoff(new MemoryStore().kv, { flow, state, reason: 'stuck', now: NOW });
  });

  it('renders text for a terminal', () => {
    const text = renderHandoff(summary, 'fr', 'text');
    expect(text).toContain(`Fiche de liaison ${summary.code}`);
    expect(text).toContain('Attestation CAF (CAF)');
    expect(text).toContain('Avez-vous un compte CAF ? → Oui');
    expect(text).toContain("Arrêt à l'étape\n  Connectez-vous sur caf.fr");
    expect(text).toContain("La personne n'arrive pas à faire cette étape.");
    expect(text).toContain('  • Votre numéro allocataire');
    expect(text).toContain('Langue de la personne : arabe');
    expect(text).toContain('Valable jusqu’au 22 décembre 2026'.replace('’', "'"));
  });

  it('escapes answers in HTML and Markdown', () => {
    const html = renderHandoff(summary, 'fr', 'html');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/<h1>Fiche de liaison [A-Z0-9-]+<\/h1>/);
    const md = renderHandoff(summary, 'fr', 'md');
    expect(md).toContain(`# Fiche de liaison ${summary.code}`);
    expect(md).toContain('\\<script\\>');
  });

  it('renders headings in English', () => {
    const text = renderHandoff(summary, 'en', 'text');
    expect(text).toContain(`Handover note ${summary.code}`);
    expect(text).toContain('To bring');
    expect(text).toContain("The person's language: Arabic");
  });
});

describe('ariane handoff <code>', () => {
  it('prints the summary, or says the code is unknown', async () => {
    const store = new MemoryStore();
    const summary = await createHandoff(store.kv, { flow, state, reason: 'stuck', now: NOW });
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (l: string) => err.push(l) };
    expect(await runHandoff(summary.code.toLowerCase(), { format: 'md' }, store, io, NOW)).toBe(0);
    expect(out.join('')).toContain(`# Fiche de liaison ${summary.code}`);
    expect(await runHandoff('ZZZ-ZZZ-ZZZ', {}, store, io, NOW)).toBe(1);
    expect(err.join('\n')).toContain('Aucune fiche ne correspond au code « ZZZ-ZZZ-ZZZ »');
    expect(await runHandoff(summary.code, { format: 'pdf' }, store, io, NOW)).toBe(1);
  });
});

describe('the official pages of the flow in the summary', () => {
  it('lists the flow’s sources, fiches as their service-public address, in every format', () => {
    const flows = loadFlowDirectory(join(__dirname, '..', '..', 'flows'));
    const flow = flows.byId.get('complementaire-sante-solidaire')!;
    const summary = buildHandoffSummary({ flow, state: { ...initialState('fr'), flowId: flow.id, nodeId: flow.start, status: 'handoff' }, reason: 'asked', now: new Date('2026-12-03T10:00:00Z') }, 'K7P-4QX');
    expect(summary.pages).toContainEqual(expect.objectContaining({ url: 'https://www.service-public.gouv.fr/particuliers/vosdroits/F10027' }));
    for (const format of ['text', 'md', 'html'] as const) {
      const out = renderHandoff(summary, 'fr', format);
      expect(out).toContain('Pages officielles de la démarche');
      expect(out).toContain('vosdroits/F10027');
    }
  });
});

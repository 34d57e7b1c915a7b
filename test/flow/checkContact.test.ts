/**
 * The organisation's phone line in a flow (`contact`, issue 14): `ariane check` tells an admin, in
 * French and at the right line, when a number cannot be dialled as written, has no cost, or has no
 * source; the contact's texts, links and fiches go through the same checks as the rest of the flow.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFlowFiles, type Diagnostic, type FicheLookup } from '../../src/flow';
import { fichesOf, textsOf, urlsOf } from '../../src/flow/checkFlows';

const fixtures = join(__dirname, '..', 'fixtures');
const TODAY = '2026-12-03';

function summary(diagnostics: Diagnostic[]) {
  return diagnostics.map((d) => ({ line: d.line, col: d.col, severity: d.severity, code: d.code, message: d.message, hint: d.hint }));
}

describe('ariane check: a flow’s contact', () => {
  it('a number with dots and no cost: two errors, at the number', () => {
    const file = join(fixtures, 'flows-broken', 'contact-mal-ecrit.yaml');
    const set = loadFlowFiles([file], { today: TODAY });
    expect(set.ok).toBe(false);
    expect(summary(set.diagnostics)).toEqual([
      expect.objectContaining({ line: 13, col: 3, severity: 'error', code: 'contact', message: 'numéro de téléphone sans son coût', hint: expect.stringContaining('« cost: »') }),
      expect.objectContaining({ line: 13, col: 10, severity: 'error', code: 'contact', message: 'numéro de téléphone invalide « 32.30 »', hint: expect.stringContaining('ici peut-être « 3230 »') }),
    ]);
  });

  it('neither a number nor a contact page, and no source: two errors, at « contact »', () => {
    const file = join(fixtures, 'flows-broken', 'contact-sans-source.yaml');
    const set = loadFlowFiles([file], { today: TODAY });
    expect(summary(set.diagnostics)).toEqual([
      expect.objectContaining({ line: 11, col: 1, severity: 'error', code: 'contact', message: 'contact sans numéro de téléphone ni page de contact' }),
      expect.objectContaining({ line: 11, col: 1, severity: 'error', code: 'contact', message: 'contact sans source', hint: expect.stringContaining('« source: »') }),
    ]);
  });

  it.each([
    ['3230', true],
    ['32 30', true],
    ['0 809 401 401', true],
    ['09 71 10 39 60', true],
    ['32-30', false],
    ['+33 1 84 90 36 46', false],
    ['32  30', false],
    [' 32 30', false],
    ['trente-deux trente', false],
  ])('the number « %s » is accepted: %s', (phone, ok) => {
    const text = `id: t\ntitle: T\nkeywords: [t]\norganisation: CAF\nsupport: { services: [Aide aux démarches administratives] }\nsources: [{ url: "https://www.caf.fr/" }]\ncontact: { label: CAF, phone: "${phone}", cost: Gratuit, source: "https://www.caf.fr/" }\nreviewed: "2026-06-01"\nlanguages: [fr]\nstart: fin\nnodes:\n  fin: { kind: end, text: Fini. }\n`;
    const dir = mkdtempSync(join(tmpdir(), 'ariane-contact-'));
    try {
      writeFileSync(join(dir, 't.yaml'), text);
      const codes = loadFlowFiles([dir], { today: TODAY }).diagnostics.map((d) => d.code);
      expect(codes.includes('contact')).toBe(!ok);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a complete contact in two languages is clean, even with --strict, and its fiche is checked', () => {
    const file = join(fixtures, 'flows-contact', 'contact-complet.yaml');
    const known: FicheLookup = {
      get: (id) => (id === 'F10662' ? { title: 'Comment obtenir une attestation de droits (attestation Vitale) ?', modified: '2020-07-03' } : undefined),
      suggest: () => undefined,
      complete: true,
      label: 'du catalogue de test',
    };
    const set = loadFlowFiles([file], { today: TODAY, strict: true, fiches: known });
    expect(set.diagnostics).toEqual([]);
    const flow = set.byId.get('contact-complet');
    if (!flow) throw new Error('fixture not loaded');
    expect(fichesOf(flow).filter((f) => f.path[0] === 'contact')).toEqual([{ id: 'F10662', path: ['contact', 'source', 0] }]);
    expect(textsOf(flow).map(([path]) => path.join('.'))).toEqual(expect.arrayContaining(['contact.label', 'contact.cost', 'contact.hours']));
    expect(urlsOf(flow).filter(([path]) => path[0] === 'contact').map(([, url]) => url)).toEqual([
      'https://www.ameli.fr/assure/adresses-et-contacts',
      'https://www.ameli.fr/assure/adresses-et-contacts',
    ]);
  });

  it('a contact page without a number is enough; its links and texts get the usual warnings', () => {
    const file = join(fixtures, 'flows-contact', 'contact-web.yaml');
    const set = loadFlowFiles([file], { today: TODAY });
    expect(set.ok).toBe(true);
    expect(summary(set.diagnostics)).toEqual([
      expect.objectContaining({ line: 12, col: 10, severity: 'warning', code: 'missing-translation' }),
      expect.objectContaining({ line: 13, col: 8, severity: 'warning', code: 'insecure-link', message: 'lien non sécurisé « http://franceconnect.gouv.fr/partenaires »' }),
      expect.objectContaining({ line: 14, col: 11, severity: 'warning', code: 'insecure-link' }),
    ]);
  });

  it('an unknown fiche as the contact’s source is reported like any cited fiche', () => {
    const file = join(fixtures, 'flows-contact', 'contact-complet.yaml');
    const none: FicheLookup = { get: () => undefined, suggest: () => undefined, complete: true, label: 'du catalogue de test' };
    const d = loadFlowFiles([file], { today: TODAY, fiches: none }).diagnostics.filter((x) => x.code === 'unknown-fiche');
    expect(d.map((x) => x.line)).toEqual([10, 18]);
  });
});

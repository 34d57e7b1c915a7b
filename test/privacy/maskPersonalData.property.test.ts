/**
 * Properties of masking over generated texts (fast-check): it never throws, is idempotent, masks
 * an identifier wherever it sits, leaves ordinary sentences alone, and handles adversarial texts
 * built to make regular expressions backtrack. Speed is a bench figure (`npm run bench -- --only
 * micro`), not asserted here: these tests assert behaviour only.
 */
import fc from 'fast-check';
import { maskPersonalData } from '../../src/privacy';
import { PERSONAL_DATA_KINDS } from '../../src/privacy/personalDataPatterns';

/** Identifiers and the part of each that must not survive. */
const IDENTIFIERS: ReadonlyArray<[string, string]> = [
  ['1 85 05 78 006 084 36', '006 084'],
  ['secu185057800608436', '1850578'],
  ['06 12 34 56 78', '06 12 34'],
  ['tel0612345678', '12345678'],
  ['٠٦١٢٣٤٥٦٧٨', '٣٤٥٦٧٨'],
  ['+212 6 12 34 56 78', '+212 6 12'],
  ['jean.dupont@example.fr', 'jean.dupont'],
  ['marie.dupont (at) example.fr', 'marie.dupont'],
  ['FR76 3000 6000 0112 3456 7890 189', '3456 7890'],
  ['3782 822463 10005', '822463'],
  ['numero fiscal 0123456789012', '456789'],
  ['mon numéro allocataire est 1234567', '1234567'],
  ['identifiant france travail 1234567A', '1234567'],
  ['numéro étranger 7503012345', '7503012345'],
  ['A1B2C3D4E5', 'A1B2C3D4E5'],
  ["mon mot de passe c'est Soleil2024!", 'Soleil2024'],
  ['le code est 483920', '483920'],
];

/** Ordinary sentences that must come out unchanged. */
const ORDINARY = [
  '35000 Rennes', 'je suis à 35550 Pipriac', 'code postal 75011', 'le 3 mars 2024 à 14h30', 'né le 12/05/1985',
  'du 01/02/2024 au 03/04/2025', '1 234,56 €', "j'ai 2 enfants de 7 et 10 ans", 'RSA 607,75 € par mois', '01 23 45 67',
  '12 34 56 78 90', 'appelez le 39 49', 'cerfa 15776*01', 'SIRET 123 456 789 00012', "j'ai oublié mon mot de passe",
  'mot de passe caf', 'code pas reçu', 'Comme AB-123-CD', 'attestation caf', 'bonjour', 'مرحبا', 'لا أفهم', 'ok merci 🙂',
];

/** Pieces that make texts near the patterns' edges: keywords, separators, digits, placeholders. */
const PIECES = [
  ...IDENTIFIERS.map(([s]) => s), ...ORDINARY, 'numéro', 'n°', 'de', 'dossier', 'caf', 'identifiant', 'mot de passe', 'mdp',
  'code', ' est ', " c'est ", ':', ' ', '  ', '/', '.', '-', '@', '(at)', '[at]', ' arobase ', '0', '06', '1234', '7', 'A',
  '\u00a0', '\u200b', '٠', '０', '𝟎', '\ud800', '[caf masqué]', '[', ']', '\uE000', 'é', '\n',
];
const pieceText = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 }), fc.stringMatching(/^[0-9 ]{1,12}$/)), { maxLength: 30 }).map((p) => p.join(''));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  pieceText,
);

const KINDS = new Set<string>(PERSONAL_DATA_KINDS);

describe('maskPersonalData properties', () => {
  it('has test secrets that no ordinary sentence contains', () => {
    for (const [, secret] of IDENTIFIERS) expect(ORDINARY.join('\n')).not.toContain(secret);
  });

  it('never throws, returns a string and only documented kinds', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = maskPersonalData(s);
        expect(typeof r.text).toBe('string');
        for (const k of r.found) expect(KINDS.has(k)).toBe(true);
        expect(new Set(r.found).size).toBe(r.found.length);
      }),
      { numRuns: 1500 },
    );
  });

  it('is idempotent: masking a masked text changes nothing and finds nothing', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = maskPersonalData(s).text;
        expect(maskPersonalData(once)).toEqual({ text: once, found: [] });
      }),
      { numRuns: 1500 },
    );
  });

  it('changes nothing but the masked parts: a text with nothing masked comes out as it went in', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const r = maskPersonalData(s);
        if (r.found.length === 0) expect(r.text).toBe(s);
        else expect(r.text).toMatch(/\[[a-z-]+ masqué\]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('masks an identifier on its own line, whatever the lines around it', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDINARY), { maxLength: 4 }), fc.constantFrom(...IDENTIFIERS), fc.array(fc.constantFrom(...ORDINARY), { maxLength: 4 }), (before, [id, secret], after) => {
        const text = maskPersonalData([...before, id, ...after].join('\n')).text;
        expect(text).not.toContain(secret);
        for (const line of [...before, ...after]) expect(text).toContain(line);
      }),
      { numRuns: 500 },
    );
  });

  it('masks an identifier inside a sentence of ordinary words', () => {
    const words = fc.array(fc.constantFrom('bonjour', 'svp', 'merci', 'voici', 'je', 'ne', 'comprends', 'pas', 'ok', 'aidez-moi', 'وشكرا'), { maxLength: 5 });
    fc.assert(
      fc.property(words, fc.constantFrom(...IDENTIFIERS), words, (before, [id, secret], after) => {
        expect(maskPersonalData([...before, id, ...after].join(' ')).text).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves ordinary sentences alone, one per line', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ORDINARY), { minLength: 1, maxLength: 8 }), (lines) => {
        const text = lines.join('\n');
        expect(maskPersonalData(text)).toEqual({ text, found: [] });
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskPersonalData on adversarial texts (behaviour; their speed is in the bench)', () => {
  const cases: ReadonlyArray<[string, string, (masked: string) => void]> = [
    ['2,000 digits', '7'.repeat(2000), (t) => expect(t).toBe('[file-number masqué]')],
    ['digits and spaces alternating', '1 '.repeat(1000), (t) => expect(t).toBe('1 '.repeat(1000))],
    ['digit pairs and spaces', '12 '.repeat(666), (t) => expect(t).toBe('12 '.repeat(666))],
    ['digits and double spaces', '0  '.repeat(666), (t) => expect(t).toBe('0  '.repeat(666))],
    ['digits and dots', '1.'.repeat(1000), (t) => expect(t).toBe('1.'.repeat(1000))],
    ['a phone after another, 200 times', '06 12 34 56 78 '.repeat(200), (t) => expect(t).toBe('[phone masqué] '.repeat(200))],
    ['Arabic-Indic digits', '٣'.repeat(2000), (t) => expect(t).toBe('[file-number masqué]')],
    ['mathematical digits', '𝟑'.repeat(1000), (t) => expect(t).toBe('[file-number masqué]')],
    ['at signs', 'a@'.repeat(1000), (t) => expect(t).toBe('a@'.repeat(1000))],
    ['dots then no at', 'a.'.repeat(1000), (t) => expect(t).toBe('a.'.repeat(1000))],
    ['an address with 2,000 labels', `x@${'a.'.repeat(999)}fr`, (t) => expect(t).toMatch(/^\[email masqué\]/)],
    ['spelt ats', 'x (at) '.repeat(280), (t) => expect(t).toBe('x (at) '.repeat(280))],
    ['keywords without a value', 'numéro de '.repeat(200), (t) => expect(t).toBe('numéro de '.repeat(200))],
    ['keywords then a value', `${'numéro de '.repeat(199)}1234567`, (t) => expect(t).toBe(`${'numéro de '.repeat(199)}[file-number masqué]`)],
    ['passwords without a value', 'mot de passe '.repeat(150), (t) => expect(t).toBe('mot de passe '.repeat(150))],
    ['code after code', 'code '.repeat(400), (t) => expect(t).toBe('code '.repeat(400))],
    ['letters and digits', 'ab12'.repeat(500), (t) => expect(t).toBe('ab12'.repeat(500))],
    ['IBAN-like groups', `FR76${' ABCD'.repeat(399)}`, (t) => expect(t).toBe(`FR76${' ABCD'.repeat(399)}`)],
    // The last zero-width character is after the number: it stays, as typed.
    ['zero-width between every digit', '0\u200b'.repeat(1000), (t) => expect(t).toBe('[file-number masqué]\u200b')],
  ];

  it.each(cases)('%s', (_name, input, check) => {
    const r = maskPersonalData(input);
    check(r.text);
    expect(maskPersonalData(r.text).text).toBe(r.text);
  });
});

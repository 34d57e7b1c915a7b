import fc from 'fast-check';
import { buildOptionIndex, matchOption, normalize, MAX_MATCHED_LENGTH } from '../../src/engine';

describe('normalize', () => {
  it('lower-cases, strips accents, unifies apostrophes and spaces', () => {
    expect(normalize('  Préfecture   de  POLICE ')).toBe('prefecture de police');
    expect(normalize('J’ai déjà un compte')).toBe('j ai deja un compte');
    expect(normalize("l'œuvre")).toBe('l oeuvre');
    expect(normalize('Ça marche !')).toBe('ca marche');
    expect(normalize('')).toBe('');
  });

  it('looks at a bounded prefix only, so a pasted page cannot cost seconds of matching', () => {
    expect(normalize('a'.repeat(10_000)).length).toBe(MAX_MATCHED_LENGTH);
    expect(normalize(`Oui ${'x'.repeat(10_000)}`).startsWith('oui x')).toBe(true);
  });
});

describe('matchOption (scoped to one node)', () => {
  const index = buildOptionIndex([
    { value: 'attestation', phrases: ['Attestation de paiement'] },
    { value: 'prefecture', phrases: ['Rendez-vous en préfecture', 'rdv'] },
    { value: 'autre', phrases: ['Autre chose'] },
  ]);

  it.each([
    ['Attestation de paiement', 'attestation', 'exact'],
    ['ATTESTATION DE PAIEMENT', 'attestation', 'exact'],
    ['rendez vous en prefecture', 'prefecture', 'exact'],
    ['2', 'prefecture', 'number'],
    ['attestaton', 'attestation', 'fuzzy'],
    ['prefecture', 'prefecture', 'fuzzy'],
    ['atestation de paiment', 'attestation', 'fuzzy'],
    ['je veux un rdv', 'prefecture', 'contained'],
  ])('%p → %s (%s)', (text, value, how) => {
    expect(matchOption(index, text)).toMatchObject({ value, how });
  });

  it.each(['banane', '', '   ', '4', '0', 'xyz'])('%p matches nothing', (text) => {
    expect(matchOption(index, text)).toBeUndefined();
  });

  it('strict mode accepts only sure answers', () => {
    expect(matchOption(index, 'Autre chose', true)?.value).toBe('autre');
    expect(matchOption(index, '3', true)?.value).toBe('autre');
    expect(matchOption(index, 'attestaton', true)).toBeUndefined();
  });

  it('an answer equally close to two options is not guessed', () => {
    const twins = buildOptionIndex([
      { value: 'a', phrases: ['carte de séjour'] },
      { value: 'b', phrases: ['carte de sejours'] },
    ]);
    expect(matchOption(twins, 'carte de sejou')).toBeUndefined();
  });

  it('the longest phrase found in a sentence wins ("pas de compte" vs "compte")', () => {
    const idx = buildOptionIndex([
      { value: 'oui', phrases: ["J'ai un compte", 'compte'] },
      { value: 'non', phrases: ["Je n'ai pas de compte", 'pas de compte'] },
    ]);
    expect(matchOption(idx, "non, je n'ai pas de compte du tout")?.value).toBe('non');
  });
});

describe('matchOption leaves out of fuzzy search only phrases that cannot match', () => {
  // Leaving phrases far shorter than the typed text out of the fuse search must give the same answer
  // as searching them all: compare with the same index whose bound is lifted.
  const word = fc.constantFrom('oui', 'non', 'je', 'ai', 'un', 'compte', 'caf', 'attestation', 'prefecture', 'rdv', 'pas', 'encore', 'deja', 'inscrit', 'france', 'travail', 'x', 'titre', 'sejour');
  const typo = (w: string, k: number) => (w.length > 3 && k % 3 === 0 ? w.slice(0, -1) : k % 3 === 1 ? `${w}e` : w);
  const phrase = fc.array(fc.tuple(word, fc.nat(5)), { minLength: 1, maxLength: 4 }).map((ws) => ws.map(([w, k]) => typo(w, k)).join(' '));
  it('gives the same result as an unbounded search, on random phrases and texts', () => {
    fc.assert(
      fc.property(fc.array(fc.array(phrase, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 5 }), fc.array(fc.tuple(word, fc.nat(5)), { minLength: 1, maxLength: 14 }), fc.nat(), fc.boolean(), (options, textWords, pick, nearPhrase) => {
        const index = buildOptionIndex(options.map((phrases, i) => ({ value: `v${i}`, phrases })));
        const extra = textWords.map(([w, k]) => typo(w, k)).join(' ');
        // Half the texts are a phrase plus a few more words: the cases near the length bound.
        const all = options.flat();
        const text = nearPhrase ? `${all[pick % all.length]!} ${extra.slice(0, 1 + (pick % 12))}` : extra;
        const unbounded = { ...index, fuzzy: new Map(), bounded: false };
        expect(matchOption(index, text)).toEqual(matchOption(unbounded, text));
      }),
      { numRuns: 3000 },
    );
  });

  it('still finds a typo of a short answer inside the bound', () => {
    const index = buildOptionIndex([
      { value: 'yes', phrases: ['Oui'] },
      { value: 'no', phrases: ['Non'] },
    ]);
    expect(matchOption(index, 'ouii')?.value).toBe('yes');
    expect(matchOption(index, 'je ne sais vraiment pas quoi repondre a cette question')).toBeUndefined();
  });
});

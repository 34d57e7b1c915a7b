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

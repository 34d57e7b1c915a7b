import fc from 'fast-check';
import { normalize } from '../../src/engine';
import { buildOptionIndex, CONFIDENCE, matchOption, type MatchOption } from '../../src/engine/match';
import { lexiconFor } from '../../src/engine/lexicon';
import { MAX_MATCHED_LENGTH } from '../../src/engine/normalize';
import { lexicons } from './helpers';

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

describe('matchOption reads answers by meaning (issue 12)', () => {
  const lex = (lang: string) => lexiconFor(lexicons(), lang);
  /** A yes/no question as the question handler builds it: labels, synonyms, lexicon words, sides. */
  const yesNo = (lang: string, yes: string[], no: string[], extra: MatchOption[] = []) => {
    const l = lex(lang);
    return buildOptionIndex(
      [
        { value: 'oui', phrases: [...yes, ...l.yes], labels: [yes[0]!], side: 'yes' },
        { value: 'non', phrases: [...no, ...l.no], labels: [no[0]!], side: 'no' },
        ...extra,
      ],
      l,
    );
  };
  const internet = yesNo('fr', ["Oui, j'ai internet", "j'ai un téléphone", "j'ai un portable", 'smartphone', 'ordi'], ["Non, pas d'internet", "pas d'ordi", 'pas internet']);

  describe('"I don\'t know" comes before any choice word', () => {
    it.each(['aucune idée', 'Aucune idée franchement', 'je sais pas', 'jsp', "j'en sais rien", 'non aucune idée'])('%p is not "Non"', (text) => {
      expect(matchOption(internet, text)).toBeUndefined();
    });

    it.each([['fr', 'je sais pas'], ['en', "I don't know"], ['en', 'no idea'], ['ar', 'لا أعرف'], ['ar', 'ما عرفتش']])('%s %p takes the option that means it, surely', (lang, text) => {
      const idx = buildOptionIndex(
        [
          { value: 'avant', phrases: ['Dans 6 mois ou plus'], labels: ['Dans 6 mois ou plus'] },
          { value: 'nsp', phrases: ['Je ne sais pas encore', "I don't know yet", 'لا أعرف بعد'], labels: ['Je ne sais pas encore'] },
        ],
        lex(lang),
      );
      expect(matchOption(idx, text, true)).toMatchObject({ value: 'nsp', how: 'dontKnow', confidence: 0.9 });
    });

    it('with two options meaning it, none is guessed', () => {
      const idx = buildOptionIndex([{ value: 'a', phrases: ['Je ne sais pas, a'] }, { value: 'b', phrases: ['Je ne sais pas, b'] }], lex('fr'));
      expect(matchOption(idx, 'je sais pas')).toBeUndefined();
    });
  });

  describe('option numbers only when the answer is nothing else', () => {
    const three = buildOptionIndex(
      ['Attestation de paiement', 'Attestation de quotient familial', 'Autre chose'].map((l, i) => ({ value: `v${i + 1}`, phrases: [l], labels: [l] })),
      lex('ar'), // Arabic conversations merge Arabic, French and English words.
    );
    it.each(['2', ' 2 ', '2.', 'le 2', 'la 2', 'Le numéro 2', 'numéro 2', 'n°2', 'N° 2', 'no 2', '2e', '2ème', '2eme', 'la deuxième', 'le deuxième', 'la seconde', 'c’est le 2', 'je prends la 2', 'choix 2', 'the second', 'the second one', 'number 2', 'option 2', '2nd', '٢', 'رقم 2', 'رقم ٢', 'الثاني', 'الخيار الثاني'])(
      '%p is option 2, surely',
      (text) => {
        expect(matchOption(three, text, true)).toMatchObject({ value: 'v2', how: 'number', confidence: 0.95 });
      },
    );

    it.each(["j'ai un portable", "j'ai 2 enfants", 'le 2 ou le 3', '2 3', 'un', 'deux', 'il y a 2 ans', 'I have 2 kids'])('%p is not an option number', (text) => {
      expect(matchOption(three, text)?.how).not.toBe('number');
    });

    it('a number that names no option is not matched as a phrase either', () => {
      expect(matchOption(three, '4')).toBeUndefined();
      expect(matchOption(three, 'le 9')).toBeUndefined();
      expect(matchOption(three, '0')).toBeUndefined();
    });

    it('"un" inside a sentence never picks the choice whose synonym is "un"', () => {
      const digit = buildOptionIndex(
        [
          { value: 'definitif', phrases: ['Il commence par 1 ou 2', '1', '2', 'un', 'deux'], labels: ['Il commence par 1 ou 2'] },
          { value: 'provisoire', phrases: ['Il commence par 7 ou 8', '7', '8', 'sept', 'huit'], labels: ['Il commence par 7 ou 8'] },
          { value: 'inconnu', phrases: ['Je ne connais pas mon numéro'], labels: ['Je ne connais pas mon numéro'] },
        ],
        lex('fr'),
      );
      expect(matchOption(digit, "j'ai un portable")).toBeUndefined();
      expect(matchOption(digit, 'un')).toMatchObject({ value: 'definitif', how: 'exact' });
    });

    describe('at a question whose labels hold digits', () => {
      // "Par quel chiffre commence-t-il ?": the author wrote each digit as a synonym.
      const digit = buildOptionIndex(
        [
          { value: 'definitif', phrases: ['Il commence par 1 ou 2', '1', '2'], labels: ['Il commence par 1 ou 2'] },
          { value: 'provisoire', phrases: ['Il commence par 7 ou 8', '7', '8'], labels: ['Il commence par 7 ou 8'] },
          { value: 'inconnu', phrases: ['Je ne connais pas mon numéro'], labels: ['Je ne connais pas mon numéro'] },
        ],
        lex('fr'),
      );
      const delay = buildOptionIndex(
        ['Dans plus de 4 mois', 'Dans 2 à 4 mois', 'Dans moins de 2 mois', 'Il est déjà fini'].map((l, i) => ({ value: `d${i + 1}`, phrases: [l], labels: [l] })),
        lex('fr'),
      );
      it("a digit the author wrote as a synonym is the author's meaning", () => {
        expect(matchOption(digit, '2', true)).toMatchObject({ value: 'definitif', how: 'exact', confidence: 0.95 });
        expect(matchOption(digit, '7', true)).toMatchObject({ value: 'provisoire', how: 'exact' });
      });
      it('any other bare digit is the option number, but asked about (it may be a quantity)', () => {
        expect(matchOption(digit, '3')).toMatchObject({ value: 'inconnu', how: 'number', confidence: 0.7 });
        expect(matchOption(delay, '1')).toMatchObject({ value: 'd1', how: 'number', confidence: 0.7 });
        expect(matchOption(delay, '1', true)).toBeUndefined();
      });
      it('an ordinal is positional: sure', () => {
        expect(matchOption(delay, 'la troisième', true)).toMatchObject({ value: 'd3', confidence: 0.95 });
        expect(matchOption(delay, '3e', true)).toMatchObject({ value: 'd3', confidence: 0.95 });
      });
      it('a quantity picks the one option whose span holds it', () => {
        const age = buildOptionIndex(
          [
            { value: 'adult', phrases: ['25 ans ou plus', 'plus de 25', '25 ans'], labels: ['25 ans ou plus'] },
            { value: 'young', phrases: ['Moins de 25 ans', 'moins de 25', 'jeune'], labels: ['Moins de 25 ans'] },
          ],
          lex('fr'),
        );
        expect(matchOption(age, "j'ai 23 ans")).toMatchObject({ value: 'young', how: 'quantity', confidence: 0.85 });
        expect(matchOption(age, 'jai 25ans')).toMatchObject({ value: 'adult', how: 'quantity' });
        expect(matchOption(age, '40 ans')).toMatchObject({ value: 'adult', how: 'quantity' });
        expect(matchOption(delay, 'dans 3 mois')).toMatchObject({ value: 'd2', how: 'quantity' });
        expect(matchOption(delay, 'il reste 6 mois')).toMatchObject({ value: 'd1', how: 'quantity' });
        expect(matchOption(delay, 'dans 1 mois')).toMatchObject({ value: 'd3', how: 'quantity' });
        // Bounds: "2 à 4 mois" holds 2 and 4; "moins de 2 mois" and "plus de 4 mois" do not.
        expect(matchOption(delay, '4 mois')).toMatchObject({ value: 'd2' });
        expect(matchOption(delay, '2 mois')).toMatchObject({ value: 'd2' });
        // Another unit, two quantities, or the author's own bounded words: not read as a quantity.
        expect(matchOption(age, "j'ai 23 mois")?.how).not.toBe('quantity');
        expect(matchOption(age, "j'ai 23 ans et lui 30 ans")?.how).not.toBe('quantity');
        expect(matchOption(age, 'plus de 25')).toMatchObject({ value: 'adult', how: 'exact' });
        // A quantity is never a sure answer (strict) on its own.
        expect(matchOption(age, "j'ai 23 ans", true)).toBeUndefined();
      });
      it('a number written as a word is a quantity too, in each language', () => {
        expect(matchOption(delay, 'dans trois mois')).toMatchObject({ value: 'd2', how: 'quantity' });
        expect(matchOption(delay, 'dans un mois')).toMatchObject({ value: 'd3', how: 'quantity' });
        expect(matchOption(delay, 'il reste six mois')).toMatchObject({ value: 'd1', how: 'quantity' });
        const delayAr = buildOptionIndex(
          ['بعد أكثر من 4 أشهر', 'بعد 2 إلى 4 أشهر', 'بعد أقل من 2 أشهر', 'انتهت بالفعل'].map((l, i) => ({ value: `d${i + 1}`, phrases: [l], labels: [l] })),
          lex('ar'),
        );
        expect(matchOption(delayAr, 'بعد ثلاثة أشهر')).toMatchObject({ value: 'd2', how: 'quantity' });
        const delayEn = buildOptionIndex(
          ['In more than 4 months', 'In 2 to 4 months', 'In less than 2 months', 'It has already ended'].map((l, i) => ({ value: `d${i + 1}`, phrases: [l], labels: [l] })),
          lex('en'),
        );
        expect(matchOption(delayEn, 'in three months')).toMatchObject({ value: 'd2', how: 'quantity' });
        expect(matchOption(delayEn, 'in a month')).toMatchObject({ value: 'd3', how: 'quantity' });
      });
      it('reads a label without the words people leave out (French "ne")', () => {
        const work = buildOptionIndex(
          [
            { value: 'works', phrases: ['Je travaille et je veux demander la prime', 'je travaille'], labels: ['Je travaille et je veux demander la prime'] },
            { value: 'none', phrases: ['Je ne travaille pas en ce moment'], labels: ['Je ne travaille pas en ce moment'] },
          ],
          lex('fr'),
        );
        expect(matchOption(work, 'je travaille pas en ce moment')).toMatchObject({ value: 'none', how: 'exact' });
        expect(matchOption(work, 'non je travaille pas en ce moment')).toMatchObject({ value: 'none', how: 'contained', confidence: 0.85 });
      });
      it('a negation denies its own part of the sentence, not what follows a comma or a "mais"', () => {
        const change = buildOptionIndex(
          [
            { value: 'move', phrases: ['Je déménage', 'déménage', 'adresse'], labels: ['Je déménage'] },
            { value: 'job', phrases: ['Mon travail change', 'travail', 'emploi'], labels: ['Mon travail change'] },
          ],
          lex('fr'),
        );
        expect(matchOption(change, "je déménage pas, c'est mon travail qui a changé")).toMatchObject({ value: 'job', how: 'contained', confidence: 0.85 });
        expect(matchOption(change, 'pas de déménagement mais un nouveau travail')).toMatchObject({ value: 'job', confidence: 0.85 });
        // Without a cut, the negation may be about either: ask.
        expect(matchOption(change, 'je déménage pas pour le travail')).toMatchObject({ confidence: 0.65 });
      });
      it('a digit said with option words points at a button: sure', () => {
        expect(matchOption(delay, 'la 2', true)).toMatchObject({ value: 'd2', how: 'number', confidence: 0.95 });
        expect(matchOption(delay, 'je prends le 3', true)).toMatchObject({ value: 'd3', confidence: 0.95 });
        expect(matchOption(delay, 'n 1', true)).toMatchObject({ value: 'd1', confidence: 0.95 });
        // …not a number inside a sentence.
        expect(matchOption(delay, 'dans 2 mois', true)).toBeUndefined();
      });
    });
  });

  describe('a negated answer never picks the "yes" side by a shared word', () => {
    it.each(["je n'ai pas de smartphone", "j'ai pas de portable", 'pas de téléphone', "jamais eu d'ordi", 'sans internet', "non j'ai pas d'ordi", 'pa de smartphone', 'I don’t have a smartphone', 'not online', 'no smartphone'])('%p', (text) => {
      expect(matchOption(internet, text)?.value).not.toBe('oui');
    });

    it('it reads as the only "no" option, to be confirmed', () => {
      expect(matchOption(internet, "je n'ai pas de smartphone")).toMatchObject({ value: 'non', how: 'negation', confidence: 0.6 });
    });

    it('a "no" phrase in the sentence is taken; a "yes" phrase there too makes it unsure', () => {
      expect(matchOption(internet, "non j'ai pas d'ordi chez moi")).toMatchObject({ value: 'non', how: 'contained', confidence: 0.85 });
      expect(matchOption(internet, "j'ai pas d'ordi mais j'ai un téléphone")).toMatchObject({ value: 'non', confidence: 0.65 });
    });

    it('in Arabic and Darija', () => {
      const ar = yesNo('ar', ['نعم، عندي إنترنت', 'عندي هاتف', 'هاتف', 'telephone'], ['لا، ليس عندي إنترنت', 'ما عندي إنترنت']);
      for (const text of ['ما عندي هاتف', 'ليس عندي هاتف', 'telephone machi', 'makaynch telephone']) expect(matchOption(ar, text)?.value).not.toBe('oui');
      expect(matchOption(ar, 'واخا')).toMatchObject({ value: 'oui', how: 'exact' });
      expect(matchOption(ar, 'wakha')).toMatchObject({ value: 'oui', how: 'exact' });
      expect(matchOption(ar, 'eyeh')).toMatchObject({ value: 'oui', how: 'exact' });
      expect(matchOption(ar, 'la')).toMatchObject({ value: 'non', how: 'exact' });
      expect(matchOption(ar, 'لا')).toMatchObject({ value: 'non', how: 'exact' });
    });
  });

  describe('a fuzzy match on one common word is not enough', () => {
    it('"paiement" is not "exactement" (a yes word): three letters wrong in eight', () => {
      const m = matchOption(internet, 'paiement');
      expect(m === undefined || m.confidence < CONFIDENCE.ask).toBe(true);
    });
    it('one typed word is compared with whole words: "paiement" is not asked about "déménagement"', () => {
      const idx = buildOptionIndex(
        [
          { value: 'demenage', phrases: ['Je déménage', 'déménagement'], labels: ['Je déménage'] },
          { value: 'naissance', phrases: ['Une naissance'], labels: ['Une naissance'] },
        ],
        lex('fr'),
      );
      const m = matchOption(idx, 'paiement');
      expect(m === undefined || m.confidence < CONFIDENCE.ask).toBe(true);
      expect(matchOption(idx, 'demenagemnt')).toMatchObject({ value: 'demenage', how: 'fuzzy' });
    });
    it('negation and option words alone are no typo of a phrase ("je n\'ai pas")', () => {
      const idx = buildOptionIndex(
        [
          { value: 'oui', phrases: ['Oui, j’ai un compte'], labels: ['Oui, j’ai un compte'], side: 'yes' },
          { value: 'non', phrases: ['Non, je veux le créer'], labels: ['Non, je veux le créer'], side: 'no' },
          { value: 'sans', phrases: ["Je n'ai pas de numéro de sécurité sociale"], labels: ["Je n'ai pas de numéro de sécurité sociale"] },
        ],
        lex('fr'),
      );
      expect(matchOption(idx, "je n'ai pas")).toMatchObject({ value: 'non', how: 'negation', confidence: 0.6 });
    });
    it('a negation outside the phrase found makes it unsure ("pas encore" and the synonym "encore")', () => {
      const idx = buildOptionIndex(
        [
          { value: 'premiere', phrases: ["M'inscrire pour la première fois", 'jamais inscrit'], labels: ["M'inscrire pour la première fois"] },
          { value: 'reinscription', phrases: ['Me réinscrire', 'encore', 'déjà inscrit'], labels: ['Me réinscrire'] },
        ],
        lex('fr'),
      );
      expect(matchOption(idx, 'encore une fois')).toMatchObject({ value: 'reinscription', confidence: 0.85 });
      expect(matchOption(idx, 'pas encore')).toMatchObject({ value: 'reinscription', confidence: 0.65 });
      expect(matchOption(idx, "je suis jamais inscrit")).toMatchObject({ value: 'premiere', confidence: 0.85 });
    });
    it('a word both options share picks neither', () => {
      expect(matchOption(internet, 'internet')).toBeUndefined();
    });
    it('a one-letter slip moves on; a few letters wrong asks; more is not understood', () => {
      const idx = buildOptionIndex(
        [
          { value: 'paiement', phrases: ['Attestation de paiement'], labels: ['Attestation de paiement'] },
          { value: 'rdv', phrases: ['Rendez-vous en préfecture'], labels: ['Rendez-vous en préfecture'] },
        ],
        lex('fr'),
      );
      expect(matchOption(idx, 'atestation de paiement')!.confidence).toBeGreaterThanOrEqual(CONFIDENCE.moveOn);
      const few = matchOption(idx, 'atestasion de pahiment')!;
      expect(few.value).toBe('paiement');
      expect(few.confidence).toBeGreaterThanOrEqual(CONFIDENCE.ask);
      expect(few.confidence).toBeLessThan(CONFIDENCE.moveOn);
      const far = matchOption(idx, 'ateztazion dpayman');
      expect(far === undefined || far.confidence < CONFIDENCE.ask).toBe(true);
    });
  });

  describe('"je ne sais pas quand…" asks to know: the option it names', () => {
    const when = buildOptionIndex(
      [
        { value: 'maintenant', phrases: ["M'actualiser maintenant"], labels: ["M'actualiser maintenant"] },
        { value: 'oubli', phrases: ["J'ai oublié de m'actualiser", 'oublié'], labels: ["J'ai oublié de m'actualiser"] },
        { value: 'quand', phrases: ['Savoir quand le faire', 'quand', 'date'], labels: ['Savoir quand le faire'] },
      ],
      lex('fr'),
    );
    it('the rest of the sentence names one option: moved on, said back', () => {
      expect(matchOption(when, 'je sais pas quand il faut le faire')).toMatchObject({ value: 'quand', how: 'asked', confidence: 0.8, phrase: 'quand' });
    });
    it('nothing else said, or a negated rest, is still "I do not know"', () => {
      expect(matchOption(when, 'je sais pas')).toBeUndefined();
      expect(matchOption(when, "je sais pas, j'ai pas de date")).toBeUndefined();
    });
    it('never a side of a yes/no question: "je sais pas si j\'ai un portable" is no "yes"', () => {
      expect(matchOption(internet, "je sais pas si j'ai un portable")).toBeUndefined();
    });
    it('where an option means "I don\'t know", the named one is only asked about', () => {
      const idx = buildOptionIndex(
        [
          { value: 'quand', phrases: ['Savoir quand le faire', 'quand'] },
          { value: 'nsp', phrases: ['Je ne sais pas'] },
        ],
        lex('fr'),
      );
      expect(matchOption(idx, 'je sais pas quand')).toMatchObject({ value: 'quand', how: 'asked', confidence: 0.65 });
    });
    it('is not a sure answer (global intents come first in strict mode)', () => {
      expect(matchOption(when, 'je sais pas quand il faut le faire', true)).toBeUndefined();
    });
  });

  describe("an option said otherwise: two or more of its own words, none of another's", () => {
    const where = buildOptionIndex(
      [
        { value: 'demander', phrases: ['Je veux demander ma retraite', 'demander', 'partir'], labels: ['Je veux demander ma retraite'] },
        { value: 'carriere', phrases: ["Je veux d'abord vérifier ma carrière", 'trimestres'], labels: ["Je veux d'abord vérifier ma carrière"] },
        { value: 'suivi', phrases: ["J'ai déjà fait la demande, je veux la suivre", 'suivre'], labels: ["J'ai déjà fait la demande, je veux la suivre"] },
      ],
      lex('fr'),
    );
    it('"déjà", "fait" and "demande" are the third option\'s alone', () => {
      expect(matchOption(where, "j'ai déjà fait ma demande, je veux savoir où elle en est")).toMatchObject({ value: 'suivi', how: 'words', confidence: 0.8 });
    });
    it('one own word is not enough, and words every option has ("je veux") count for nothing', () => {
      expect(matchOption(where, 'je veux la demande')).toBeUndefined();
      expect(matchOption(where, 'je veux savoir')).toBeUndefined();
    });
    it("own words of two options pick neither", () => {
      expect(matchOption(where, 'déjà fait, vérifier carrière')).toBeUndefined();
    });
    it('a negated sentence is never read this way', () => {
      expect(matchOption(where, "je n'ai pas encore fait la demande")?.how).not.toBe('words');
    });
  });

  it('an exact label says so (no echo needed); a synonym does not', () => {
    expect(matchOption(internet, "oui j'ai internet")).toMatchObject({ value: 'oui', how: 'exact', confidence: 1, label: true });
    expect(matchOption(internet, 'ouais')).toEqual({ value: 'oui', index: 0, how: 'exact', confidence: 0.95, phrase: 'ouais' });
  });
});

describe('matchOption properties', () => {
  const fr = lexiconFor(lexicons(), 'ar');
  const word = fc.constantFrom('compte', 'attestation', 'caf', 'internet', 'rendez', 'vous', 'prefecture', 'titre', 'sejour', 'carte', 'vitale', 'mot', 'passe', 'oublie', 'declarer', 'impots');
  const label = fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(' '));

  it('a bare number in range (any digits, any spelling of "number N") always picks that option, surely, when no label holds a number', () => {
    const form = fc.constantFrom((n: number) => `${n}`, (n: number) => ` ${n} `, (n: number) => `le ${n}`, (n: number) => `numéro ${n}`, (n: number) => `n°${n}`, (n: number) => `number ${n}`, (n: number) => `رقم ${n}`, (n: number) => String.fromCharCode(0x0660 + n));
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 8 }), fc.nat(), form, (labels, pick, spell) => {
        const index = buildOptionIndex(labels.map((l, i) => ({ value: `v${i}`, phrases: [l], labels: [l] })), fr);
        const n = (pick % labels.length) + 1;
        const text = spell(n);
        // A label equal to the typed text is the author's word, which wins by design.
        fc.pre(!labels.some((l) => normalize(l) === normalize(text)));
        expect(matchOption(index, text, true)).toMatchObject({ value: `v${n - 1}`, how: 'number', confidence: 0.95 });
      }),
      { numRuns: 500 },
    );
  });

  it('a negated label never picks the positive choice', () => {
    const negate = fc.constantFrom((x: string) => `je n'ai pas ${x}`, (x: string) => `pas de ${x}`, (x: string) => `j'ai jamais eu ${x}`, (x: string) => `non ${x}`, (x: string) => `sans ${x}`, (x: string) => `not ${x}`, (x: string) => `I don't have ${x}`, (x: string) => `ما عندي ${x}`, (x: string) => `${x} machi`);
    fc.assert(
      fc.property(label, label, fc.array(label, { maxLength: 3 }), negate, (yes, no, synonyms, neg) => {
        const index = buildOptionIndex(
          [
            { value: 'yes', phrases: [`Oui, ${yes}`, ...synonyms, ...fr.yes], labels: [`Oui, ${yes}`], side: 'yes' },
            { value: 'no', phrases: [`Non, ${no}`, ...fr.no], labels: [`Non, ${no}`], side: 'no' },
          ],
          fr,
        );
        for (const positive of [yes, `oui ${yes}`, ...synonyms]) {
          const text = neg(positive);
          // The author's own words, typed whole, are what the author says they are.
          fc.pre(!index.exact.has(normalize(text)));
          expect(matchOption(index, text)?.value).not.toBe('yes');
        }
      }),
      { numRuns: 500 },
    );
  });
});

import { CONFIRM_NO, CONFIRM_YES } from '../../src/engine/step';
import { parseCommune, parseDate, parseNumber, parsePostcode, parseYesNo, readYesNo } from '../../src/engine/validate';
import { lexiconFor } from '../../src/engine/lexicon';
import { choiceValues, handoffs, labelOf, last, lexicons, play, said } from './helpers';

describe('input node: validators', () => {
  it.each([
    ['75011', '75011'],
    ['75 011', '75011'],
    ['01000', '01000'],
    ['20000', '20000'], // Corsica
    ['97100', '97100'], // Guadeloupe
    ['97600', '97600'], // Mayotte
    ['98800', '98800'], // Nouvelle-Calédonie
  ])('postcode %s is valid', (text, value) => expect(parsePostcode(text)).toBe(value));

  it.each(['7501', '750111', '00100', '96000', '99000', '97900', '98500', 'abcde', ''])('postcode %p is refused', (text) => {
    expect(parsePostcode(text)).toBeUndefined();
  });

  it.each([
    ['15/03/2024', '2024-03-15'],
    ['1/3/2024', '2024-03-01'],
    ['15-03-2024', '2024-03-15'],
    ['15.03.24', '2024-03-15'],
    ['15 03 1990', '1990-03-15'],
    ['2024-03-15', '2024-03-15'],
    ['29/02/2024', '2024-02-29'],
    ['15 mars 2024', '2024-03-15'],
    ['1er janvier 2025', '2025-01-01'],
    ['3 Décembre 1999', '1999-12-03'],
  ])('date %s → %s', (text, iso) => expect(parseDate(text)).toBe(iso));

  it.each(['31/02/2024', '29/02/2023', '00/01/2024', '12/13/2024', '15/03', 'demain', '15 machin 2024', '1/1/1800'])('date %p is refused', (text) => {
    expect(parseDate(text)).toBeUndefined();
  });

  it('numbers: French decimals and thousands, limits', () => {
    expect(parseNumber('12')).toBe(12);
    expect(parseNumber('1 200')).toBe(1200);
    expect(parseNumber('12,5')).toBe(12.5);
    expect(parseNumber('douze')).toBeUndefined();
    expect(parseNumber('150', 0, 120)).toBeUndefined();
    expect(parseNumber('-1', 0, 120)).toBeUndefined();
    expect(parseNumber('120', 0, 120)).toBe(120);
  });

  it('yes/no from the lexicon, including the start of a sentence', () => {
    const lex = lexiconFor(lexicons(), 'fr');
    expect(parseYesNo('Oui', lex)).toBe(true);
    expect(parseYesNo('ouais', lex)).toBe(true);
    expect(parseYesNo('oui bien sûr', lex)).toBe(true);
    expect(parseYesNo('NON', lex)).toBe(false);
    expect(parseYesNo('pas du tout', lex)).toBe(false);
    expect(parseYesNo('peut-être', lex)).toBeUndefined();
  });

  it('communes: plausible names, or a postcode', () => {
    expect(parseCommune('Saint-Denis')).toBe('Saint-Denis');
    expect(parseCommune("L'Haÿ-les-Roses")).toBe("L'Haÿ-les-Roses");
    expect(parseCommune('Paris 15e')).toBe('Paris 15e');
    expect(parseCommune('69001')).toBe('69001');
    expect(parseCommune('x')).toBeUndefined();
    expect(parseCommune('12345678')).toBeUndefined();
    expect(parseCommune('a'.repeat(61))).toBeUndefined();
    expect(parseCommune('!!!')).toBeUndefined();
  });
});

describe('input node: in a flow', () => {
  it('stores the validated value under its name and moves on', () => {
    const r = last(play('demo-all', ['oui', '15/03/1990', '75 011', '42']));
    expect(r.state.answers).toMatchObject({ compte: 'oui', naissance: '1990-03-15', cp: '75011', age: 42 });
  });

  it("retries with the node's own retry text when it has one", () => {
    const r = last(play('demo-all', ['oui', '15/03/1990', '123']));
    expect(r.state.nodeId).toBe('cp');
    expect(said(r.outputs)).toEqual(['Il faut 5 chiffres.']);
  });

  it("retries with the node's retry text in the conversation language", () => {
    const r = last(play('demo-all', ['yes', '15/03/1990', '123'], 'en'));
    expect(said(r.outputs)).toEqual(['Five digits please.']);
  });

  it('retries with a generic message per type otherwise (date, number range)', () => {
    expect(said(last(play('demo-all', ['oui', '31/02/2024'])).outputs)).toEqual(['engine:retry.date']);
    const r = last(play('demo-all', ['oui', '15/03/1990', '75011', '200']));
    expect(r.outputs[0]).toEqual({ kind: 'say', message: { key: 'engine:retry.numberRange', params: { min: 0, max: 120 } } });
  });

  it('offers human help after two invalid answers in a row, and the help places once after three', () => {
    const r = last(play('demo-all', ['oui', 'hier', 'avant-hier']));
    expect(handoffs(r.outputs)).toEqual([]);
    expect(choiceValues(r.outputs)).toEqual(['help']);
    const third = last(play('demo-all', ['oui', 'hier', 'avant-hier', 'demain']));
    expect(handoffs(third.outputs)).toEqual([expect.objectContaining({ reason: 'failures', nodeId: 'naissance', askWhere: true })]);
    const fourth = last(play('demo-all', ['oui', 'hier', 'avant-hier', 'demain', 'jamais']));
    expect(handoffs(fourth.outputs)).toEqual([]);
    expect(choiceValues(fourth.outputs)).toEqual(['help']);
  });

  it('yes/no inputs show Oui/Non buttons and store booleans', () => {
    const [start] = play('demo-inputs', []);
    expect(choiceValues(start!.outputs)).toEqual(['yes', 'no']);
    expect(last(play('demo-inputs', [{ kind: 'choice', value: 'no' }])).state.answers).toEqual({ enfants: false });
    expect(last(play('demo-inputs', ['ouais'])).state.answers).toEqual({ enfants: true });
    const bad = last(play('demo-inputs', ['peut-être']));
    expect(said(bad.outputs)).toEqual(['engine:retry.yesno']);
    expect(choiceValues(bad.outputs)).toEqual(['yes', 'no']);
  });

  it('global intents win over free text and commune inputs ("aide" is not a commune)', () => {
    const r = last(play('demo-inputs', ['oui', 'aide']));
    expect(handoffs(r.outputs)).toEqual([expect.objectContaining({ reason: 'asked', nodeId: 'ville' })]);
    expect(r.state.answers).toEqual({ enfants: true });
  });

  it('accepts a commune and a short free text', () => {
    const r = last(play('demo-inputs', ['oui', 'Lyon', 'Rien à signaler']));
    expect(r.state.answers).toEqual({ enfants: true, ville: 'Lyon', remarque: 'Rien à signaler' });
    expect(r.state.nodeId).toBe('fin-grande-ville');
  });

  it('refuses an over-long free text', () => {
    const r = last(play('demo-inputs', ['oui', 'Lyon', 'x'.repeat(201)]));
    expect(r.state.nodeId).toBe('remarque');
    expect(said(r.outputs)).toEqual(['engine:retry.text']);
  });
});

describe('input node: yes/no read by meaning (issue 12)', () => {
  it.each(['aucune idée', 'non aucune idée', 'je sais pas', 'jsp', 'no idea'])('%p is "I don\'t know" (help offered), never "no"', (text) => {
    const r = last(play('demo-inputs', [text]));
    expect(r.state.answers).toEqual({});
    expect(handoffs(r.outputs)).toEqual([expect.objectContaining({ reason: 'asked', nodeId: 'enfants' })]);
  });

  it('a yes/no word needs no echo; a sentence is echoed as Oui / Non', () => {
    const plain = last(play('demo-inputs', ['ouais']));
    expect(plain.state.answers).toEqual({ enfants: true });
    expect(said(plain.outputs)).toEqual(['Dans quelle commune habitez-vous ?']);
    const sentence = last(play('demo-inputs', ['oui bien sûr, deux']));
    expect(sentence.state.answers).toEqual({ enfants: true });
    expect(labelOf(sentence.outputs, 'engine:understood')).toEqual({ key: 'engine:yes' });
    const no = last(play('demo-inputs', ['non pas encore']));
    expect(no.state.answers).toEqual({ enfants: false });
    expect(labelOf(no.outputs, 'engine:understood')).toEqual({ key: 'engine:no' });
  });

  it.each([["je n'en ai pas", 'fr'], ["j'en ai jamais eu", 'fr'], ["I don't have any", 'en'], ['ما عندي', 'ar'], ['ma3ndich', 'ar']])(
    'a negated sentence %p (%s) is probably "no": asked, with yes / no only',
    (text, lang) => {
      const r = last(play('demo-inputs', [text], lang));
      expect(r.state.answers).toEqual({});
      expect(r.state.confirming).toEqual({ nodeId: 'enfants', value: 'no' });
      expect(labelOf(r.outputs, 'engine:confirm')).toEqual({ key: 'engine:no' });
      expect(choiceValues(r.outputs)).toEqual([CONFIRM_YES, CONFIRM_NO]);
      expect(last(play('demo-inputs', [text, { kind: 'choice', value: CONFIRM_YES }], lang)).state.answers).toEqual({ enfants: false });
    },
  );

  it('"non" to the confirmation shows the question again; a plain answer is taken afresh', () => {
    const again = last(play('demo-inputs', ["je n'en ai pas", 'non']));
    expect(again.state.answers).toEqual({});
    expect(said(again.outputs)).toEqual(['Avez-vous des enfants ?']);
    expect(choiceValues(again.outputs)).toEqual(['yes', 'no']);
    expect(last(play('demo-inputs', ["je n'en ai pas", { kind: 'choice', value: 'yes' }])).state.answers).toEqual({ enfants: true });
  });

  it('Darija and Arabic yes/no words', () => {
    for (const [text, value] of [['wakha', true], ['واخا', true], ['eyeh', true], ['إيه', true], ['la', false], ['لا', false], ['لالا', false], ['machi', false]] as const) {
      expect({ text, answers: last(play('demo-inputs', [text], 'ar')).state.answers }).toEqual({ text, answers: { enfants: value } });
    }
  });

  it('readYesNo tells how it read the answer', () => {
    const lex = lexiconFor(lexicons(), 'fr');
    expect(readYesNo('oui', lex)).toEqual({ value: true, how: 'exact' });
    expect(readYesNo('oui bien sûr', lex)).toEqual({ value: true, how: 'leading' });
    expect(readYesNo("je ne l'ai pas demandé", lex)).toEqual({ value: false, how: 'negated' });
    expect(readYesNo('aucune idée', lex)).toBeUndefined();
    expect(parseYesNo('aucune idée', lex)).toBeUndefined();
    expect(parseYesNo("je ne l'ai pas demandé", lex)).toBeUndefined();
  });
});

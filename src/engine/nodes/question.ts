/** `question`: one question, answered with a button, a number, the label or a close wording. */
import { allVariants, resolveText, resolveWords } from '../resolveText';
import { isNegated, matchOption, optionIndex, saysDontKnow, type MatchOption } from '../match';
import { normalize } from '../normalize';
import type { Choice, Lexicon } from '../types';
import type { NodeOf } from '../../flow';
import { say, verdict, type NodeHandler } from './context';

type QuestionNode = NodeOf<'question'>;

/** The value stored (and sent by the button) for a choice: its `value`, else its `next`. */
export function choiceValue(choice: QuestionNode['choices'][number]): string {
  return choice.value ?? choice.next;
}

/** The buttons of a question in `lang`. */
export function questionChoices(node: QuestionNode, lang: string): Choice[] {
  return node.choices.map((c) => ({ label: { text: resolveText(c.label, lang) }, value: choiceValue(c) }));
}

/**
 * The side of each choice, if the question is a yes/no one: a label that is or starts with a yes
 * word ("Oui, j'ai internet") or a no word ("Non, pas encore"); or, for a pair of choices where one
 * label is negated and the other is not ("J'ai un compte" / "Je n'ai pas de compte"), the positive
 * and the negated one. With three choices or more, polarity alone says too little ("Je ne travaille
 * pas en ce moment" is not the opposite of both others).
 */
function sides(node: QuestionNode, lexicon: Lexicon, lang: string): Array<'yes' | 'no' | undefined> {
  const yes = new Set(lexicon.yes.map(normalize));
  const no = new Set(lexicon.no.map(normalize));
  const byWord = node.choices.map((c) => {
    const labels = allVariants(c.label).map(normalize);
    // "لا أعرف" (I don't know) starts with the word for "no", and is no side.
    if (labels.some((l) => saysDontKnow(l, lexicon))) return undefined;
    const firstWords = labels.map((l) => l.split(' ')[0] ?? '');
    return firstWords.some((w) => yes.has(w)) ? 'yes' : firstWords.some((w) => no.has(w)) ? 'no' : undefined;
  });
  if (byWord.some((s) => s !== undefined) || node.choices.length !== 2) return byWord;
  const negated = node.choices.map((c) => isNegated(normalize(resolveText(c.label, lang)), lexicon));
  return negated[0] === negated[1] ? byWord : negated.map((n) => (n ? 'no' : 'yes'));
}

/**
 * The phrases meaning each choice: labels and synonyms in every language, plus the lexicon's yes/no
 * words when a label is or starts with a yes or a no ("ouais" → "Oui, j'ai un compte").
 */
function options(node: QuestionNode, lexicon: Lexicon, lang: string): MatchOption[] {
  const side = sides(node, lexicon, lang);
  return node.choices.map((c, i) => {
    const labels = [resolveText(c.label, lang), ...allVariants(c.label)];
    const phrases = [...labels, ...resolveWords(c.synonyms, lang), ...allVariants(c.synonyms)];
    const firstWords = allVariants(c.label).map((l) => normalize(l).split(' ')[0] ?? '');
    const dontKnow = allVariants(c.label).some((l) => saysDontKnow(normalize(l), lexicon));
    // "Oui", or "Oui, je reçois une aide CAF": the first word says which side the choice is on.
    if (!dontKnow && firstWords.some((w) => lexicon.yes.some((y) => normalize(y) === w))) phrases.push(...lexicon.yes);
    if (!dontKnow && firstWords.some((w) => lexicon.no.some((n) => normalize(n) === w))) phrases.push(...lexicon.no);
    const s = side[i];
    return s ? { value: choiceValue(c), phrases, labels, side: s } : { value: choiceValue(c), phrases, labels };
  });
}

export const questionHandler: NodeHandler<'question'> = {
  present(node, ctx) {
    return [say(resolveText(node.text, ctx.lang)), { kind: 'choices', choices: questionChoices(node, ctx.lang) }];
  },
  answer(node, ctx, input, strict) {
    const name = node.name ?? ctx.nodeId;
    const retry = () => (strict ? ({ kind: 'unmatched' } as const) : ({ kind: 'retry', message: { key: 'engine:retry.choice' }, choices: questionChoices(node, ctx.lang) } as const));
    if (input.kind === 'choice') {
      const picked = node.choices.find((c) => choiceValue(c) === input.value);
      return picked ? { kind: 'next', next: picked.next, answer: { name, value: choiceValue(picked) } } : retry();
    }
    const index = optionIndex(node, ctx.lang, () => options(node, ctx.lexicon, ctx.lang), ctx.lexicon);
    const m = matchOption(index, input.text, strict);
    const v = verdict(m);
    const picked = m && v ? node.choices[m.index] : undefined;
    if (!m || !picked) return retry();
    const label = { text: resolveText(picked.label, ctx.lang) };
    if (v === 'confirm') return { kind: 'confirm', value: choiceValue(picked), label, choices: questionChoices(node, ctx.lang) };
    const side = index.sides[m.index];
    const read = { how: m.how, ...(m.phrase ? { phrase: m.phrase } : {}), ...(side ? { side } : {}) };
    const next = { kind: 'next', next: picked.next, answer: { name, value: choiceValue(picked) }, read } as const;
    return m.label ? next : { ...next, understood: label };
  },
};

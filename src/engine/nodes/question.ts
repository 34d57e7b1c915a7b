/** `question`: one question, answered with a button, a number, the label or a close wording. */
import { allVariants, resolveText, resolveWords } from '../resolveText';
import { matchOption, optionIndex, type MatchOption } from '../match';
import { normalize } from '../normalize';
import type { Choice, Lexicon } from '../types';
import type { NodeOf } from '../../flow';
import { say, type NodeHandler } from './context';

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
 * The phrases meaning each choice: labels and synonyms in every language, plus the lexicon's yes/no
 * words when a label is or starts with a yes or a no ("ouais" → "Oui, j'ai un compte").
 */
function options(node: QuestionNode, lexicon: Lexicon, lang: string): MatchOption[] {
  const yes = new Set(lexicon.yes.map(normalize));
  const no = new Set(lexicon.no.map(normalize));
  return node.choices.map((c) => {
    const labels = allVariants(c.label);
    const phrases = [resolveText(c.label, lang), ...labels, ...resolveWords(c.synonyms, lang), ...allVariants(c.synonyms)];
    // "Oui", or "Oui, je reçois une aide CAF": the first word says which side the choice is on.
    const firstWords = labels.map((l) => normalize(l).split(' ')[0] ?? '');
    if (firstWords.some((w) => yes.has(w))) phrases.push(...lexicon.yes);
    if (firstWords.some((w) => no.has(w))) phrases.push(...lexicon.no);
    return { value: choiceValue(c), phrases };
  });
}

export const questionHandler: NodeHandler<'question'> = {
  present(node, ctx) {
    return [say(resolveText(node.text, ctx.lang)), { kind: 'choices', choices: questionChoices(node, ctx.lang) }];
  },
  answer(node, ctx, input, strict) {
    const name = node.name ?? ctx.nodeId;
    let picked: QuestionNode['choices'][number] | undefined;
    if (input.kind === 'choice') {
      picked = node.choices.find((c) => choiceValue(c) === input.value);
    } else {
      const index = optionIndex(node, ctx.lang, () => options(node, ctx.lexicon, ctx.lang));
      const m = matchOption(index, input.text, strict);
      if (m) picked = node.choices[m.index];
    }
    if (!picked) {
      return strict ? { kind: 'unmatched' } : { kind: 'retry', message: { key: 'engine:retry.choice' }, choices: questionChoices(node, ctx.lang) };
    }
    return { kind: 'next', next: picked.next, answer: { name, value: choiceValue(picked) } };
  },
};

/** `step`: an instruction the person carries out, confirmed with "C'est fait" or "Je n'y arrive pas". */
import { matchOption, optionIndex } from '../match';
import { resolveText } from '../resolveText';
import type { Choice, Output } from '../types';
import { say, type NodeHandler } from './context';

/** Button values of a step. */
export const STEP_DONE = 'done';
export const STEP_CANNOT = 'cannot';

/** The two buttons of every step. */
export const STEP_CHOICES: Choice[] = [
  { label: { key: 'engine:step.done' }, value: STEP_DONE },
  { label: { key: 'engine:step.cannot' }, value: STEP_CANNOT },
];

export const stepHandler: NodeHandler<'step'> = {
  present(node, ctx) {
    const out: Output[] = [say(resolveText(node.text, ctx.lang))];
    if (node.image) out.push({ kind: 'image', src: node.image.src, alt: { text: resolveText(node.image.alt, ctx.lang) } });
    if (node.link) out.push({ kind: 'link', url: node.link.url, label: { text: resolveText(node.link.label, ctx.lang) } });
    out.push({ kind: 'choices', choices: STEP_CHOICES });
    return out;
  },
  answer(node, ctx, input, strict) {
    let value: string | undefined;
    if (input.kind === 'choice') {
      // `stuck` is accepted too: admins write it in scenarios after the node field of the same name.
      value = input.value === 'stuck' ? STEP_CANNOT : input.value === STEP_DONE || input.value === STEP_CANNOT ? input.value : undefined;
    } else {
      // Keyed on the lexicon object (not the node): every step of a language shares the same words.
      const index = optionIndex(ctx.lexicon, 'step', () => [
        { value: STEP_DONE, phrases: ctx.lexicon.done },
        { value: STEP_CANNOT, phrases: ctx.lexicon.cannot },
      ]);
      value = matchOption(index, input.text, strict)?.value;
    }
    if (value === STEP_DONE) return { kind: 'next', next: node.next };
    if (value === STEP_CANNOT) return node.stuck ? { kind: 'next', next: node.stuck } : { kind: 'stuck' };
    return strict ? { kind: 'unmatched' } : { kind: 'retry', message: { key: 'engine:retry.step' }, choices: STEP_CHOICES };
  },
};

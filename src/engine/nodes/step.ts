/** `step`: an instruction the person carries out, confirmed with "C'est fait" or "Je n'y arrive pas". */
import { matchOption, optionIndex } from '../match';
import { resolveText } from '../resolveText';
import type { Choice, Message, Output } from '../types';
import { say, verdict, type NodeHandler } from './context';

/** Button values of a step. */
export const STEP_DONE = 'done';
export const STEP_CANNOT = 'cannot';

/** The two buttons of every step. */
export const STEP_CHOICES: Choice[] = [
  { label: { key: 'engine:step.done' }, value: STEP_DONE },
  { label: { key: 'engine:step.cannot' }, value: STEP_CANNOT },
];

const STEP_LABELS: Record<string, Message> = { [STEP_DONE]: { key: 'engine:step.done' }, [STEP_CANNOT]: { key: 'engine:step.cannot' } };

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
    let understood: Message | undefined;
    if (input.kind === 'choice') {
      // `stuck` is accepted too: admins write it in scenarios after the node field of the same name.
      value = input.value === 'stuck' ? STEP_CANNOT : input.value === STEP_DONE || input.value === STEP_CANNOT ? input.value : undefined;
    } else {
      // Keyed on the lexicon object (not the node): every step of a language shares the same words.
      // "C'est pas fait" is negated: it never reads as "done" by the word "fait".
      const index = optionIndex(
        ctx.lexicon,
        'step',
        () => [
          { value: STEP_DONE, phrases: ctx.lexicon.done, side: 'yes' },
          { value: STEP_CANNOT, phrases: ctx.lexicon.cannot, side: 'no' },
        ],
        ctx.lexicon,
      );
      const m = matchOption(index, input.text, strict);
      const v = verdict(m);
      if (m && v === 'confirm') return { kind: 'confirm', value: m.value, label: STEP_LABELS[m.value] as Message, choices: STEP_CHOICES };
      if (m && v) {
        value = m.value;
        // The lexicon's own words ("ok", "fini", "ça marche pas") name the button itself: nothing to echo.
        if (m.how !== 'exact') understood = STEP_LABELS[m.value];
      }
    }
    const echo = understood ? { understood } : {};
    if (value === STEP_DONE) return { kind: 'next', next: node.next, ...echo };
    if (value === STEP_CANNOT) return node.stuck ? { kind: 'next', next: node.stuck, ...echo } : { kind: 'stuck' };
    return strict ? { kind: 'unmatched' } : { kind: 'retry', message: { key: 'engine:retry.step' }, choices: STEP_CHOICES };
  },
};

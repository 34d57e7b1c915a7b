/** `checklist`: documents or prerequisites to gather, then one "J'ai tout, continuer" confirmation. */
import { matchOption, optionIndex } from '../match';
import { resolveText } from '../resolveText';
import type { Choice } from '../types';
import { say, type NodeHandler } from './context';

/** Button value of the checklist confirmation. */
export const CHECKLIST_CONTINUE = 'continue';

/** The single button of every checklist. */
export const CHECKLIST_CHOICES: Choice[] = [{ label: { key: 'engine:checklist.continue' }, value: CHECKLIST_CONTINUE }];

export const checklistHandler: NodeHandler<'checklist'> = {
  present(node, ctx) {
    return [
      say(resolveText(node.text, ctx.lang)),
      { kind: 'checklist', items: node.items.map((i) => ({ text: resolveText(i, ctx.lang) })) },
      { kind: 'choices', choices: CHECKLIST_CHOICES },
    ];
  },
  answer(node, ctx, input, strict) {
    let ok = false;
    if (input.kind === 'choice') ok = input.value === CHECKLIST_CONTINUE || input.value === 'done';
    else {
      const index = optionIndex(ctx.lexicon, 'checklist', () => [
        { value: CHECKLIST_CONTINUE, phrases: [...ctx.lexicon.done, ...ctx.lexicon.yes, 'continuer', 'continue', "j'ai tout", 'suivant', 'next'] },
      ]);
      ok = matchOption(index, input.text, strict) !== undefined;
    }
    if (ok) return { kind: 'next', next: node.next };
    return strict ? { kind: 'unmatched' } : { kind: 'retry', message: { key: 'engine:retry.checklist' }, choices: CHECKLIST_CHOICES };
  },
};

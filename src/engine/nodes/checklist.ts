/** `checklist`: documents or prerequisites to gather, then one "J'ai tout, continuer" confirmation. */
import { matchOption, optionIndex } from '../match';
import { resolveText } from '../resolveText';
import type { Choice } from '../types';
import { say, verdict, type NodeHandler } from './context';

/** Button value of the checklist confirmation. */
export const CHECKLIST_CONTINUE = 'continue';

/** The single button of every checklist. */
export const CHECKLIST_CHOICES: Choice[] = [{ label: { key: 'engine:checklist.continue' }, value: CHECKLIST_CONTINUE }];

const CONTINUE_LABEL = { key: 'engine:checklist.continue' };

export const checklistHandler: NodeHandler<'checklist'> = {
  present(node, ctx) {
    return [
      say(resolveText(node.text, ctx.lang)),
      { kind: 'checklist', items: node.items.map((i) => ({ text: resolveText(i, ctx.lang) })) },
      { kind: 'choices', choices: CHECKLIST_CHOICES },
    ];
  },
  answer(node, ctx, input, strict) {
    const retry = () => (strict ? ({ kind: 'unmatched' } as const) : ({ kind: 'retry', message: { key: 'engine:retry.checklist' }, choices: CHECKLIST_CHOICES } as const));
    if (input.kind === 'choice') return input.value === CHECKLIST_CONTINUE || input.value === 'done' ? { kind: 'next', next: node.next } : retry();
    // "J'ai pas tout" is negated: it never reads as "j'ai tout".
    const index = optionIndex(
      ctx.lexicon,
      'checklist',
      () => [{ value: CHECKLIST_CONTINUE, phrases: [...ctx.lexicon.done, ...ctx.lexicon.yes, 'continuer', 'continue', "j'ai tout", 'suivant', 'next'], side: 'yes' }],
      ctx.lexicon,
    );
    const m = matchOption(index, input.text, strict);
    const v = verdict(m);
    if (!m || !v) return retry();
    if (v === 'confirm') return { kind: 'confirm', value: CHECKLIST_CONTINUE, label: CONTINUE_LABEL, choices: CHECKLIST_CHOICES };
    // The lexicon's own words ("ok", "c'est bon") name the button itself: nothing to echo.
    return m.how === 'exact' ? { kind: 'next', next: node.next } : { kind: 'next', next: node.next, understood: CONTINUE_LABEL };
  },
};

/** `input`: a typed free answer (postcode, commune, date, number, yes/no, short text), validated. */
import { resolveText } from '../resolveText';
import type { Choice, Message, Output } from '../types';
import { readYesNo, validateInput } from '../validate';
import { say, type NodeHandler } from './context';

/** Buttons offered for yes/no inputs (the stored value is a boolean). */
export const YESNO_CHOICES: Choice[] = [
  { label: { key: 'engine:yes' }, value: 'yes' },
  { label: { key: 'engine:no' }, value: 'no' },
];

export const inputHandler: NodeHandler<'input'> = {
  present(node, ctx) {
    const out: Output[] = [say(resolveText(node.text, ctx.lang))];
    if (node.type === 'yesno') out.push({ kind: 'choices', choices: YESNO_CHOICES });
    return out;
  },
  answer(node, ctx, input, strict) {
    // Free text and commune names accept almost anything: let global intents ("aide") win first.
    if (strict && (node.type === 'text' || node.type === 'commune') && input.kind === 'text') return { kind: 'unmatched' };
    if (node.type === 'yesno' && input.kind === 'text') {
      const r = readYesNo(input.text, ctx.lexicon);
      if (r && r.how !== 'negated') {
        const next = { kind: 'next', next: node.next, answer: { name: node.name, value: r.value } } as const;
        // "ouais" is a yes word; "oui bien sûr" is a sentence: say it was read as "Oui".
        return r.how === 'exact' ? next : { ...next, understood: { key: r.value ? 'engine:yes' : 'engine:no' } };
      }
      // "Je ne l'ai pas demandé": no yes/no word, but negated. Probably no; ask (no and yes are the
      // question's own buttons, so the confirmation shows only those).
      if (r && !strict) return { kind: 'confirm', value: 'no', label: { key: 'engine:no' }, choices: [] };
    }
    const text = input.kind === 'choice' ? input.value : input.text;
    const value = validateInput(node.type as 'text', text, ctx.lexicon, { min: node.min, max: node.max });
    if (value !== undefined) return { kind: 'next', next: node.next, answer: { name: node.name, value } };
    if (strict) return { kind: 'unmatched' };
    let message: Message;
    if (node.retry) message = { text: resolveText(node.retry, ctx.lang) };
    else if (node.type === 'number' && node.min !== undefined && node.max !== undefined) message = { key: 'engine:retry.numberRange', params: { min: node.min, max: node.max } };
    else message = { key: `engine:retry.${node.type}` };
    return node.type === 'yesno' ? { kind: 'retry', message, choices: YESNO_CHOICES } : { kind: 'retry', message };
  },
};

/** The handler of each node kind (one file per kind). */
import type { NodeKind } from '../../flow';
import { branchHandler } from './branch';
import { checklistHandler } from './checklist';
import type { NodeHandler } from './context';
import { endHandler } from './end';
import { handoffHandler } from './handoff';
import { inputHandler } from './input';
import { questionHandler } from './question';
import { stepHandler } from './step';

export const HANDLERS: { [K in NodeKind]: NodeHandler<K> } = {
  question: questionHandler,
  input: inputHandler,
  step: stepHandler,
  checklist: checklistHandler,
  branch: branchHandler,
  end: endHandler,
  handoff: handoffHandler,
};

/** Kinds that wait for the person's reply (and are kept in the history for "back"). */
export const WAITING_KINDS: ReadonlySet<NodeKind> = new Set(['question', 'input', 'step', 'checklist']);

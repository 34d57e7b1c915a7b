/**
 * What every node handler receives and returns. Handlers are small pure functions: `present` says
 * what to show when the node is reached, `answer` interprets one reply. Moving between nodes,
 * history, failures and global intents are the dispatcher's job (`../step.ts`).
 */
import type { Flow, FlowNode, NodeKind, NodeOf } from '../../flow';
import { CONFIDENCE, type OptionMatch } from '../match';
import type { AnswerValue, Choice, ConversationState, Lang, Lexicon, Message, MessageParam, Output } from '../types';

/** The turn's surroundings, read-only for handlers. */
export interface NodeContext {
  flow: Flow;
  nodeId: string;
  state: ConversationState;
  lang: Lang;
  /** Generic words for `lang` (merged with French and English). */
  lexicon: Lexicon;
}

/** A reply a handler can interpret: typed text or a button's value. */
export type AnswerInput = { kind: 'text'; text: string } | { kind: 'choice'; value: string };

/**
 * The outcome of one reply. A bad reply is a value (`retry`), never an exception.
 * - `next`: move on; `understood` is the answer's label to echo first ("J'ai compris : …") when
 *   the person typed something other than that label.
 * - `confirm`: the typed answer probably means `label` (button value `value`), but not surely: ask
 *   "Vous voulez dire : … ?" with yes / no and the node's `choices` again.
 */
export type AnswerResult =
  | { kind: 'next'; next: string; answer?: { name: string; value: AnswerValue }; understood?: Message; read?: Pick<OptionMatch, 'how' | 'phrase'> & { side?: 'yes' | 'no' } }
  | { kind: 'confirm'; value: string; label: Message; choices: Choice[] }
  | { kind: 'retry'; message: Message; choices?: Choice[] }
  | { kind: 'stuck' }
  | { kind: 'unmatched' };

/** A node kind's behaviour. `answer` is absent for kinds that never wait (branch, end, handoff). */
export interface NodeHandler<K extends NodeKind> {
  present(node: NodeOf<K>, ctx: NodeContext): Output[];
  /**
   * Interprets a reply. With `strict`, returns `unmatched` unless the reply is surely an answer
   * (button value, exact label, number, valid typed value), so global intents can be checked next.
   */
  answer?(node: NodeOf<K>, ctx: NodeContext, input: AnswerInput, strict: boolean): AnswerResult;
}

/** Narrowing helper for the dispatcher. */
export type AnyNode = FlowNode;

/** Shorthand for a message made of flow text already in the right language. */
export const say = (text: string): Output => ({ kind: 'say', message: { text } });

/** Shorthand for a generic message key (namespace `engine`). */
export const sayKey = (key: string, params?: Record<string, MessageParam>): Output => ({
  kind: 'say',
  message: params ? { key, params } : { key },
});

/**
 * What a handler does with a typed answer matched as `m` (see `CONFIDENCE`): `moveOn` (echoing the
 * label unless it was typed), `confirm`, or `undefined` (not understood).
 */
export function verdict(m: OptionMatch | undefined): 'moveOn' | 'confirm' | undefined {
  if (!m || m.confidence < CONFIDENCE.ask) return undefined;
  return m.confidence >= CONFIDENCE.moveOn ? 'moveOn' : 'confirm';
}

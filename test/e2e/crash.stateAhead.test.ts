/**
 * Found by crash.load.test.ts (kill -9 under load), reproduced here deterministically in-process: a
 * crash in the middle of storing a turn.
 *
 * The channel used to store the person's message, then the bot's new state, then the replies, in
 * three commits: a crash between the state and the replies left the answer applied with no reply,
 * and the retry applied it a second time. A turn is now one transaction (`Store.commitTurn`: the
 * message, the state and the replies): a process that dies while storing it leaves nothing of it,
 * the client retries its unacknowledged POST (same `clientActivityID`), and the restarted process
 * runs the turn once, from the state before it. The answer is applied once and the person gets
 * exactly the replies they missed.
 */
import pino from 'pino';
import { ArianeBot, DirectLineChannel, TokenService } from '../../src/bot';
import { translate } from '../../src/i18n';
import { MemoryStore, type Turn } from '../../src/store';
import { projectCatalog, realEngine, SENTENCES } from '../bot/botHarness';
import { expectedTranscript, signature, stepActivity, type Step } from './loadSupport';

test('a retried message whose state was saved but whose replies were lost by a crash is applied once', async () => {
  let now = Date.parse('2026-01-05T10:00:00Z');
  const store = new MemoryStore();
  const logger = pino({ level: 'silent' });
  const tokens = new TokenService('k'.repeat(32), 600, () => now);
  const instance = (commitTurn: (turn: Turn) => Promise<Awaited<ReturnType<MemoryStore['commitTurn']>>>) => {
    const bot = new ArianeBot({ engine: realEngine, catalog: projectCatalog, kv: store.kv, translate, logger, languages: ['fr'] });
    return new DirectLineChannel({ log: store.log, commitTurn, bot, tokens, logger, now: () => now });
  };

  // The first process: once `dying`, it dies while storing a turn (nothing of the turn is written).
  let dying = false;
  let died: () => void = () => undefined;
  const diedStoring = new Promise<void>((resolve) => (died = resolve));
  const first = instance((turn) => {
    if (dying) {
      died();
      return new Promise(() => undefined);
    }
    return store.commitTurn(turn);
  });

  const script: Step[] = [{ text: SENTENCES['caf-attestation']! }, { text: 'oui' }, { text: 'paiement' }];
  const expected = await expectedTranscript(script);

  const started = await first.startConversation(undefined, { locale: 'fr-FR' });
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  const auth = `Bearer ${token}`;
  expect((await first.postActivity(auth, conversationId, stepActivity(script[0]!, 'c0'))).status).toBe(200);

  // The second answer: the process dies while storing its turn.
  dying = true;
  void first.postActivity(auth, conversationId, stepActivity(script[1]!, 'c1'));
  await diedStoring;

  // The restarted process, later; the client retries its unacknowledged POST.
  now += 10_000;
  const second = instance((turn) => store.commitTurn(turn));
  const retry = await second.postActivity(auth, conversationId, stepActivity(script[1]!, 'c1'));
  expect(retry.status).toBe(200);
  const id = (retry.body as { id: string }).id;
  const { activities } = await store.log.list(conversationId, undefined);
  const replies = activities.filter((a) => a.activity.replyToId === id).map((a) => signature(a.activity));
  // Once: "Quelle attestation vous faut-il ?" (today: "Je n'ai pas compris", the answer "oui" read
  // a second time, against the question that follows).
  expect(replies).toEqual(expected.replies[1]);
});

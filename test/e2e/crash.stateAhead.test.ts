/**
 * Found by crash.load.test.ts (kill -9 under load), reproduced here deterministically in-process: a
 * crash that falls between the commit of a turn's state and the append of its replies.
 *
 * What happens: the channel stores the person's message, then the bot saves the new conversation
 * state (conditional write), then appends the replies. A crash between the last two leaves the
 * message stored, the state advanced, and no reply. The client never got its POST acknowledged, so
 * it retries (same `clientActivityID`); once the message is `UNANSWERED_AFTER_MS` old, the channel
 * sees "stored, no reply" and runs the turn again. The saved state records which activity produced
 * it and the state before it (src/bot/ArianeBot.ts, `StoredState.last`), so the bot replays the turn
 * from that state: the answer is applied once and the person gets exactly the replies they missed.
 * (Before that fix the answer was applied twice: the person skipped a question they never saw.)
 */
import pino from 'pino';
import { ArianeBot, DirectLineChannel, TokenService } from '../../src/bot';
import { translate } from '../../src/i18n';
import { MemoryStore, type ConversationLog } from '../../src/store';
import { projectCatalog, realEngine, SENTENCES } from '../bot/botHarness';
import { expectedTranscript, signature, stepActivity, type Step } from './loadSupport';

test('a retried message whose state was saved but whose replies were lost by a crash is applied once', async () => {
  let now = Date.parse('2026-01-05T10:00:00Z');
  const store = new MemoryStore();
  const logger = pino({ level: 'silent' });
  const tokens = new TokenService('k'.repeat(32), 600, () => now);
  const instance = (log: ConversationLog) => {
    const bot = new ArianeBot({ engine: realEngine, catalog: projectCatalog, kv: store.kv, translate, logger, languages: ['fr'] });
    return new DirectLineChannel({ log, bot, tokens, logger, now: () => now });
  };

  // The first process: once `dying`, the bot's replies never reach the store (it dies appending them).
  let dying = false;
  let died: () => void = () => undefined;
  const diedAppending = new Promise<void>((resolve) => (died = resolve));
  const first = instance({
    createConversation: (r) => store.log.createConversation(r),
    getConversation: (id) => store.log.getConversation(id),
    list: (id, after, limit) => store.log.list(id, after, limit),
    append: (id, activity, clientId) => {
      if (dying && (activity.from as { role?: string } | undefined)?.role === 'bot') {
        died();
        return new Promise(() => undefined);
      }
      return store.log.append(id, activity, clientId);
    },
  });

  const script: Step[] = [{ text: SENTENCES['caf-attestation']! }, { text: 'oui' }, { text: 'paiement' }];
  const expected = await expectedTranscript(script);

  const started = await first.startConversation(undefined, { locale: 'fr-FR' });
  const { conversationId, token } = started.body as { conversationId: string; token: string };
  const auth = `Bearer ${token}`;
  expect((await first.postActivity(auth, conversationId, stepActivity(script[0]!, 'c0'))).status).toBe(200);

  // The second answer: state saved, then the process dies while appending the replies.
  dying = true;
  void first.postActivity(auth, conversationId, stepActivity(script[1]!, 'c1'));
  await diedAppending;

  // The restarted process, later; the client retries its unacknowledged POST.
  now += 10_000;
  const second = instance(store.log);
  const retry = await second.postActivity(auth, conversationId, stepActivity(script[1]!, 'c1'));
  expect(retry.status).toBe(200);
  const id = (retry.body as { id: string }).id;
  const { activities } = await store.log.list(conversationId, undefined);
  const replies = activities.filter((a) => a.activity.replyToId === id).map((a) => signature(a.activity));
  // Once: "Quelle attestation vous faut-il ?" (today: "Je n'ai pas compris", the answer "oui" read
  // a second time, against the question that follows).
  expect(replies).toEqual(expected.replies[1]);
});

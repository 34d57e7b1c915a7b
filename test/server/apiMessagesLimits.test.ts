/**
 * `/api/messages` abuse limits on the real service (anonymous, no app id), configured by the same
 * variables as Direct Line's: activities per conversation per minute, and new conversations per IP
 * address per minute; beyond them 429 with `Retry-After` and the JSON error shape, and the bot does
 * not run.
 */
import { http } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(30_000);

describe('/api/messages limits', () => {
  let service: Awaited<ReturnType<typeof startInProcess>>;
  beforeAll(async () => {
    service = await startInProcess({ ARIANE_MAX_ACTIVITIES_PER_MINUTE: '3', ARIANE_MAX_CONVERSATIONS_PER_IP_PER_MINUTE: '2' });
  });
  afterAll(async () => service.cleanup());

  const post = (conversationId: string, text: string, extra: Record<string, unknown> = {}) =>
    http('POST', `${service.url}/api/messages`, {
      body: {
        type: 'message',
        channelId: 'emulator',
        from: { id: 'user-1' },
        recipient: { id: 'bot' },
        conversation: { id: conversationId },
        text,
        locale: 'fr-FR',
        deliveryMode: 'expectReplies',
        ...extra,
      },
    });
  const texts = (r: { body: { activities?: Array<{ text?: string }> } }) => (r.body.activities ?? []).map((a) => a.text).join('\n');

  test('activities per conversation, then new conversations per address', async () => {
    // Three messages a minute in one conversation: the fourth waits, and the bot does not run it.
    const first = await post('limit-a', 'attestation caf');
    expect(first.status).toBe(200);
    expect(texts(first)).toContain('Attestation CAF');
    expect((await post('limit-a', 'oui')).status).toBe(200);
    expect((await post('limit-a', 'paiement')).status).toBe(200);
    const limited = await post('limit-a', 'oui');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The limiter estimates a sliding minute from two fixed ones: at most two windows to wait.
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(120);
    expect(limited.body).toEqual({ error: { code: 'TooManyRequests', message: expect.any(String) } });
    // A malformed request is still told what is wrong (400), not to wait.
    expect((await post('limit-a', 'x', { from: 'nobody' })).status).toBe(400);
    // Typing indicators are free (they run no engine turn).
    expect((await post('limit-a', '', { type: 'typing', text: undefined })).status).not.toBe(429);

    // The limit is per conversation: another one answers, at the step the answers say.
    const other = await post('limit-b', 'attestation caf');
    expect(other.status).toBe(200);
    expect(texts(other)).toContain('Attestation CAF');

    // A third new conversation from the same address within the minute is refused…
    const third = await post('limit-c', 'attestation caf');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(third.body.error.code).toBe('TooManyRequests');
    // …while the conversations already open go on: the state of limit-b advanced ("oui" → next question).
    const more = await post('limit-b', 'oui');
    expect(more.status).toBe(200);
    expect(texts(more)).toMatch(/Quelle attestation/);
  });
});

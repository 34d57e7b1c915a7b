/**
 * Issue 17 item 3: whose conversation an `/api/messages` turn may drive. Its caller chooses the
 * activity's `channelId` and `conversation.id`; our Direct Line conversations must stay reachable
 * through their Direct Line tokens only, so an anonymous turn naming one gets a conversation of its
 * own and leaves the resident's untouched.
 */
import { http } from '../e2e/support';
import { startInProcess } from './serviceHarness';

jest.setTimeout(30_000);

test('anonymous /api/messages naming a Direct Line conversation (channelId "directline", its id) cannot drive it', async () => {
  const service = await startInProcess();
  try {
    const dl = (path: string) => `${service.url}/v3/directline${path}`;
    const start = await http('POST', dl('/conversations'), {});
    expect(start.status).toBe(201);
    const { conversationId, token } = start.body as { conversationId: string; token: string };
    const said = await http('POST', dl(`/conversations/${conversationId}/activities`), { token, body: { type: 'message', from: { id: 'resident' }, text: 'attestation caf' } });
    expect(said.status).toBe(200);
    const key = `state/directline/${conversationId}`;
    const stateBefore = (await service.store.kv.get([key]))[key];
    expect(stateBefore?.value).toMatchObject({ state: { flowId: 'caf-attestation' } });
    const logBefore = await service.store.log.list(conversationId, undefined);

    // The local « Emulator » (anonymous, from this machine) posing as the Direct Line channel.
    const posed = await http('POST', `${service.url}/api/messages`, {
      body: {
        type: 'message',
        id: 'x1',
        channelId: 'directline',
        deliveryMode: 'expectReplies',
        from: { id: 'resident' },
        recipient: { id: 'bot' },
        conversation: { id: conversationId },
        text: 'recommencer',
        locale: 'fr-FR',
      },
    });
    expect(posed.status).toBe(200);
    // Answered as a conversation of its own, at its start: the welcome.
    expect((posed.body as { activities: Array<{ text?: string }> }).activities[0]?.text).toMatch(/^Bonjour, quelle démarche/);

    expect((await service.store.kv.get([key]))[key]).toEqual(stateBefore);
    expect(await service.store.log.list(conversationId, undefined)).toEqual(logBefore);
    const keys = (await service.store.kv.scan('state/')).map((i) => i.key).sort();
    expect(keys).toEqual([`state/anonymous/directline/${conversationId}`, key]);

    // The resident goes on where they were.
    const next = await http('POST', dl(`/conversations/${conversationId}/activities`), { token, body: { type: 'message', from: { id: 'resident' }, text: 'oui' } });
    expect(next.status).toBe(200);
    expect((await service.store.kv.get([key]))[key]?.value).toMatchObject({ state: { flowId: 'caf-attestation' } });
  } finally {
    await service.cleanup();
  }
});

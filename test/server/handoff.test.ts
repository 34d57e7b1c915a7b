/** A person asks for help over Direct Line: the reply gives a code that opens the stored summary. */
import { readHandoff } from '../../src/handoff';
import { http } from '../e2e/support';
import { startInProcess } from './serviceHarness';

test('handoff over Direct Line: code shown, summary stored for the mediator', async () => {
  const service = await startInProcess();
  try {
    const start = await http('POST', `${service.url}/v3/directline/conversations`, {});
    const { conversationId, token } = start.body as { conversationId: string; token: string };
    const post = (text: string) => http('POST', `${service.url}/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text } });
    await post('attestation caf');
    await post('oui');
    await post('aide');
    const list = await http('GET', `${service.url}/v3/directline/conversations/${conversationId}/activities`, { token });
    const event = (list.body.activities as Array<{ type: string; name?: string; value?: { code?: string } }>).find((a) => a.type === 'event' && a.name === 'handoff.initiate')!;
    const code = event.value!.code!;
    expect(code).toEqual(expect.any(String));
    expect(JSON.stringify(list.body.activities)).toContain(code);
    const summary = await readHandoff(service.store.kv, code, new Date());
    expect(summary).toMatchObject({ flow: { id: 'caf-attestation' }, reason: 'asked', lang: 'fr' });
    expect(summary!.answers.length).toBeGreaterThan(0);
  } finally {
    await service.cleanup();
  }
});

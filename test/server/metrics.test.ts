/** `GET /metrics`: turns, latency, escalations, store latency, responses — and no personal data. */
import { http } from '../e2e/support';
import { startInProcess } from './serviceHarness';

test('metrics count turns and escalations without any text or identifier', async () => {
  const service = await startInProcess();
  try {
    const start = await http('POST', `${service.url}/v3/directline/conversations`, {});
    const { conversationId, token } = start.body as { conversationId: string; token: string };
    const post = (text: string) => http('POST', `${service.url}/v3/directline/conversations/${conversationId}/activities`, { token, body: { type: 'message', text } });
    await post('attestation caf mon mail est jean@example.com');
    await post('aide');
    const m = await http('GET', `${service.url}/metrics`);
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/text\/plain/);
    const text = m.body as string;
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
    expect(value(/^ariane_turns_total\{channel="directline"\} (\d+)/m)).toBe(3);
    expect(value(/^ariane_escalations_total\{reason="asked"\} (\d+)/m)).toBe(1);
    expect(text).toMatch(/^ariane_turn_duration_seconds_bucket\{le="0.1",channel="directline"\} \d+/m);
    expect(text).toMatch(/^ariane_store_operation_seconds_count\{op="commitTurn"\} \d+/m);
    expect(text).toMatch(/^ariane_http_responses_total\{route="\/v3\/directline\/conversations\/:id\/activities",status="2xx"\} 2/m);
    expect(text).not.toContain(conversationId);
    expect(text).not.toContain('jean');
    expect(text).not.toContain('attestation');
  } finally {
    await service.cleanup();
  }
});

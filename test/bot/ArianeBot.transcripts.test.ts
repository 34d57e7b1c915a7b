/**
 * Transcripts of the three core procedures through the real bot (flows, engine, translations) on a
 * botbuilder TestAdapter: welcome → a procedure named in a sentence → answers (typed, and clicked as
 * button values) → the end and what comes next; and a stuck path that ends in a Bot Framework
 * handoff event. The answers come from each flow's own scenario file, so the transcripts follow the
 * flows as their authors change them.
 */
import { ActivityTypes, HandoffEventNames, type Activity } from 'botbuilder';
import { translate } from '../../src/i18n';
import { SENTENCES, buttonValues, makeHarness, scenarioOf, texts, type Harness, type ScenarioAnswer } from './botHarness';

async function play(h: Harness, answers: ScenarioAnswer[]) {
  const all: Array<Partial<Activity>> = [];
  let last: Array<Partial<Activity>> = [];
  for (const a of answers) {
    last = typeof a === 'object' ? await h.click(a.choice) : await h.turn(String(a));
    all.push(...last);
  }
  return { all, last };
}

async function storedState(h: Harness) {
  const items = await h.store.kv.scan<{ state: { status: string; flowId?: string; nodeId?: string } }>('state/');
  expect(items).toHaveLength(1);
  return items[0]!.value.state;
}

const endLine = translate({ key: 'bot:end' }, 'fr');
const FLOWS = ['caf-attestation', 'prefecture-rendez-vous', 'france-travail-inscription'];

describe('ArianeBot transcripts (fr)', () => {
  test('welcome: one sentence, the most asked procedures as buttons, in French by default', async () => {
    const h = makeHarness();
    const welcome = await h.join();
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.text).toMatch(/^Bonjour/);
    expect(welcome[0]!.locale).toBe('fr');
    expect(buttonValues(welcome)).toEqual(expect.arrayContaining(FLOWS.map((f) => `flow:${f}`)));
    // Buttons show a label but send the stable value back.
    const action = welcome[0]!.suggestedActions!.actions[0]!;
    expect(action.type).toBe('messageBack');
    expect(action.displayText).toBe(action.title);
  });

  describe.each(FLOWS)('%s', (flowId) => {
    test('sentence → answers → end, with what happens next', async () => {
      const scenario = scenarioOf(flowId, 'end');
      const h = makeHarness();
      await h.join('fr-FR');
      const picked = await h.turn(SENTENCES[flowId]!);
      expect(await storedState(h)).toMatchObject({ flowId, status: 'active' });
      expect(buttonValues(picked).length).toBeGreaterThan(0);
      const { all, last } = await play(h, scenario.answers);
      expect(last[last.length - 1]!.text).toBe(endLine);
      expect(await storedState(h)).toMatchObject({ status: 'ended', flowId, nodeId: scenario.end });
      // Every button of the transcript carries a stable value.
      for (const a of all.flatMap((x) => x.suggestedActions?.actions ?? [])) expect(a.value).toEqual({ choice: expect.any(String) });
      // Links are cards with an "Ouvrir" button that opens the official page.
      for (const card of all.flatMap((x) => x.attachments ?? []).filter((c) => c.contentType === 'application/vnd.microsoft.card.hero')) {
        const button = (card.content as { buttons: Array<{ type: string; title: string; value: string }> }).buttons[0]!;
        expect(button).toMatchObject({ type: 'openUrl', title: translate({ key: 'bot:open' }, 'fr') });
        expect(button.value).toMatch(/^https?:\/\//);
      }
    });

    test('stuck path → kind message and a handoff.initiate event with context', async () => {
      const scenario = scenarioOf(flowId, 'handoff');
      const h = makeHarness();
      await h.join();
      await h.turn(SENTENCES[flowId]!);
      const { last } = await play(h, scenario.answers);
      const event = last.find((a) => a.type === ActivityTypes.Event)!;
      expect(event.name).toBe(HandoffEventNames.InitiateHandoff);
      expect(event.value).toMatchObject({ flowId, lang: 'fr' });
      expect(['stuck', 'node', 'failures', 'asked']).toContain((event.value as { reason: string }).reason);
      expect((event.value as { support: { services: string[] } }).support.services.length).toBeGreaterThan(0);
      expect(texts(last)).toContain(translate({ key: 'bot:handoff' }, 'fr'));
      expect((await storedState(h)).status).toBe('handoff');
    });
  });

  test('a step shows its link as a card and "done / cannot" buttons; a checklist is a readable list', async () => {
    const h = makeHarness();
    await h.join();
    await h.turn(SENTENCES['caf-attestation']!);
    const { all } = await play(h, scenarioOf('caf-attestation', 'end').answers);
    expect(all.some((a) => a.attachments?.some((c) => c.contentType === 'application/vnd.microsoft.card.hero'))).toBe(true);
    expect(all.some((a) => a.suggestedActions?.actions.some((x) => (x.value as { choice: string }).choice === 'cannot'))).toBe(true);
    const list = all.find((a) => a.textFormat === 'markdown');
    expect(list?.text).toMatch(/^- .+\n- /);
  });

  test('language from the activity locale, then changed in the conversation', async () => {
    const h = makeHarness();
    const welcome = await h.join('en-US');
    expect(welcome[0]!.locale).toBe('en');
    expect(welcome[0]!.text).not.toMatch(/^Bonjour/);
    const switched = await h.turn('français');
    expect(switched[0]!.locale).toBe('fr');
    expect(texts(switched)).toMatch(/français/);
  });

  test('an unknown locale falls back to French', async () => {
    const h = makeHarness();
    const welcome = await h.join('xx-YY');
    expect(welcome[0]!.text).toMatch(/^Bonjour/);
  });
});

describe('handoff summary', () => {
  test('the code of the summary is shown to the person and carried by the handoff event', async () => {
    const calls: Array<{ reason: string; flowId?: string; status: string }> = [];
    const h = makeHarness({
      summarize: ({ state, output }) => {
        calls.push({ reason: output.reason, flowId: output.flowId, status: state.status });
        return { code: 'K7P-4QX', summary: { code: 'K7P-4QX' }, write: { key: 'handoff:K7P-4QX', value: { code: 'K7P-4QX' } } };
      },
    });
    await h.join();
    await h.turn('attestation caf');
    const last = await h.turn('je veux parler à quelqu’un');
    expect(calls).toEqual([{ reason: 'asked', flowId: 'caf-attestation', status: 'handoff' }]);
    expect(texts(last)).toContain(translate({ key: 'bot:handoffCode', params: { code: 'K7P-4QX' } }, 'fr'));
    expect(last.find((a) => a.type === ActivityTypes.Event)!.value).toMatchObject({ code: 'K7P-4QX' });
  });

  test('a failing summary draft still gives the handoff message, without a code', async () => {
    const h = makeHarness({
      summarize: () => {
        throw new Error('no code');
      },
    });
    await h.join();
    await h.turn('attestation caf');
    const last = await h.turn('aide');
    expect(texts(last)).toContain(translate({ key: 'bot:handoff' }, 'fr'));
    expect((last.find((a) => a.type === ActivityTypes.Event)!.value as { code?: string }).code).toBeUndefined();
  });
});

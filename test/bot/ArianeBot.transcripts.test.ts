/**
 * Transcripts of the three core procedures through the real bot (flows, engine, translations) on a
 * botbuilder TestAdapter: welcome → a procedure named in a sentence → answers (typed and clicked) →
 * the end and what comes next; and a stuck path that ends in a Bot Framework handoff event.
 */
import { ActivityTypes, HandoffEventNames } from 'botbuilder';
import { translate } from '../../src/i18n';
import { buttonValues, makeHarness, texts, type Harness } from './botHarness';

type Answer = string | { click: string };

async function play(h: Harness, answers: Answer[]) {
  let last: Awaited<ReturnType<Harness['turn']>> = [];
  for (const a of answers) last = typeof a === 'string' ? await h.turn(a) : await h.click(a.click);
  return last;
}

async function storedState(h: Harness) {
  const items = await h.store.kv.scan<{ state: { status: string; flowId?: string; nodeId?: string } }>('state/');
  expect(items).toHaveLength(1);
  return items[0]!.value.state;
}

const endLine = translate({ key: 'bot:end' }, 'fr');

describe('ArianeBot transcripts (fr)', () => {
  test('welcome: one sentence, the most asked procedures as buttons, in French by default', async () => {
    const h = makeHarness();
    const welcome = await h.join();
    expect(welcome).toHaveLength(1);
    expect(welcome[0]!.text).toMatch(/^Bonjour/);
    expect(welcome[0]!.locale).toBe('fr');
    expect(buttonValues(welcome)).toEqual(expect.arrayContaining(['flow:caf-attestation', 'flow:prefecture-rendez-vous', 'flow:france-travail-inscription']));
    // Buttons show a label but send the stable value back.
    const action = welcome[0]!.suggestedActions!.actions[0]!;
    expect(action.type).toBe('messageBack');
    expect(action.displayText).toBe(action.title);
  });

  test('CAF attestation: sentence → typed and clicked answers → end with what happens next', async () => {
    const h = makeHarness();
    await h.join('fr-FR');
    const picked = await h.turn('je voudrais mon attestation de la caf');
    expect(texts(picked)).toContain('Attestation CAF');
    expect(buttonValues(picked)).toEqual(['oui', 'non']);
    const step = await play(h, ['ouais', 'paiement', 'oui', '1', "j'ai deja un compte"]);
    // A step: its text, a link card with an "Ouvrir" openUrl button, and done/cannot buttons.
    const card = step.find((a) => a.attachments?.length)!.attachments![0]!;
    expect(card.contentType).toBe('application/vnd.microsoft.card.hero');
    expect((card.content as { buttons: Array<{ type: string; title: string; value: string }> }).buttons[0]).toEqual({ type: 'openUrl', title: 'Ouvrir', value: 'https://www.caf.fr/' });
    expect(buttonValues(step)).toEqual(['done', 'cannot']);
    const end = await play(h, [{ click: 'done' }, { click: 'done' }, { click: 'done' }]);
    expect(texts(end)).toMatch(/Bravo/);
    expect(texts(end)).toMatch(/Ensuite/);
    expect(end[end.length - 1]!.text).toBe(endLine);
    expect(await storedState(h)).toMatchObject({ status: 'ended', flowId: 'caf-attestation', nodeId: 'paiement-telecharge' });
  });

  test('Préfecture: sentence → checklist as a readable list → end', async () => {
    const h = makeHarness();
    await h.join();
    const picked = await h.turn("il me faut un rendez-vous à la préfecture pour ma carte d'identité");
    expect(texts(picked)).toContain('Rendez-vous en préfecture');
    const checklist = await h.turn("carte d'identite");
    const list = checklist.find((a) => a.textFormat === 'markdown')!;
    expect(list.text).toMatch(/^- Une photo d'identité.*\n- Un justificatif/);
    const end = await play(h, [{ click: 'continue' }, { click: 'done' }, { click: 'done' }]);
    expect(end[end.length - 1]!.text).toBe(endLine);
    expect(await storedState(h)).toMatchObject({ status: 'ended', flowId: 'prefecture-rendez-vous', nodeId: 'identite-rdv-pris' });
  });

  test('France Travail: sentence → yes/no typed → end', async () => {
    const h = makeHarness();
    await h.join();
    const picked = await h.turn("je veux m'inscrire à France Travail");
    expect(texts(picked)).toContain('France Travail');
    const end = await play(h, ["m'inscrire", 'non', 'non', { click: 'continue' }, { click: 'done' }, { click: 'done' }]);
    expect(texts(end)).toMatch(/inscription à France Travail est faite/);
    expect(await storedState(h)).toMatchObject({ status: 'ended', flowId: 'france-travail-inscription', nodeId: 'inscription-terminee' });
  });

  test('stuck path: "je n’y arrive pas" twice → kind message and a handoff.initiate event with context', async () => {
    const h = makeHarness();
    await h.join();
    await h.turn('attestation caf');
    const last = await play(h, ['oui', 'paiement', 'oui', '1', 'oui', { click: 'cannot' }, "je n'y arrive pas"]);
    const event = last.find((a) => a.type === ActivityTypes.Event)!;
    expect(event.name).toBe(HandoffEventNames.InitiateHandoff);
    expect(event.value).toMatchObject({ flowId: 'caf-attestation', lang: 'fr' });
    expect(['stuck', 'node', 'failures']).toContain((event.value as { reason: string }).reason);
    expect((event.value as { support: { services: string[] } }).support.services.length).toBeGreaterThan(0);
    expect(texts(last)).toContain(translate({ key: 'bot:handoff' }, 'fr'));
    expect((await storedState(h)).status).toBe('handoff');
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
      createHandoff: async ({ state, output }) => {
        calls.push({ reason: output.reason, flowId: output.flowId, status: state.status });
        return { code: 'K7P-4QX' };
      },
    });
    await h.join();
    await h.turn('attestation caf');
    const last = await h.turn('je veux parler à quelqu’un');
    expect(calls).toEqual([{ reason: 'asked', flowId: 'caf-attestation', status: 'handoff' }]);
    expect(texts(last)).toContain(translate({ key: 'bot:handoffCode', params: { code: 'K7P-4QX' } }, 'fr'));
    expect(texts(last)).toContain('K7P-4QX');
    expect(last.find((a) => a.type === ActivityTypes.Event)!.value).toMatchObject({ code: 'K7P-4QX' });
  });

  test('a failing summary store still gives the handoff message, without a code', async () => {
    const h = makeHarness({
      createHandoff: async () => {
        throw new Error('store down');
      },
    });
    await h.join();
    await h.turn('attestation caf');
    const last = await h.turn('aide');
    expect(texts(last)).toContain(translate({ key: 'bot:handoff' }, 'fr'));
    expect((last.find((a) => a.type === ActivityTypes.Event)!.value as { code?: string }).code).toBeUndefined();
  });
});

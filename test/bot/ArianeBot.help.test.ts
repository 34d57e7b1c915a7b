/**
 * Stuck → human, through the real bot (flows, engine, translations, geocoder) on a TestAdapter: the
 * bot asks where the person is, shows the three best help places of a small fixture directory as
 * hero cards with call / book / e-mail / map buttons, handles typos, homonyms and unknown places,
 * does not ask again what it already knows, gives a handoff code a mediator can read, and lets the
 * person continue alone at the question where they stopped.
 *
 * The places are fictional fixtures written here (real data is never copied into the project),
 * placed around Pipriac (35550) and Châteauroux, at a fixed instant (Tuesday 10 March 2026, 10:00 in
 * Paris) so that opening statuses are known.
 */
import { ActivityTypes, HandoffEventNames, type Activity, type Attachment } from 'botbuilder';
import { buildHandoffSummary, handoffWrite, newHandoffCode, readHandoff } from '../../src/handoff';
import { translate } from '../../src/i18n';
import { HelpPlaces, placeKey, type Place } from '../../src/places';
import { MemoryStore } from '../../src/store';
import { join } from 'node:path';
import { buildCatalog, type Catalog } from '../../src/engine';
import { CONTINUE_VALUE, WHERE_PREFIX } from '../../src/engine/helpDialogue';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons } from '../../src/i18n';
import { buttonValues, makeHarness, scenarioOf, texts, type Harness } from './botHarness';

const NOW = new Date('2026-03-10T09:00:00Z');
const DEMARCHES = 'Aide aux démarches administratives' as const;

function place(p: Partial<Place> & Pick<Place, 'id' | 'nom' | 'commune' | 'code_postal' | 'latitude' | 'longitude'>): Place {
  return { pivot: '00000000000000', adresse: '1 rue de l’Exemple', date_maj: '2026-01-01', services: [DEMARCHES], ...p };
}

/** Fictional places: three helping with procedures near Pipriac, one that does not, one in Saint-Denis (93), one in Châteauroux. */
const PLACES: Place[] = [
  place({
    id: 'fx-a',
    nom: 'Maison d’aide Exemple A',
    commune: 'Pipriac',
    code_postal: '35550',
    latitude: 47.8095,
    longitude: -1.9465,
    telephone: '+33299000001',
    prise_rdv: 'https://rdv.example.org/a',
    courriels: ['accueil-a@example.org'],
    horaires: 'Mo-Fr 09:00-12:00,13:30-17:00',
    dispositif_programmes_nationaux: ['France Services'],
  }),
  place({ id: 'fx-b', nom: 'Point numérique Exemple B', commune: 'Sixt-sur-Aff', code_postal: '35550', latitude: 47.776, longitude: -2.078, telephone: '+33299000002', horaires: 'quand on peut' }),
  place({ id: 'fx-c', nom: 'Espace Exemple C', commune: 'Redon', code_postal: '35600', latitude: 47.651, longitude: -2.084, horaires: 'Mo 09:00-12:00' }),
  place({ id: 'fx-d', nom: 'Atelier informatique Exemple D', commune: 'Pipriac', code_postal: '35550', latitude: 47.81, longitude: -1.947, services: ['Maîtrise des outils numériques du quotidien'] }),
  place({ id: 'fx-f', nom: 'Centre social Exemple F', commune: 'Saint-Denis', code_postal: '93200', latitude: 48.9362, longitude: 2.3574 }),
  place({ id: 'fx-e', nom: 'Médiathèque Exemple E', commune: 'Châteauroux', code_postal: '36000', latitude: 46.8103, longitude: 1.6913, telephone: '+33254000005', horaires: 'Tu-Sa 10:00-18:00' }),
];

async function helpHarness(catalog?: () => Catalog): Promise<Harness & { kv: MemoryStore['kv'] }> {
  const store = new MemoryStore();
  await store.kv.set(PLACES.map((p) => ({ key: placeKey(p.id), value: p })));
  const places = new HelpPlaces(store.kv, { starters: false });
  const h = makeHarness({
    store,
    engineEnv: async () => ({ findHelp: await places.finder(NOW) }),
    catalog,
    // Summaries expire by the store's clock: created at the real instant, not the fixed one.
    summarize: ({ state, output, catalog }) => {
      const summary = buildHandoffSummary({ flow: output.flowId ? catalog.flows.get(output.flowId) : undefined, state, reason: output.reason, now: new Date() }, newHandoffCode());
      return { code: summary.code, summary, write: handoffWrite(summary) };
    },
  });
  return Object.assign(h, { kv: store.kv });
}

const bot = (key: string, params?: Record<string, string | number>) => translate({ key: `bot:${key}`, params }, 'fr');
/** The help dialogue's sentences are the engine's. */
const helpText = (key: string, params?: Record<string, string | number>) => translate({ key: `engine:help.${key}`, params }, 'fr');

interface Hero {
  title: string;
  subtitle: string;
  text: string;
  buttons: Array<{ type: string; title: string; value: string }>;
}

function heroes(replies: Array<Partial<Activity>>): Hero[] {
  return replies
    .flatMap((a) => a.attachments ?? [])
    .filter((c: Attachment) => c.contentType === 'application/vnd.microsoft.card.hero')
    .map((c) => c.content as Hero);
}

/** The place cards (the organisation's line is a card without a title). */
const cards = (replies: Array<Partial<Activity>>): Hero[] => heroes(replies).filter((c) => c.title);

/** Starts the CAF procedure and answers its first question; the bot then waits on the second. */
async function onSecondQuestion(h: Harness): Promise<Array<Partial<Activity>>> {
  await h.join();
  await h.turn('attestation caf');
  return h.turn('oui');
}

async function storedHelp(h: Harness & { kv: MemoryStore['kv'] }) {
  const [item] = await h.kv.scan<{ state: { status: string; nodeId?: string; help?: { asking?: unknown; where?: { label: string } } } }>('state/');
  return { state: item!.value.state, help: item!.value.state.help };
}

describe('stuck → human help places', () => {
  test('asked for help → where are you? → postcode → three place cards with the right buttons', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    const help = await h.turn('je voudrais parler à un conseiller');
    expect(texts(help)).toContain(bot('handoff'));
    expect(texts(help)).toContain(helpText('where'));
    expect(buttonValues(help)).toEqual([CONTINUE_VALUE]);
    expect(help.some((a) => a.type === ActivityTypes.Event && a.name === HandoffEventNames.InitiateHandoff)).toBe(true);
    // No place yet, but the organisation's own line, for help at a distance.
    expect(cards(help)).toEqual([]);
    expect(texts(help)).toContain('Vous pouvez aussi appeler CAF : 32 30 (Service gratuit + prix d\'un appel)');
    expect(heroes(help).flatMap((c) => c.buttons)).toContainEqual(expect.objectContaining({ type: 'call', value: 'tel:3230' }));
    expect((await storedHelp(h)).help?.asking).toBeDefined();

    const found = await h.turn('35550');
    const shown = cards(found);
    expect(shown.map((c) => c.title)).toEqual(['Maison d’aide Exemple A', 'Point numérique Exemple B', 'Espace Exemple C']);
    const [a, b, c] = shown as [Hero, Hero, Hero];
    // A: phone, appointment, e-mail, map; open now at 10:00 on a Tuesday.
    expect(a.buttons.map((x) => x.type)).toEqual(['call', 'openUrl', 'openUrl', 'openUrl']);
    expect(a.buttons[0]).toMatchObject({ value: 'tel:+33299000001', title: expect.stringContaining('02 99 00 00 01') });
    expect(a.buttons[1]).toMatchObject({ value: 'https://rdv.example.org/a' });
    expect(a.buttons[2]).toMatchObject({ value: 'mailto:accueil-a@example.org' });
    expect(a.buttons[3]!.value).toMatch(/^https:\/\/www\.openstreetmap\.org\/\?mlat=47\.8/);
    // The opening status first, then the phone, the address, and the date of the information.
    expect(a.subtitle).toMatch(/^Ouvert maintenant, jusqu'à 12 h/);
    expect(a.text.split('\n')).toEqual(['Téléphone : 02 99 00 00 01', expect.stringMatching(/^1 rue de l’Exemple, 35550 Pipriac · à /), 'Informations du 1er janvier 2026, vérifiez avant de vous déplacer']);
    // B: phone and map only; unreadable hours are shown, never dropped.
    expect(b.buttons.map((x) => x.type)).toEqual(['call', 'openUrl']);
    expect(b.subtitle).toBe(translate({ key: 'places:status.unknown' }, 'fr'));
    // C: no phone, closed on Tuesday, opens on Monday.
    expect(c.buttons.map((x) => x.type)).toEqual(['openUrl']);
    expect(c.subtitle).toMatch(/lundi à 9 h/);
    expect(c.text).not.toContain('Téléphone');
    expect(texts(found)).toContain(helpText('places', { where: 'Pipriac (35550)' }));
    // The organisation's line again, as the message after the cards, with its call button.
    const cardsAt = found.findIndex((a) => a.attachments?.some((c) => (c.content as Hero).title));
    const lineAt = found.findIndex((a) => a.text?.startsWith('Vous pouvez aussi appeler CAF : 32 30'));
    expect(lineAt).toBe(cardsAt + 1);
    expect(heroes([found[lineAt]!]).flatMap((c) => c.buttons)).toEqual([expect.objectContaining({ type: 'call', value: 'tel:3230' })]);
    expect(buttonValues(found)).toEqual([CONTINUE_VALUE]);
    expect((await storedHelp(h)).help).toEqual({ where: { label: 'Pipriac (35550)', lat: expect.any(Number), lon: expect.any(Number) } });
  });

  test('a commune typed with a typo is found', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    const found = await h.turn('Chateaurou');
    expect(cards(found)[0]!.title).toBe('Médiathèque Exemple E');
    expect(texts(found)).toContain('Châteauroux');
  });

  test('a name several communes share → buttons with the département → the chosen one', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    const which = await h.turn('st denis');
    expect(texts(which)).toContain(helpText('which'));
    const labels = which.flatMap((a) => a.suggestedActions?.actions ?? []).map((x) => x.title);
    expect(labels).toEqual(expect.arrayContaining([expect.stringMatching(/^Saint-Denis \(Seine-Saint-Denis\)$/), expect.stringMatching(/^Saint-Denis \(La Réunion\)$/)]));
    expect(buttonValues(which)).toContain(CONTINUE_VALUE);
    const value = buttonValues(which).find((v) => v.startsWith(WHERE_PREFIX) && v.endsWith(' 93'))!;
    const found = await h.click(value, 'Saint-Denis (Seine-Saint-Denis)');
    expect(texts(found)).toContain(helpText('places', { where: 'Saint-Denis' }));
    expect(cards(found).map((c) => c.title)).toEqual(['Centre social Exemple F']);
  });

  test('the département number typed answers "which one?"', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    await h.turn('st denis');
    const found = await h.turn('93');
    expect(cards(found).map((c) => c.title)).toEqual(['Centre social Exemple F']);
  });

  test('an unknown place → a gentle retry, still waiting for a place', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    const retry = await h.turn('xyzzy plouf');
    expect(texts(retry)).toBe(helpText('notFound'));
    expect(buttonValues(retry)).toEqual([CONTINUE_VALUE]);
    expect((await storedHelp(h)).help?.asking).toBeDefined();
    const found = await h.turn('35550');
    expect(cards(found)).toHaveLength(3);
  });

  test('a place already given in the conversation → no question, places at once', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    await h.turn('35550');
    await h.click(CONTINUE_VALUE, helpText('continue'));
    const again = await h.turn('je n’y arrive pas, je veux un humain');
    expect(texts(again)).not.toContain(helpText('where'));
    expect(cards(again).map((c) => c.title)[0]).toBe('Maison d’aide Exemple A');
  });

  test('a commune the flow already asked for → no question, places near it', async () => {
    const set = loadFlowDirectory(join(__dirname, '..', 'fixtures', 'flows-engine'));
    expect(set.ok).toBe(true);
    const catalog = buildCatalog(set.flows, loadLexicons(), []);
    const h = await helpHarness(() => catalog);
    await h.join();
    await h.click('flow:demo-inputs');
    await h.turn('oui');
    await h.turn('Chateauroux');
    const help = await h.turn('je veux parler à un conseiller');
    expect(texts(help)).not.toContain(helpText('where'));
    expect(cards(help)[0]!.title).toBe('Médiathèque Exemple E');
  });

  test('"Je n’y arrive pas" → the flow’s handoff node → places asked for; continue alone goes back to the question before', async () => {
    const h = await helpHarness();
    const scenario = scenarioOf('caf-attestation', 'handoff');
    await h.join();
    await h.turn('attestation caf');
    let last: Array<Partial<Activity>> = [];
    for (const a of scenario.answers) last = typeof a === 'object' ? await h.click(a.choice) : await h.turn(String(a));
    expect((await storedHelp(h)).state.status).toBe('handoff');
    expect(texts(last)).toContain(helpText('where'));
    const found = await h.turn('35550');
    expect(cards(found)).toHaveLength(3);
    const back = await h.click(CONTINUE_VALUE, helpText('continue'));
    expect(texts(back)).toContain(translate({ key: 'engine:back.done' }, 'fr'));
    expect((await storedHelp(h)).state.status).toBe('active');
  });

  test('coordinates from the channel (GeoCoordinates entity) are a place', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    const found = await h.turn({ type: ActivityTypes.Message, entities: [{ type: 'GeoCoordinates', latitude: 46.81, longitude: 1.69 }] });
    expect(cards(found)[0]!.title).toBe('Médiathèque Exemple E');
  });

  test('broken entities before the coordinates (null, a null type, coordinates of the wrong kind) are skipped, not a failed turn', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('aide');
    const entities = [null, { type: null }, 7, { type: 'GeoCoordinates', latitude: null, longitude: 'x' }, { type: 'GeoCoordinates', latitude: 46.81, longitude: 1.69 }];
    const found = await h.turn({ type: ActivityTypes.Message, entities } as unknown as Partial<Activity>);
    expect(cards(found)[0]!.title).toBe('Médiathèque Exemple E');
    expect(texts(found)).not.toContain(translate({ key: 'bot:error' }, 'fr'));
  });

  test('"continue alone" returns to the question where the person stopped', async () => {
    const h = await helpHarness();
    const question = await onSecondQuestion(h);
    const waitingOn = (await storedHelp(h)).state.nodeId;
    await h.turn('aide');
    const back = await h.click(CONTINUE_VALUE, helpText('continue'));
    expect(texts(back)).toContain(helpText('continued'));
    expect(buttonValues(back)).toEqual(buttonValues(question));
    const stored = await storedHelp(h);
    expect(stored.state).toMatchObject({ status: 'active', nodeId: waitingOn });
    expect(stored.help).toBeUndefined();
    // Typed words work as well as the button.
    await h.turn('aide');
    const typed = await h.turn('continuer seul');
    expect(buttonValues(typed)).toEqual(buttonValues(question));
  });

  test('an answer to the flow’s question while asked for a place goes to the flow', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    const before = (await storedHelp(h)).state.nodeId;
    await h.turn('aide');
    await h.turn('1');
    const stored = await storedHelp(h);
    expect(stored.state.nodeId).not.toBe(before);
    expect(stored.help?.asking).toBeUndefined();
  });

  test('the handoff code is shown, carried by handoff.initiate with the summary, and readable by a mediator', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    const help = await h.turn('aide');
    const event = help.find((a) => a.type === ActivityTypes.Event)!;
    const value = event.value as { code: string; summary: { code: string; flow: { id: string }; answers: unknown[] } };
    expect(value.code).toMatch(/^[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}$/);
    expect(texts(help)).toContain(bot('handoffCode', { code: value.code }));
    expect(value.summary).toMatchObject({ code: value.code, flow: { id: 'caf-attestation' } });
    expect(value.summary.answers).toHaveLength(1);
    const read = await readHandoff(h.kv, value.code.toLowerCase().replace('-', ''), new Date());
    expect(read).toMatchObject({ code: value.code, reason: 'asked', flow: { id: 'caf-attestation' } });
  });

  test('a repeated-failure handoff is an offer: no place question over the question’s buttons', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    await h.turn('blablabla');
    const second = await h.turn('blablabla encore');
    expect(texts(second)).not.toContain(helpText('where'));
    expect(buttonValues(second)).toContain('help');
    const help = await h.click('help', 'Parler à une personne');
    expect(texts(help)).toContain(helpText('where'));
  });

  test('in English, the place question and the cards are in English', async () => {
    const h = await helpHarness();
    await h.join('en-US');
    await h.turn('caf certificate');
    await h.turn('help');
    const found = await h.turn('36000');
    expect(texts(found)).toContain(translate({ key: 'engine:help.places', params: { where: 'Châteauroux (36000)' } }, 'en'));
    expect(cards(found)[0]!.buttons[0]!.title).toMatch(/^Call/);
  });

  test.each([
    ['beside the engine state (where the previous release kept it)', (v: Record<string, unknown>, bad: unknown) => ({ ...v, help: bad })],
    ['inside the engine state', (v: Record<string, unknown>, bad: unknown) => ({ ...v, state: { ...(v.state as object), help: bad } })],
  ])('a stored help state that is not what this release writes is ignored, not trusted: %s', async (_where, put) => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    const [item] = await h.kv.scan<Record<string, unknown>>('state/');
    await h.kv.set([{ key: item!.key, value: put(item!.value, { where: { label: 3, lat: 'x' }, asking: { choices: [null, { label: 1 }] } }) }]);
    const replies = await h.turn('aide');
    expect(texts(replies)).toContain(helpText('where'));
    const found = await h.turn('35550');
    expect(cards(found)).toHaveLength(3);
  });

  test('a location kept by the previous release (beside the engine state) is still known: places at once', async () => {
    const h = await helpHarness();
    await onSecondQuestion(h);
    const [item] = await h.kv.scan<Record<string, unknown>>('state/');
    await h.kv.set([{ key: item!.key, value: { ...item!.value, help: { where: { label: 'Pipriac (35550)', lat: 47.8095, lon: -1.9465 } } } }]);
    const replies = await h.turn('aide');
    expect(texts(replies)).not.toContain(helpText('where'));
    expect(cards(replies)[0]!.title).toBe('Maison d’aide Exemple A');
  });

  test('without a places directory, a handoff still gives the code and asks nothing', async () => {
    const h = makeHarness({ summarize: () => ({ code: 'K7P-4QX', summary: {}, write: { key: 'handoff:K7P-4QX', value: {} } }) });
    await h.join();
    await h.turn('attestation caf');
    const help = await h.turn('aide');
    expect(texts(help)).toContain(bot('handoffCode', { code: 'K7P-4QX' }));
    expect(texts(help)).not.toContain(helpText('where'));
  });
});

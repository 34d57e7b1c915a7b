/**
 * The bot's reading of what a client sends (as `/api/messages` hands it over, nothing masked by a
 * channel first): button values masked before they reach the state, prototype keys that are only
 * keys, a stored state that cannot be played, and the activity's locale followed when it changes.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { BotEngine } from '../../src/bot/ArianeBot';
import { buildCatalog, converse, type Catalog } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { loadLexicons, translate } from '../../src/i18n';
import { buttonValues, makeHarness, texts } from './botHarness';

function fixtureCatalog(): Catalog {
  const set = loadFlowDirectory(join(__dirname, '..', 'fixtures', 'flows-engine'));
  if (!set.ok) throw new Error('fixture flows have errors');
  return buildCatalog(set.flows, loadLexicons(), []);
}

function logged(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines };
}

const stateOf = async (h: ReturnType<typeof makeHarness>) => (await h.kv.scan<{ state: { lang: string; answers: Record<string, unknown>; flowId?: string; status: string } }>('state/'))[0]!.value;

describe('button values', () => {
  test('a choice value answering a free-text question is masked before it is kept in the state', async () => {
    const catalog = fixtureCatalog();
    const h = makeHarness({ catalog: () => catalog });
    await h.join();
    await h.click('flow:demo-inputs');
    await h.turn('oui');
    await h.turn('Chateauroux');
    // The `remarque` free-text question, answered with a "button" a client made up.
    await h.click('tel0612345678', 'ma remarque');
    const stored = JSON.stringify(await h.kv.scan(''));
    expect(stored).not.toContain('0612345678');
    expect((await stateOf(h)).state.answers.remarque).toMatch(/masqué/);
  });
});

describe('a catalog that is not ready yet', () => {
  test('is waited for: the turn is answered once the catalog is given, with that catalog', async () => {
    const catalog = fixtureCatalog();
    let release!: () => void;
    const ready = new Promise<void>((resolve) => (release = resolve));
    const h = makeHarness({ catalog: () => ready.then(() => catalog) });
    let answered = false;
    const joined = h.join().then((replies) => {
      answered = true;
      return replies;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    release();
    // The fixture catalog's procedures, not the project's.
    expect(buttonValues(await joined)).toContain('flow:demo-inputs');
    expect(texts(await h.click('flow:demo-inputs'))).not.toMatch(/problème/);
    expect((await stateOf(h)).state.flowId).toBe('demo-inputs');
  });
});

describe('client-provided keys are only keys', () => {
  const HOSTILE: Array<Record<string, unknown>> = [
    { intent: 'language', lang: 'constructor' },
    { intent: 'language', lang: 'toString' },
    { intent: 'language', lang: 'hasOwnProperty' },
    { intent: 'language', lang: '__proto__' },
    { intent: 'constructor' },
    { choice: 'lang:constructor' },
    { choice: 'lang:__proto__' },
    { choice: 'flow:constructor' },
    { choice: 'flow:toString' },
    { choice: 'constructor' },
    { choice: '__proto__' },
    { choice: 'valueOf' },
    { flow: 'constructor' },
    { flow: '__proto__' },
    { flow: 'hasOwnProperty' },
  ];

  test.each(HOSTILE)('%j: answered, and every later turn still works (in choosing and in a flow)', async (value) => {
    const { logger, lines } = logged();
    const h = makeHarness({ logger });
    await h.join();
    const r = await h.turn({ type: 'message', text: 'x', value, locale: 'constructor' });
    expect(texts(r)).not.toMatch(/problème/);
    expect(texts(await h.turn('attestation caf'))).toMatch(/CAF/);
    expect(texts(await h.turn({ type: 'message', text: 'x', value }))).not.toMatch(/problème/);
    expect(texts(await h.turn('oui'))).not.toMatch(/problème/);
    expect(lines.filter((l) => /"level":50/.test(l))).toEqual([]);
  });
});

describe('a stored state that cannot be played', () => {
  test('a stored language this service does not speak (an older release let one in): the conversation goes on', async () => {
    const h = makeHarness();
    await h.join();
    const key = (await h.kv.scan('state/'))[0]!.key;
    const item = (await h.kv.get<{ state: Record<string, unknown> }>([key]))[key]!;
    await h.kv.set([{ key, value: { ...item.value, state: { ...item.value.state, lang: 'constructor' } }, etag: item.etag }]);
    const r = await h.turn('attestation caf');
    expect(texts(r)).not.toMatch(/problème/);
    expect(texts(r)).toMatch(/CAF/);
  });

  test('a state the engine fails on: logged, the person starts over, told so, their message read afresh; not trapped', async () => {
    // An engine that cannot read states marked by a faulty release.
    const engine: BotEngine = {
      converse: (catalog, state, input, env) => {
        if ((state as { answers?: Record<string, unknown> }).answers?.broken === true) throw new TypeError('text.slice is not a function');
        return converse(catalog, state, input, env);
      },
    };
    const { logger, lines } = logged();
    const h = makeHarness({ engine, logger });
    await h.join();
    const key = (await h.kv.scan('state/'))[0]!.key;
    const item = (await h.kv.get<{ state: Record<string, unknown> }>([key]))[key]!;
    await h.kv.set([{ key, value: { ...item.value, state: { ...item.value.state, answers: { broken: true } } }, etag: item.etag }]);
    const r = await h.turn('attestation caf');
    // Told so, and the message read afresh: the procedure it names starts.
    expect(texts(r)).toContain(translate({ key: 'bot:startOver' }, 'fr'));
    expect(texts(r)).toMatch(/Attestation CAF/);
    expect(texts(r)).not.toMatch(/problème/);
    expect(lines.join('')).toMatch(/could not be played: starting over/);
    // The next message is an ordinary turn of that procedure.
    const next = texts(await h.turn('oui'));
    expect(next).toMatch(/Quelle attestation/);
    expect(next).not.toContain(translate({ key: 'bot:startOver' }, 'fr'));
  });

  test('an input the engine fails on, with a sound state: apology, and the state is kept (no start over)', async () => {
    const engine: BotEngine = {
      converse: (catalog, state, input, env) => {
        if (input.kind === 'text' && input.text === 'boom') throw new Error('bug on this input');
        return converse(catalog, state, input, env);
      },
    };
    const h = makeHarness({ engine });
    await h.join();
    await h.turn('attestation caf');
    const before = JSON.stringify((await stateOf(h)).state);
    const r = await h.turn('boom');
    expect(texts(r)).toMatch(/problème/);
    expect(texts(r)).not.toContain(translate({ key: 'bot:startOver' }, 'fr'));
    expect(JSON.stringify((await stateOf(h)).state)).toBe(before);
  });
});

describe('the activity locale', () => {
  test('Web Chat in English without a start locale: the first message in en-US turns the conversation to English', async () => {
    const h = makeHarness();
    const welcome = await h.join();
    expect(texts(welcome)).toMatch(/Bonjour/);
    const r = await h.turn({ type: 'message', text: 'CAF certificate', locale: 'en-US' });
    expect(texts(r)).toContain(translate({ key: 'engine:language.changed' }, 'en'));
    expect(r.filter((a) => a.type === 'message').every((a) => a.locale === 'en')).toBe(true);
    expect((await stateOf(h)).state.lang).toBe('en');
    // The welcome is not repeated: the notice, then the answer to the message.
    expect(texts(r)).not.toMatch(/Bonjour|Hello, which/);
  });

  test('a locale change in mid-flow: the notice, then the answer, in the new language, the flow going on', async () => {
    const h = makeHarness();
    await h.join('fr-FR');
    await h.click('flow:caf-attestation');
    const r = await h.turn({ type: 'message', text: 'oui', locale: 'ar' });
    expect((await stateOf(h)).state.lang).toBe('ar');
    expect((await stateOf(h)).state.flowId).toBe('caf-attestation');
    expect(texts(r)).toContain(translate({ key: 'engine:language.changed' }, 'ar'));
    expect(r.filter((a) => a.type === 'message').every((a) => a.locale === 'ar')).toBe(true);
  });

  test('only a change counts: typing « français » in an English client stays in French', async () => {
    const h = makeHarness();
    await h.join('en-US');
    await h.turn({ type: 'message', text: 'CAF certificate', locale: 'en-US' });
    await h.turn({ type: 'message', text: 'français', locale: 'en-US' });
    expect((await stateOf(h)).state.lang).toBe('fr');
    await h.turn({ type: 'message', text: 'oui', locale: 'en-US' });
    expect((await stateOf(h)).state.lang).toBe('fr');
    // A new change of the client's language is followed again.
    await h.turn({ type: 'message', text: 'oui', locale: 'ar' });
    expect((await stateOf(h)).state.lang).toBe('ar');
  });

  test('the engine still follows a language typed while the locale stays the same', async () => {
    const h = makeHarness();
    await h.join('fr-FR');
    await h.turn({ type: 'message', text: 'hello, I need my CAF certificate please', locale: 'fr-FR' });
    expect((await stateOf(h)).state.lang).toBe('en');
  });

  test('the widget\'s language switch (a language intent with its new locale) changes it once, with no second notice', async () => {
    const h = makeHarness();
    await h.join('fr');
    const r = await h.turn({ type: 'message', text: 'English', locale: 'en', value: { intent: 'language', lang: 'en' } });
    expect(texts(r).split(translate({ key: 'engine:language.changed' }, 'en')).length).toBe(2);
    expect((await stateOf(h)).state.lang).toBe('en');
  });

  test('a locale the service does not speak changes nothing', async () => {
    const h = makeHarness();
    await h.join('fr-FR');
    await h.turn({ type: 'message', text: 'bonjour', locale: 'de-DE' });
    expect((await stateOf(h)).state.lang).toBe('fr');
  });
});

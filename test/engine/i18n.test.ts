import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadLexicons, translate } from '../../src/i18n';
import { createI18n, createTranslator } from '../../src/i18n/translate';
import { parseLexicon } from '../../src/i18n/loadLexicons';
import { DEFAULT_LOCALES_DIR } from '../../src/i18n/loadLocales';

/** Every `engine:` key the engine source can emit (literal keys, plus the per-type retry keys). */
function engineKeys(): string[] {
  const dir = join(__dirname, '..', '..', 'src', 'engine');
  const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, 'nodes')).map((f) => join(dir, 'nodes', f))].filter((f) => f.endsWith('.ts'));
  const keys = new Set<string>();
  for (const f of files) for (const m of readFileSync(f, 'utf8').matchAll(/'(engine:[a-zA-Z.]+)'/g)) keys.add(m[1] as string);
  for (const t of ['postcode', 'commune', 'date', 'number', 'yesno', 'text']) keys.add(`engine:retry.${t}`);
  for (const l of ['fr', 'en', 'ar', 'fr-facile']) keys.add(`engine:language.name.${l}`);
  return [...keys].sort();
}

describe('i18n', () => {
  const i18n = createI18n();

  it.each(['fr', 'en'])('every engine message key has a %s text', (lng) => {
    const missing = engineKeys().filter((k) => !i18n.exists(k, { lng, fallbackLng: false }));
    expect(missing).toEqual([]);
    expect(engineKeys().length).toBeGreaterThan(30);
  });

  it('translates keys with parameters, and flow text as is', () => {
    expect(translate({ key: 'engine:retry.numberRange', params: { min: 1, max: 10 } }, 'fr')).toBe('Écrivez un nombre entre 1 et 10.');
    expect(translate({ key: 'engine:step.done' }, 'en')).toBe('Done');
    expect(translate({ text: 'Bonjour <b>' }, 'en')).toBe('Bonjour <b>');
  });

  it('translates a message given as a parameter first (the label echoed or confirmed)', () => {
    expect(translate({ key: 'engine:understood', params: { label: { text: "Oui, j'ai internet" } } }, 'fr')).toBe("J’ai compris : « Oui, j'ai internet »");
    expect(translate({ key: 'engine:understood', params: { label: { key: 'engine:step.done' } } }, 'en')).toBe('I understood: “Done”');
    expect(translate({ key: 'engine:confirm', params: { label: { key: 'engine:no' } } }, 'ar')).toBe('هل تقصد: «لا»؟');
    expect(translate({ key: 'engine:confirm', params: { label: { key: 'engine:yes' } } }, 'fr-facile')).toBe('Vous voulez dire : « Oui » ?');
  });

  it('falls back to the base language, then to French', () => {
    expect(translate({ key: 'engine:step.done' }, 'fr-facile')).toBe('C’est fait');
    expect(translate({ key: 'engine:step.done' }, 'en-GB')).toBe('Done');
    expect(translate({ key: 'engine:step.done' }, 'de')).toBe('C’est fait');
  });

  it("loads other teams' namespaces that exist (places, widget…) without configuration", () => {
    const t = createTranslator(i18n);
    expect(t({ key: 'widget:send' }, 'fr')).not.toBe('widget:send');
  });

  it('loads lexicons per language from intents.json', () => {
    const lex = loadLexicons(DEFAULT_LOCALES_DIR);
    expect(Object.keys(lex)).toEqual(expect.arrayContaining(['fr', 'en', 'ar']));
    expect(lex.fr?.help).toContain('aide');
    expect(lex.fr?.languages.en).toContain('english');
  });

  it('rejects a malformed lexicon with the file and the field', () => {
    expect(() => parseLexicon({ help: 'aide' }, 'x/intents.json')).toThrow('x/intents.json: "help" must be a list of texts');
    expect(parseLexicon({ help: ['aide'] }).back).toEqual([]);
  });
});

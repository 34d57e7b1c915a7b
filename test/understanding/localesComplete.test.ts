/**
 * Every generic text exists in every language Ariane ships: each key of `locales/fr/<ns>.json`
 * must exist in `locales/<lng>/<ns>.json` for every other language folder present, with the same
 * interpolation parameters ({{title}}, {{code}}…) and non-empty text. A missing key would not crash
 * (i18next falls back to French), but a resident who chose Arabic or easy French would suddenly read
 * French, and a translated text that drops {{code}} would hide the handoff code.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LOCALES = join(__dirname, '..', '..', 'locales');

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Leaves of a JSON document by dotted path (array items by index). */
function leaves(value: Json, prefix = ''): Map<string, Json> {
  const out = new Map<string, Json>();
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    // Word lists (intents) are open-ended: a language may list more or fewer words than French.
    if (Array.isArray(value) && value.every((v) => typeof v === 'string') && prefix.split('.')[0] !== 'days' && prefix.split('.')[0] !== 'months') {
      out.set(prefix, value);
      return out;
    }
    for (const [k, v] of entries) for (const [p, leaf] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, leaf);
  } else out.set(prefix, value);
  return out;
}

/**
 * Maps of intents.json that are not translations but what people type in each language: every
 * lexicon's organisations' names and synonyms are used together, whatever the conversation's
 * language, so a language lists only its own.
 */
// `dropped`: the words a language's writers leave out (French "ne"); other languages have none.
const OWN_WORDS = new Set(['organisations', 'synonyms', 'dropped']);

const params = (text: Json) => (typeof text === 'string' ? [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort() : []);
const read = (lng: string, ns: string) => JSON.parse(readFileSync(join(LOCALES, lng, ns), 'utf8')) as Json;

const languages = readdirSync(LOCALES).filter((d) => statSync(join(LOCALES, d)).isDirectory() && d !== 'fr');
const namespaces = readdirSync(join(LOCALES, 'fr')).filter((f) => f.endsWith('.json'));

describe('locales are complete', () => {
  it('ships French plus Arabic and easy French at least', () => {
    expect(namespaces.length).toBeGreaterThan(0);
    expect(languages).toEqual(expect.arrayContaining(['ar', 'fr-facile']));
  });

  describe.each(languages)('%s', (lng) => {
    it.each(namespaces)('%s has every French key, the same {{parameters}}, no empty text', (ns) => {
      const file = join(LOCALES, lng, ns);
      expect({ file, exists: existsSync(file) }).toEqual({ file, exists: true });
      const fr = leaves(read('fr', ns));
      const other = leaves(read(lng, ns));
      const missing = [...fr.keys()].filter((k) => !other.has(k) && !(ns === 'intents.json' && OWN_WORDS.has(k.split('.')[0]!)));
      expect({ file, missing }).toEqual({ file, missing: [] });
      const wrongParams = [...fr].filter(([k, v]) => other.has(k) && params(other.get(k) as Json).join() !== params(v).join()).map(([k]) => k);
      expect({ file, wrongParams }).toEqual({ file, wrongParams: [] });
      const empty = [...other].filter(([, v]) => v === '' || (Array.isArray(v) && v.length === 0)).map(([k]) => k);
      expect({ file, empty }).toEqual({ file, empty: [] });
    });
  });
});

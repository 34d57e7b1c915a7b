/** The conversation follows the language a person writes in, from the first messages (real flows). */
import { join } from 'node:path';
import { buildCatalog, converse, initialState } from '../../src/engine';
import { loadFlowDirectory } from '../../src/flow';
import { lexicons } from './helpers';

const real = buildCatalog(loadFlowDirectory(join(__dirname, '..', '..', 'flows')).flows, lexicons());
const first = (text: string) => {
  const welcome = converse(real, initialState('fr'), { kind: 'start' });
  return converse(real, welcome.state, { kind: 'text', text });
};

describe('following the language of the first message', () => {
  it.each([
    ['hello, I need my CAF certificate', 'en'],
    ['yes I get housing benefit from the CAF', 'en'],
    ['hello I need help with my CAF certificate please', 'en'],
    ['أريد شهادة الكاف', 'ar'],
  ])('%p is answered in %s', (text, lang) => {
    expect(first(text).state.lang).toBe(lang);
  });

  it.each(['je veux mon attestation de la caf', 'rdv prefecture pour mon titre de sejour', 'carte vitale perdue', 'caf'])('%p stays in French', (text) => {
    expect(first(text).state.lang).toBe('fr');
  });
});

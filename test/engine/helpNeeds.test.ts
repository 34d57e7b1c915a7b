/**
 * The help dialogue matched to the person, through the real engine and a real directory of
 * fictional places around Rennes (`finderFor` over `PlaceDirectory`): what they say they need
 * (deafness, sight, reading, French) filters the places, or is said to be unmet; "help you do it or
 * do it for you?" is asked only when places near them can do it for them and would change what is
 * shown, answered by button or typed, never asked twice; the help state survives storage.
 */
import { converse, initialState, migrateState, type EngineEnv, type HelpPlace, type Output, type StepResult } from '../../src/engine';
import { FOR_ME_VALUE, WITH_ME_VALUE } from '../../src/engine/helpDialogue';
import { readNeeds } from '../../src/engine/helpNeeds';
import { finderFor, PlaceDirectory, type Place } from '../../src/places';
import { choiceValues, fixtures, said } from './helpers';

const AT = new Date('2026-03-10T09:00:00Z');
const DEMARCHES = 'Aide aux démarches administratives' as const;
const place = (id: string, lat: number, extra: Partial<Place> = {}): Place => ({
  id,
  pivot: '00000000000000',
  nom: `Lieu ${id}`,
  commune: 'Rennes',
  code_postal: '35000',
  adresse: `${id} rue de l'Exemple`,
  date_maj: '2026-01-01',
  services: [DEMARCHES],
  latitude: lat,
  longitude: -1.68,
  ...extra,
});

// Rennes is at about 48.11; 0.009° of latitude ≈ 1 km.
const RENNES_PLACES = [
  place('fs', 48.12, { dispositif_programmes_nationaux: ['France Services'] }),
  place('mairie', 48.121),
  place('ccas', 48.122),
  place('aidants', 48.14, { dispositif_programmes_nationaux: ['Aidants Connect'], modalites_accompagnement: ['Accompagnement individuel'] }),
  place('signes', 48.16, { prise_en_charge_specifique: ['Surdité'] }),
];
const envWith = (places: Place[]): EngineEnv => ({ findHelp: finderFor(new PlaceDirectory(places), AT) });

/** Plays typed texts (or inputs) in the demo flow, after "oui" to its first question. */
function talk(env: EngineEnv, inputs: Array<string | { choice: string }>, lang = 'fr'): StepResult[] {
  const { catalog } = fixtures();
  const out: StepResult[] = [converse(catalog, initialState(lang), { kind: 'flow', flowId: 'demo-all' }, env)];
  for (const i of ['oui', ...inputs]) {
    const prev = out[out.length - 1]!;
    out.push(converse(catalog, prev.state, typeof i === 'string' ? { kind: 'text', text: i } : { kind: 'choice', value: i.choice }, env));
  }
  return out;
}
const lastOf = (r: StepResult[]) => r[r.length - 1]!;
const placesIn = (outputs: Output[]): HelpPlace[] => outputs.flatMap((o) => (o.kind === 'places' ? o.places : []));
const names = (outputs: Output[]) => placesIn(outputs).map((p) => p.name);

describe('reading what the person needs', () => {
  const { catalog } = fixtures();
  it.each([
    ['je suis sourde', ['deafness']],
    ['35000 je suis malvoyant et je ne sais pas lire', ['visual', 'illiteracy']],
    ["I'm deaf", ['deafness']],
    ['أنا أصم', ['deafness']],
    ['je ne parle pas bien le français', ['languages']],
    ['je ne suis pas sourd', []],
    ['aide au logement', []],
    ['Sourdeval', []],
  ])('%s → %j', (text, needs) => {
    expect(readNeeds(catalog, text).needs).toEqual(needs);
  });

  it('keeps the other words, to read a place from them', () => {
    expect(readNeeds(catalog, 'Rennes, je suis sourde').rest).toBe('rennes');
    expect(readNeeds(catalog, "je voudrais qu'on le fasse à ma place").forMe).toBe(true);
  });
});

describe('help places for what the person needs', () => {
  it('a need said with the place: the places that meet it, said so', () => {
    const r = lastOf(talk(envWith(RENNES_PLACES), ['aide', '35000, je suis sourd']));
    expect(names(r.outputs)).toEqual(['Lieu signes']);
    expect(said(r.outputs)).toEqual(expect.arrayContaining(['engine:help.places', 'engine:help.met.deafness']));
    expect(r.state.help).toMatchObject({ where: { label: 'Rennes (35000)' }, needs: ['deafness'] });
  });

  it('no place near meets it: the nearest places, and the person is told so first', () => {
    const r = lastOf(talk(envWith(RENNES_PLACES), ['aide', '35000', 'je suis aveugle']));
    expect(names(r.outputs)).toEqual(['Lieu fs', 'Lieu aidants', 'Lieu mairie']);
    expect(said(r.outputs).slice(0, 2)).toEqual(['engine:help.unmet.visual', 'engine:help.places']);
  });

  it('a need said in the handoff message is kept until the place is known', () => {
    const turns = talk(envWith(RENNES_PLACES), ["je suis sourde, je veux parler à quelqu'un", 'Rennes']);
    expect(said(turns[2]!.outputs)).toEqual(expect.arrayContaining(['engine:help.noted.deafness', 'engine:help.where']));
    expect(names(lastOf(turns).outputs)).toEqual(['Lieu signes']);
  });
});

describe('"help you do it, or do it for you?"', () => {
  it('is asked when places near can do the procedure for the person and would change what is shown', () => {
    const turns = talk(envWith(RENNES_PLACES), ['aide', '35000']);
    const asked = lastOf(turns);
    expect(said(asked.outputs)).toEqual(['engine:help.forMe.ask']);
    expect(choiceValues(asked.outputs)).toEqual([WITH_ME_VALUE, FOR_ME_VALUE, 'ariane:continue']);
    expect(placesIn(asked.outputs)).toEqual([]);
    expect(asked.state.help?.askingForMe).toBeDefined();
  });

  it('"for me" by button: the Aidants Connect places; "with me": the usual ones; never asked again', () => {
    const env = envWith(RENNES_PLACES);
    const forMe = lastOf(talk(env, ['aide', '35000', { choice: FOR_ME_VALUE }]));
    expect(names(forMe.outputs)).toEqual(['Lieu aidants']);
    expect(said(forMe.outputs)).toContain('engine:help.met.forMe');
    expect(forMe.state.help).toMatchObject({ forMe: true });
    expect(forMe.state.help?.askingForMe).toBeUndefined();

    const withMe = talk(env, ['aide', '35000', { choice: WITH_ME_VALUE }, { choice: 'ariane:continue' }, 'aide']);
    expect(names(withMe[4]!.outputs)).toEqual(['Lieu fs', 'Lieu aidants', 'Lieu mairie']);
    // Help again later in the conversation: the places at once, no second question.
    expect(said(lastOf(withMe).outputs)).not.toContain('engine:help.forMe.ask');
    expect(names(lastOf(withMe).outputs)).toEqual(['Lieu fs', 'Lieu aidants', 'Lieu mairie']);
  });

  it('typed answers are read too; an answer it cannot read shows the usual places', () => {
    const env = envWith(RENNES_PLACES);
    expect(names(lastOf(talk(env, ['aide', '35000', "qu'on la fasse pour moi"])).outputs)).toEqual(['Lieu aidants']);
    expect(names(lastOf(talk(env, ['aide', '35000', "qu'on m'aide à la faire"])).outputs)).toEqual(['Lieu fs', 'Lieu aidants', 'Lieu mairie']);
    const unclear = lastOf(talk(env, ['aide', '35000', 'bof']));
    expect(names(unclear.outputs)).toEqual(['Lieu fs', 'Lieu aidants', 'Lieu mairie']);
    expect(unclear.state.help?.forMe).toBe(false);
  });

  it('is not asked when no place near can do it for the person, nor when those places are the ones shown anyway', () => {
    const none = lastOf(talk(envWith(RENNES_PLACES.filter((p) => p.id !== 'aidants')), ['aide', '35000']));
    expect(said(none.outputs)).not.toContain('engine:help.forMe.ask');
    expect(names(none.outputs)).toHaveLength(3);
    const onlyThem = lastOf(talk(envWith([place('a1', 48.12, { dispositif_programmes_nationaux: ['Aidants Connect'] })]), ['aide', '35000']));
    expect(said(onlyThem.outputs)).not.toContain('engine:help.forMe.ask');
    expect(names(onlyThem.outputs)).toEqual(['Lieu a1']);
  });

  it('"à ma place" said before: no question, the Aidants Connect places, or the nearest with a word when none is near', () => {
    expect(names(lastOf(talk(envWith(RENNES_PLACES), ['aide', "je veux qu'on le fasse à ma place", '35000'])).outputs)).toEqual(['Lieu aidants']);
    const far = lastOf(talk(envWith(RENNES_PLACES.filter((p) => p.id !== 'aidants')), ['aide', "je veux qu'on le fasse à ma place", '35000']));
    expect(said(far.outputs)[0]).toBe('engine:help.unmet.forMe');
    expect(names(far.outputs)).toHaveLength(3);
  });
});

describe('the help state in storage', () => {
  it('keeps needs, the for-me answer and the pending question; drops what this release does not write', () => {
    const base = { ...initialState('fr'), status: 'handoff' as const };
    const where = { label: 'Rennes (35000)', lat: 48.11, lon: -1.68 };
    expect(migrateState({ ...base, help: { where, needs: ['deafness', 'flying', 3], forMe: false, askingForMe: { support: { services: [DEMARCHES] } } } }).help).toEqual({
      where,
      needs: ['deafness'],
      forMe: false,
      askingForMe: { support: { services: [DEMARCHES] } },
    });
    // A pending question needs a place; a "forMe" that is not a yes/no is dropped.
    expect(migrateState({ ...base, help: { askingForMe: {}, forMe: 'oui', needs: 'deafness' } }).help).toBeUndefined();
  });
});

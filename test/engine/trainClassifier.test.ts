import { buildCatalog, classifyWith, converse, initialState, NONE, readRequest, warmCatalog, type RequestExample } from '../../src/engine';
import { classifyRequest } from '../../src/engine/trainClassifier';
import { fixtures, lexicons } from './helpers';

/** Requests told without any keyword of the fixture flows, taught by examples. */
const EXAMPLES: RequestExample[] = [
  { text: 'le bébé est arrivé, il faut prévenir pour les allocs', flow: 'pick-caf' },
  { text: 'mon bébé vient de naître, qui prévenir', flow: 'pick-caf' },
  { text: 'naissance de ma fille, prévenir qui', flow: 'pick-caf' },
  { text: 'mon patron m a licencié hier', flow: 'pick-emploi' },
  { text: 'licenciement économique, je fais quoi', flow: 'pick-emploi' },
  { text: 'fin de contrat et licencié', flow: 'pick-emploi' },
  { text: 'ma box internet ne marche plus', flow: NONE },
  { text: 'la box wifi est en panne', flow: NONE },
  { text: 'box internet coupée depuis hier', flow: NONE },
];

function catalogWith(examples: readonly RequestExample[], deferIndex = false) {
  return buildCatalog(fixtures().flows, lexicons(), ['pick-caf', 'pick-prefecture', 'pick-emploi'], { examples, deferIndex });
}

describe('trainClassifier / classifyWith: a second reader learnt from examples', () => {
  it('reads a request told in other words than the keywords, and "none" where the examples say so', () => {
    const catalog = catalogWith(EXAMPLES);
    expect(classifyWith(catalog, 'bébé né la semaine dernière, je dois prévenir ?')[0]?.flowId).toBe('pick-caf');
    expect(classifyWith(catalog, 'licencié la semaine dernière')[0]?.flowId).toBe('pick-emploi');
    expect(classifyWith(catalog, 'ma box wifi ne marche plus')[0]?.flowId).toBe(NONE);
    const shares = classifyWith(catalog, 'licencié la semaine dernière');
    expect(shares.reduce((sum, c) => sum + c.score, 0)).toBeCloseTo(1, 5);
    expect(shares.map((c) => c.score)).toEqual([...shares.map((c) => c.score)].sort((a, b) => b - a));
  });

  it('learns the flows\' keywords too, and is the same model every time (and when trained later)', () => {
    const catalog = catalogWith(EXAMPLES);
    expect(classifyWith(catalog, 'quotient familial')[0]?.flowId).toBe('pick-caf');
    expect(catalogWith(EXAMPLES).classifier).toEqual(catalog.classifier);
    const deferred = catalogWith(EXAMPLES, true);
    expect(deferred.classifier).toBeUndefined();
    warmCatalog(deferred);
    expect(deferred.classifier).toEqual(catalog.classifier);
  });

  it('lets the nearest learnt sentences vote beside the network: each voice counts for half', () => {
    const catalog = catalogWith(EXAMPLES);
    const model = catalog.classifier!;
    const reading = readRequest(catalog, 'licencié la semaine dernière');
    const networkOnly = classifyRequest({ ...model, neighbours: [] }, reading);
    expect(networkOnly[0]?.flowId).toBe('pick-emploi');
    // Whatever the network says, a nearest sentence learnt under another label takes half the shares.
    const relabelled = { ...model, neighbours: [{ words: readRequest(catalog, 'licencié').words, label: 'pick-caf' }] };
    const shares = new Map(classifyRequest(relabelled, reading).map((c) => [c.flowId, c.score]));
    expect(shares.get('pick-caf')).toBeCloseTo(0.5 + (networkOnly.find((c) => c.flowId === 'pick-caf')?.score ?? 0) / 2, 5);
    expect(shares.get('pick-emploi')).toBeCloseTo(networkOnly[0]!.score / 2, 5);
    // The model is plain JSON: stored and read back, it reads requests the same way.
    expect(classifyRequest(JSON.parse(JSON.stringify(model)), reading)).toEqual(classifyRequest(model, reading));
  });

  it('has nothing to say without examples, or for words it never learnt', () => {
    expect(buildCatalog(fixtures().flows, lexicons()).classifier).toBeUndefined();
    expect(classifyWith(buildCatalog(fixtures().flows, lexicons()), 'licencié la semaine dernière')).toEqual([]);
    expect(classifyWith(catalogWith(EXAMPLES), 'zzzz qqqq')).toEqual([]);
    // An example for a flow the catalog does not have is left out, not learnt as a new procedure.
    const odd = catalogWith([...EXAMPLES, { text: 'licencié hier soir', flow: 'gone-flow' }]);
    expect(classifyWith(odd, 'licencié hier soir').map((c) => c.flowId)).not.toContain('gone-flow');
  });
});

describe('converse with the classifier', () => {
  const first = (catalog: ReturnType<typeof catalogWith>, text: string) => converse(catalog, converse(catalog, initialState('fr'), { kind: 'start' }).state, { kind: 'text', text });

  it('asks about the procedure it guesses when the keywords found none — never starts it', () => {
    const text = 'bébé né la semaine dernière, je dois prévenir ?';
    const without = first(catalogWith([]), text);
    expect(without.state.offer).toBeUndefined();
    const withExamples = first(catalogWith(EXAMPLES), text);
    expect(withExamples.state.offer).toEqual({ kind: 'flow', flowId: 'pick-caf' });
    expect(withExamples.state.status).toBe('choosing');
    const yes = converse(catalogWith(EXAMPLES), withExamples.state, { kind: 'text', text: 'oui' });
    expect(yes.state.flowId).toBe('pick-caf');
  });

  it('does not offer a procedure the keywords are unsure of when the examples say such requests are about none', () => {
    // Alone, "attestation" is two flows' word: the keyword reader asks which one.
    const without = first(catalogWith([]), 'attestation');
    expect(without.state.candidates).toEqual(['pick-ameli', 'pick-caf']);
    // Where people who write it alone turned out to want none of these procedures, nothing is offered.
    const none = ['attestation', 'une attestation', 'attestation svp', 'attestation stp', 'attestation merci'].map((text) => ({ text, flow: NONE }));
    const taught = first(catalogWith([...EXAMPLES, ...none]), 'attestation');
    expect(taught.state.candidates).toBeUndefined();
    expect(taught.state.offer).toBeUndefined();
    expect(taught.state.flowId).toBeUndefined();
    // A procedure named outright still starts whatever the examples say.
    expect(first(catalogWith([...EXAMPLES, ...none]), 'attestation de paiement').state.flowId).toBe('pick-caf');
  });
});

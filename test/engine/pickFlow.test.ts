import { buildCatalog, converse, initialState, pickFlow, readRequest, warmCatalog } from '../../src/engine';
import { join } from 'node:path';
import { loadFlowDirectory } from '../../src/flow';
import { choiceValues, fixtures, handoffs, labelOf, lexicons, said } from './helpers';

/** The shipped flows, loaded once for the tests that read real requests. */
const realFlows = loadFlowDirectory(join(__dirname, '..', '..', 'flows')).flows;

describe('pickFlow', () => {
  it.each([
    ['je veux mon attestation caf', 'pick-caf'],
    ['attestaton de paiment caf', 'pick-caf'],
    ['quotient familial', 'pick-caf'],
    ['rdv prefecture titre de sejour', 'pick-prefecture'],
    ['renouveler mon titre de séjour', 'pick-prefecture'],
    ['inscription pole emploi', 'pick-emploi'],
    ['je veux m inscrire au chômage', 'pick-emploi'],
    ['carte vitale', 'pick-ameli'],
  ])('%p → %s', (sentence, flowId) => {
    const ranked = pickFlow(fixtures().catalog, sentence, 'fr');
    expect(ranked[0]?.flowId).toBe(flowId);
  });

  it('ranks best first and leaves out flows that match nothing', () => {
    const ranked = pickFlow(fixtures().catalog, 'attestation', 'fr');
    expect(ranked.map((r) => r.flowId).sort()).toEqual(['pick-ameli', 'pick-caf']);
    expect(ranked[0]!.score).toBeGreaterThanOrEqual(ranked[1]!.score);
    expect(pickFlow(fixtures().catalog, 'recette de crêpes', 'fr')).toEqual([]);
    expect(pickFlow(fixtures().catalog, 'bonjour', 'fr')).toEqual([]);
  });

  it('a catalog built with deferIndex reads requests as one built with its index, before and after warmCatalog', () => {
    const flows = [...fixtures().catalog.flows.values()];
    const full = buildCatalog(flows, lexicons());
    const deferred = buildCatalog(flows, lexicons(), [], { deferIndex: true });
    expect(deferred.index).toBeUndefined();
    const sentences = ['attestaton de paiment caf', 'rdv prefecture titre de sejour', 'inscription pole emploi', 'recette de crêpes'];
    const warmLater = buildCatalog(flows, lexicons(), [], { deferIndex: true });
    warmCatalog(warmLater);
    for (const s of sentences) {
      expect(pickFlow(deferred, s, 'fr')).toEqual(pickFlow(full, s, 'fr'));
      expect(pickFlow(warmLater, s, 'fr')).toEqual(pickFlow(full, s, 'fr'));
    }
  });

  it('works without a prebuilt index (hand-made catalog)', () => {
    const { catalog } = fixtures();
    const bare = { flows: catalog.flows, lexicons: catalog.lexicons, featured: [] };
    expect(pickFlow(bare, 'inscription pole emploi')[0]?.flowId).toBe('pick-emploi');
  });
});

describe('converse: choosing a procedure', () => {
  it('welcomes with one sentence and the featured procedures as buttons', () => {
    const r = converse(fixtures().catalog, initialState('fr'), { kind: 'start' });
    expect(said(r.outputs)).toEqual(['engine:welcome']);
    expect(choiceValues(r.outputs)).toEqual(['flow:pick-caf', 'flow:pick-prefecture', 'flow:pick-emploi']);
    expect(r.state.status).toBe('choosing');
  });

  it('featured defaults to every flow when none is given', () => {
    const c = buildCatalog(fixtures().flows, lexicons(), ['no-such-flow']);
    expect(c.featured).toEqual([...c.flows.keys()].sort());
  });

  it('a clear sentence starts the right flow', () => {
    const r = converse(fixtures().catalog, initialState('fr'), { kind: 'text', text: 'je veux mon attestation caf' });
    expect(r.state).toMatchObject({ status: 'active', flowId: 'pick-caf', nodeId: 'debut' });
    expect(said(r.outputs)[0]).toBe('engine:pick.start');
  });

  it('close candidates: asks which one, then accepts a number or a title', () => {
    const { catalog } = fixtures();
    const ask = converse(catalog, initialState('fr'), { kind: 'text', text: 'attestation' });
    expect(ask.state.status).toBe('choosing');
    expect(said(ask.outputs)).toEqual(['engine:pick.which']);
    expect(choiceValues(ask.outputs).sort()).toEqual(['flow:pick-ameli', 'flow:pick-caf']);
    const second = ask.state.candidates?.[1];
    expect(converse(catalog, ask.state, { kind: 'text', text: '2' }).state.flowId).toBe(second);
    expect(converse(catalog, ask.state, { kind: 'text', text: 'attestation caf' }).state.flowId).toBe('pick-caf');
    expect(converse(catalog, ask.state, { kind: 'choice', value: 'flow:pick-ameli' }).state.flowId).toBe('pick-ameli');
  });

  it('nothing matching: says so, shows the featured procedures and offers human help — never a guess, and no handoff code for each unclear message', () => {
    const r = converse(fixtures().catalog, initialState('fr'), { kind: 'text', text: 'recette de crêpes' });
    expect(r.state.status).toBe('choosing');
    expect(r.state.flowId).toBeUndefined();
    expect(said(r.outputs)).toEqual(['engine:pick.none']);
    expect(choiceValues(r.outputs)).toEqual(['flow:pick-caf', 'flow:pick-prefecture', 'flow:pick-emploi', 'help']);
    // The help button is the offer; a handoff (and its code) comes only when the person takes it.
    expect(handoffs(r.outputs)).toEqual([]);
  });

  it('a request phrased with "je ne sais pas" is still a request', () => {
    const r = converse(fixtures().catalog, initialState('fr'), { kind: 'text', text: 'je ne sais pas comment renouveler mon titre de séjour' });
    expect(r.state.flowId).toBe('pick-prefecture');
  });

  it('an unknown flow id gets a message and the welcome, not a crash', () => {
    const r = converse(fixtures().catalog, initialState('fr'), { kind: 'flow', flowId: 'nope' });
    expect(said(r.outputs)).toEqual(['engine:pick.unknown', 'engine:welcome']);
    expect(r.state.status).toBe('choosing');
  });

  it('a flow button starts that flow even in the middle of another', () => {
    const { catalog } = fixtures();
    const inFlow = converse(catalog, initialState('fr'), { kind: 'flow', flowId: 'demo-all' });
    const r = converse(catalog, inFlow.state, { kind: 'choice', value: 'flow:pick-emploi' });
    expect(r.state.flowId).toBe('pick-emploi');
    expect(r.state.answers).toEqual({});
  });
});

describe('converse: answering the welcome buttons by typing', () => {
  it('a number picks the nth featured procedure, an exact title picks that one', () => {
    const { catalog } = fixtures();
    const welcome = converse(catalog, initialState('fr'), { kind: 'start' });
    expect(converse(catalog, welcome.state, { kind: 'text', text: '2' }).state.flowId).toBe('pick-prefecture');
    expect(converse(catalog, welcome.state, { kind: 'text', text: 'inscription à france travail' }).state.flowId).toBe('pick-emploi');
    expect(converse(catalog, welcome.state, { kind: 'text', text: '9' }).state.flowId).toBeUndefined();
  });
});

describe('readRequest with the words of real text (knownWord)', () => {
  it('reads a typo as the word it stands for, unless the word is a real one', () => {
    const { catalog } = fixtures();
    expect(readRequest(catalog, 'quotien', 'fr').ranked[0]?.flowId).toBe('pick-caf');
    // "quotien" as a word of the official pages: meant as written, so no procedure.
    expect(readRequest(catalog, 'quotien', 'fr', (w) => w === 'quotien').ranked).toEqual([]);
    // A word the flows know is theirs whatever the vocabulary says.
    expect(readRequest(catalog, 'quotient', 'fr', () => true).ranked[0]?.flowId).toBe('pick-caf');
  });
});

describe('readRequest: Arabic nouns with a possessive ending (real flows)', () => {
  const real = () => buildCatalog(realFlows, lexicons());
  it.each([
    ['إقامتي', 'الإقامة'],
    ['بطاقة إقامتي', 'بطاقة الإقامة'],
  ])('%p names the procedures %p names (« my residence » is « the residence »)', (mine, the) => {
    const catalog = real();
    const flows = (text: string) => readRequest(catalog, text, 'ar').ranked.slice(0, 2).map((r) => r.flowId).sort();
    expect(flows(the)).toContain('titre-sejour-renouvellement');
    expect(flows(mine)).toEqual(flows(the));
  });
  it('a word the flows know as written is not cut ("الكاف" stays the CAF)', () => {
    expect(readRequest(real(), 'الكاف', 'ar').ranked[0]?.flowId).toBe(readRequest(real(), 'caf', 'fr').ranked[0]?.flowId);
  });
});

describe('readRequest: stories of several sentences', () => {
  it('the sentences that name nothing known weigh less against the one that holds the request', () => {
    const { catalog } = fixtures();
    const context = 'Mon voisin Marcel est venu hier soir avec sa valise';
    const asOne = readRequest(catalog, `${context} et je veux mon quotient familial`, 'fr');
    const asStory = readRequest(catalog, `${context}. Je veux mon quotient familial.`, 'fr');
    expect(asStory.ranked[0]?.flowId).toBe('pick-caf');
    expect(asStory.other).toBeLessThan(asOne.other);
    expect(asStory.ranked[0]!.score).toBeGreaterThan(asOne.ranked[0]!.score);
    // Nothing known anywhere: every sentence is another subject, as much as in one sentence.
    expect(readRequest(catalog, 'Marcel est venu. Il a une valise.', 'fr').other).toBe(readRequest(catalog, 'Marcel est venu il a une valise', 'fr').other);
    // A dotted acronym is a word, not three sentences.
    expect(readRequest(catalog, 'la c.a.f svp', 'fr').ranked[0]?.flowId).toBe('pick-caf');
  });

  it('an organisation and where it is is still only the organisation ("la caf de Roubaix", "cpam du 93")', () => {
    const real = buildCatalog(realFlows, lexicons());
    const isPlace = (text: string) => ['roubaix', 'saint denis'].includes(text);
    const cafFlows = readRequest(real, 'caf', 'fr').organisation;
    expect(cafFlows).toContain('caf-attestation');
    expect(readRequest(real, 'la caf de Roubaix', 'fr', undefined, isPlace).organisation).toEqual(cafFlows);
    expect(readRequest(real, 'caf de saint denis', 'fr', undefined, isPlace).organisation).toEqual(cafFlows);
    expect(readRequest(real, 'caf du 93', 'fr').organisation).toEqual(cafFlows);
    // Another word than a place is another request, not the organisation alone.
    expect(readRequest(real, 'la caf de Roubaix piscine', 'fr', undefined, isPlace).organisation).toBeUndefined();
    expect(readRequest(real, 'la caf de Roubaix', 'fr').organisation).toBeUndefined();
  });

  it('reads a long story to its end, where the request often is', () => {
    const { catalog } = fixtures();
    const story = `${'Nous sommes arrivés en ville au printemps avec les enfants et la grand-mère. '.repeat(4)}Il me faut le quotient familial.`;
    expect(story.length).toBeGreaterThan(300);
    expect(readRequest(catalog, story, 'fr').ranked[0]?.flowId).toBe('pick-caf');
  });
});

describe('converse: a new request typed where an answer was expected (real flows)', () => {
  const real = buildCatalog(realFlows, lexicons());
  const at = (flowId: string, answers: string[]) => {
    let r = converse(real, initialState('fr'), { kind: 'flow', flowId });
    for (const text of answers) r = converse(real, r.state, { kind: 'text', text });
    return r;
  };

  it('offers to switch, without following, when the sentence names another procedure and answers nothing', () => {
    const r = at('franceconnect', ['me connecter', 'je veux renouveler mon titre de séjour']);
    expect(r.state.flowId).toBe('franceconnect');
    expect(r.state.offer).toEqual({ kind: 'switch', flowId: 'titre-sejour-renouvellement' });
  });

  it('keeps what was asked in mind while the person says more ("attestation", "non aucune", "pour la cantine")', () => {
    let r = converse(real, initialState('fr'), { kind: 'text', text: 'attestation' });
    expect(r.state.candidates).toContain('caf-attestation');
    // Only the procedure words are kept, never the rest of what was typed.
    expect(r.state.context).toEqual(['attestation']);
    r = converse(real, r.state, { kind: 'text', text: 'non aucune' });
    expect(r.state.candidates).toBeUndefined();
    r = converse(real, r.state, { kind: 'text', text: 'c pour la cantine de mon fils' });
    expect(r.state.flowId).toBe('caf-attestation');
    expect(r.state.context).toBeUndefined();
    // The details alone, without the earlier request, start nothing.
    const alone = converse(real, initialState('fr'), { kind: 'text', text: 'c pour la cantine de mon fils' });
    expect(alone.state.flowId).toBeUndefined();
  });

  it('an answer to "which one?" goes to the button whose title holds more of its words, before the keywords', () => {
    let r = converse(real, initialState('fr'), { kind: 'text', text: 'rdv a la prefecture' });
    expect(r.state.candidates).toEqual(['prefecture-rendez-vous', 'titre-sejour-renouvellement']);
    // « carte » and « séjour » are both in the préfecture's title; the renewal's has « séjour » only
    // (and « carte de séjour » among its keywords, which used to win).
    r = converse(real, r.state, { kind: 'text', text: 'pour ma carte de sejour' });
    expect(r.state).toMatchObject({ status: 'active', flowId: 'prefecture-rendez-vous' });
  });

  it('the words that chose the procedure also answer its first question when they name a choice', () => {
    let r = converse(real, initialState('fr'), { kind: 'text', text: 'rdv a la prefecture' });
    r = converse(real, r.state, { kind: 'text', text: 'pour ma carte de sejour' });
    // « Pourquoi voulez-vous un rendez-vous ? » was answered by « carte de séjour » (Titre de séjour),
    // said back, and its buttons were not shown.
    expect(r.state.answers).toMatchObject({ motif: 'sejour' });
    expect(labelOf(r.outputs, 'engine:understood')).toEqual({ text: 'Titre de séjour' });
    expect(r.state.history).toContain('motif');
    expect(choiceValues(r.outputs)).not.toContain('sejour');
    // "retour" goes back to the question the request answered.
    r = converse(real, r.state, { kind: 'text', text: 'retour' });
    expect(r.state.nodeId).toBe('motif');
  });

  it('words of the procedure\'s own title answer none of its questions (« demande de retraite »)', () => {
    const r = converse(real, initialState('fr'), { kind: 'text', text: 'demande de retraite' });
    expect(r.state).toMatchObject({ flowId: 'retraite-demande', nodeId: 'intro' });
    // Even typed as a choice's label: « je veux demander ma retraite » is the title's words.
    expect(converse(real, initialState('fr'), { kind: 'text', text: 'je veux demander ma retraite' }).state.nodeId).toBe('intro');
    // Words the title says in brackets or after a colon are answers: « passeport » is the
    // préfecture's « Carte d'identité ou passeport », said back even though it is a synonym.
    const passport = converse(real, initialState('fr'), { kind: 'text', text: 'rdv prefecture pr passeport svp' });
    expect(passport.state.answers).toMatchObject({ motif: 'identite' });
    expect(labelOf(passport.outputs, 'engine:understood')).toEqual({ text: "Carte d'identité ou passeport" });
  });

  it('"je sais pas quand il faut le faire" is the choice "Savoir quand le faire", not a cry for help', () => {
    const r = at('france-travail-actualisation', ['je sais pas quand il faut le faire']);
    expect(r.state).toMatchObject({ status: 'active', nodeId: 'quand' });
    expect(handoffs(r.outputs)).toEqual([]);
    // Said alone, it still offers a person.
    expect(handoffs(at('france-travail-actualisation', ['je sais pas']).outputs)).not.toEqual([]);
  });

  it('"laissez tomber, …": the words asking to leave are not read against the request', () => {
    let r = converse(real, initialState('fr'), { kind: 'text', text: 'mon imprimante imprime plus rien' });
    r = converse(real, r.state, { kind: 'text', text: "laissez tomber, je veux savoir quand m'actualiser" });
    expect(r.state.flowId).toBe('france-travail-actualisation');
  });

  it('the details typed right after "which one?" pick among the procedures offered', () => {
    let r = converse(real, initialState('fr'), { kind: 'text', text: 'attestation' });
    r = converse(real, r.state, { kind: 'text', text: "c'est pour la cantine de mon fils" });
    expect(r.state.flowId).toBe('caf-attestation');
  });

  it('reads the sentence as the answer when it answers the question, even naming another procedure', () => {
    const r = at('franceconnect', ['me connecter', "j'ai un compte ameli mais j'ai oublié le mot de passe"]);
    expect(r.state.offer).toBeUndefined();
    expect(r.state.flowId).toBe('franceconnect');
    expect(r.state.nodeId).toBe('mot-de-passe');
  });
});

describe('converse: official pages closer to the request than the procedure it names (real flows)', () => {
  const real = buildCatalog(realFlows, lexicons());
  const page = { id: 'F99999', title: 'Logement étudiant : constituer son dossier', url: 'https://www.service-public.gouv.fr/particuliers/vosdroits/F99999' };
  const env = { searchOfficial: () => [page] };

  it('shows the pages and asks about the procedure named, instead of dropping it', () => {
    const r = converse(real, initialState('fr'), { kind: 'text', text: 'attestation caf pour mon dossier de logement étudiant' }, env);
    expect(r.outputs.find((o) => o.kind === 'official')).toEqual({ kind: 'official', pages: [page] });
    expect(said(r.outputs)).toEqual(['engine:official.alsoFound', 'engine:pick.confirmGuided']);
    expect(r.state.offer).toEqual({ kind: 'flow', flowId: 'caf-attestation' });
    const yes = converse(real, r.state, { kind: 'text', text: 'oui' }, env);
    expect(yes.state).toMatchObject({ status: 'active', flowId: 'caf-attestation' });
  });

  it('a procedure only guessed at, not named, still gives way to the pages', () => {
    const r = converse(real, initialState('fr'), { kind: 'text', text: 'dossier de logement étudiant' }, env);
    expect(r.outputs.find((o) => o.kind === 'official')).toEqual({ kind: 'official', pages: [page] });
    expect(r.state.offer).toBeUndefined();
    expect(r.state.flowId).toBeUndefined();
  });
});

describe('converse: a request that names one organisation among words that name none of its procedures (real flows)', () => {
  const flows = realFlows;
  const real = buildCatalog(flows, lexicons());
  const cafFlows = readRequest(real, 'caf', 'fr').organisation!;
  const text = 'je dois appeler la caf pour un probleme';

  it('asks which of its procedures, instead of "I do not know this procedure"', () => {
    expect(readRequest(real, text, 'fr')).toMatchObject({ named: cafFlows });
    const r = converse(real, initialState('fr'), { kind: 'text', text });
    expect(r.state.flowId).toBeUndefined();
    expect(r.state.candidates).toEqual(cafFlows);
    expect(said(r.outputs)).toContain('engine:pick.whichOrganisation');
  });

  it('offers nothing when the examples say requests like it are about no procedure', () => {
    const gmail = 'mot de passe gmail oublie pour la caf';
    expect(readRequest(real, gmail, 'fr')).toMatchObject({ named: cafFlows });
    expect(converse(real, initialState('fr'), { kind: 'text', text: gmail }).state.candidates).toEqual(cafFlows);
    // Examples saying that requests about a Gmail password, this one among them, are about no
    // procedure (the real examples' share for it moves whenever they are added to: the batches
    // measure those).
    const examples = [gmail, 'mot de passe gmail oublié', "je n'arrive plus à ouvrir ma boîte gmail", 'gmail me demande un code, mot de passe perdu', 'récupérer mon compte gmail', 'gmail bloqué pour la caf', 'la caf veut mon mail mais gmail ne marche plus', 'mon adresse gmail est piratée', 'changer le mot de passe de gmail', 'gmail oublié pour les impôts', 'créer une adresse gmail pour la caf'].map((t) => ({ text: t, flow: 'none' }));
    const learnt = buildCatalog(flows, lexicons(), [], { examples });
    const r = converse(learnt, initialState('fr'), { kind: 'text', text: gmail });
    expect(r.state.candidates).toBeUndefined();
    expect(r.state.flowId).toBeUndefined();
    // The same examples leave a CAF request something of the CAF's to answer.
    const other = converse(learnt, initialState('fr'), { kind: 'text', text }).state;
    expect([...(other.candidates ?? []), ...(other.offer?.kind === 'flow' ? [other.offer.flowId] : [])].filter((id) => !cafFlows.includes(id))).toEqual([]);
    expect(other.candidates?.length || other.offer).toBeTruthy();
  });
});

describe('converse: procedures the keywords cannot tell apart (real flows)', () => {
  const flows = realFlows;
  const text = 'mot de passe oublié';

  it('are offered in the order the classifier reads them', () => {
    const tied = readRequest(buildCatalog(flows, lexicons()), text, 'fr').ranked.slice(0, 2);
    expect(tied[0]!.score).toBe(tied[1]!.score);
    const ids = tied.map((r) => r.flowId);
    for (const first of ids) {
      const examples = ['mot de passe oublié sur le site', "j'ai oublié mon mot de passe", 'changer mon mot de passe'].map((t) => ({ text: t, flow: first }));
      const r = converse(buildCatalog(flows, lexicons(), [], { examples }), initialState('fr'), { kind: 'text', text });
      expect(r.state.candidates?.[0]).toBe(first);
      expect([...r.state.candidates!].sort()).toEqual([...ids].sort());
    }
  });
});

describe('converse: a "which one?" whose second procedure the classifier is sure of (real flows)', () => {
  const flows = realFlows;
  const text = "demande de rsa ou prime d'activité";

  it('offers that procedure first, whichever it is', () => {
    const ranked = readRequest(buildCatalog(flows, lexicons()), text, 'fr').ranked;
    // Close enough to be asked about together, and not tied: the keywords alone put the RSA first.
    expect(ranked[0]!.flowId).toBe('rsa-demande');
    expect(ranked[1]!.flowId).toBe('prime-activite');
    expect(ranked[1]!.score).toBeLessThan(ranked[0]!.score);
    for (const [first, second] of [['prime-activite', 'rsa-demande'], ['rsa-demande', 'prime-activite']] as const) {
      // Requests naming both, which the examples say were about `first`.
      const examples = [text, "rsa ou prime d'activité, je ne sais pas", "demande rsa prime d'activité", "prime d'activité ou rsa pour moi"].map((t) => ({ text: t, flow: first }));
      const r = converse(buildCatalog(flows, lexicons(), [], { examples }), initialState('fr'), { kind: 'text', text });
      expect(r.state.candidates?.slice(0, 2)).toEqual([first, second]);
    }
  });
});

describe('converse: a "which one?" the keywords made without the procedure the classifier is sure of (real flows)', () => {
  const text = "je voudrais m'inscrire sur le site de la sécu pour suivre mes remboursements";

  it('adds that procedure, first; without examples the keywords\' candidates stay as they were', () => {
    const alone = converse(buildCatalog(realFlows, lexicons()), initialState('fr'), { kind: 'text', text });
    expect(alone.state.candidates?.length).toBeGreaterThan(1);
    expect(alone.state.candidates).not.toContain('ameli-compte');
    const examples = ["m'inscrire sur ameli pour suivre mes remboursements", 'suivre mes remboursements sur le site de la sécu', "m'inscrire sur le site de la sécu", 'voir mes remboursements en ligne'].map((t) => ({ text: t, flow: 'ameli-compte' }));
    const r = converse(buildCatalog(realFlows, lexicons(), [], { examples }), initialState('fr'), { kind: 'text', text });
    expect(r.state.candidates?.[0]).toBe('ameli-compte');
    expect(r.state.candidates?.slice(1)).toEqual(alone.state.candidates?.slice(0, 3));
  });
});

describe('converse: a procedure the keywords only suggest, and the classifier is sure is another (real flows)', () => {
  const text = 'I moved to Lyon last month, do I have to update the address on my car registration?';

  it('asks about both, the classifier\'s first, instead of "Vous voulez dire" the keywords\' one', () => {
    const alone = converse(buildCatalog(realFlows, lexicons()), initialState('fr'), { kind: 'text', text });
    const suggested = alone.state.offer?.kind === 'flow' ? alone.state.offer.flowId : undefined;
    expect(suggested).toBeDefined();
    expect(suggested).not.toBe('carte-grise-ants');
    const examples = ['new address on my car registration', 'I moved, change the address on my vehicle registration', 'update address car registration certificate', 'car registration address after moving'].map((t) => ({ text: t, flow: 'carte-grise-ants' }));
    const r = converse(buildCatalog(realFlows, lexicons(), [], { examples }), initialState('en'), { kind: 'text', text });
    expect(r.state.candidates).toEqual(['carte-grise-ants', suggested]);
  });
});

describe('converse: what was asked before "which one?" picks nothing by itself (real flows)', () => {
  it('« merci » after « rdv a la prefecture » starts no procedure', () => {
    const real = buildCatalog(realFlows, lexicons());
    let r = converse(real, initialState('fr'), { kind: 'text', text: 'rdv a la prefecture' });
    expect(r.state.candidates?.length).toBeGreaterThan(1);
    r = converse(real, r.state, { kind: 'text', text: 'hhhhh' });
    expect(r.state.flowId).toBeUndefined();
    r = converse(real, initialState('fr'), { kind: 'text', text: 'rdv a la prefecture' });
    r = converse(real, r.state, { kind: 'text', text: 'merci' });
    expect(r.state.flowId).toBeUndefined();
  });
});

describe('converse: a clear keyword start the classifier is sure is another procedure (real flows)', () => {
  const flows = realFlows;
  const text = 'g trouvé 1 cdi jsui au rsa, je doi le dir a la caf ou pa';

  it('becomes "which one?" with the classifier\'s procedure first; without examples it starts', () => {
    const alone = converse(buildCatalog(flows, lexicons()), initialState('fr'), { kind: 'text', text });
    expect(alone.state.flowId).toBe('rsa-demande');
    // The request itself among them: the test is about the rule, not about how far the classifier
    // generalises (its shares move with every flow's keywords).
    const examples = [text, "j'ai trouvé un cdi et je suis au rsa, je dois prévenir la caf", 'je touche le rsa et je commence un travail lundi, faut le dire a la caf', 'nouveau travail au rsa le dire a la caf', 'au rsa et embauché en cdi, je préviens la caf comment', 'je suis au rsa et j ai trouvé du travail', 'rsa et nouveau cdi, prévenir la caf', 'jai un cdi maintenant, je touche le rsa, je le dis a la caf', 'trouvé un travail, je suis au rsa'].map((t) => ({ text: t, flow: 'caf-changement-situation' }));
    const r = converse(buildCatalog(flows, lexicons(), [], { examples }), initialState('fr'), { kind: 'text', text });
    expect(r.state.flowId).toBeUndefined();
    expect(r.state.candidates).toEqual(['caf-changement-situation', 'rsa-demande']);
  });
});

describe('converse: a clear keyword start the classifier says is about no procedure (real flows)', () => {
  const flows = realFlows;
  const text = "mon remboursement d'impôt n'est pas arrivé";

  it('is asked about instead of started; without examples it starts', () => {
    expect(converse(buildCatalog(flows, lexicons()), initialState('fr'), { kind: 'text', text }).state.flowId).toBe('impots-premiere-declaration');
    const examples = [text, "le remboursement des impôts n'arrive pas", 'quand les impôts remboursent le trop payé', 'je devais être remboursé par les impôts en août', "toujours pas reçu l'argent des impôts", 'remboursement impôt en retard'].map((t) => ({ text: t, flow: 'none' }));
    const r = converse(buildCatalog(flows, lexicons(), [], { examples }), initialState('fr'), { kind: 'text', text });
    expect(r.state.flowId).toBeUndefined();
    expect(r.state.offer).toEqual({ kind: 'flow', flowId: 'impots-premiere-declaration' });
  });
});

/**
 * The flow format: the single source of truth for what a `flows/<id>.yaml` file may contain.
 *
 * These TypeBox values are JSON Schema objects at run time and TypeScript types at compile time, so
 * the loader's validation (ajv), the published `flows/flow.schema.json` (editor completion for admins)
 * and the engine's types can never drift apart. Descriptions are in French because admins read them
 * in their editor's tooltips.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Languages a text may be written in. `fr-facile` is easy-to-read French (FALC-inspired). */
export const LANGUAGE_PATTERN = '^(fr|en|ar|fr-facile|[a-z]{2}(-[a-z]+)?)$';

/** A node or flow identifier: lower-case words joined by hyphens, e.g. `mot-de-passe-oublie`. */
export const ID_PATTERN = '^[a-z0-9]+(-[a-z0-9]+)*$';

/** The services of the national standard for digital-mediation places (standard-mediation-num v1). */
export const STANDARD_SERVICES = [
  'Aide aux démarches administratives',
  'Maîtrise des outils numériques du quotidien',
  'Insertion professionnelle via le numérique',
  'Utilisation sécurisée du numérique',
  'Parentalité et éducation avec le numérique',
  'Loisirs et créations numériques',
  'Compréhension du monde numérique',
  'Accès internet et matériel informatique',
  'Acquisition de matériel informatique à prix solidaire',
] as const;

/** The national programmes of the standard (`dispositif_programmes_nationaux`). */
export const STANDARD_PROGRAMMES = [
  'Aidants Connect',
  'Bibliothèques numérique de référence',
  'Certification PIX',
  'Conseillers numériques',
  'Emmaüs Connect',
  'France Services',
  'Grande école du numérique',
  'La Croix Rouge',
  "Point d'accès numérique CAF",
  'Promeneurs du net',
  'Relais numérique (Emmaüs Connect)',
] as const;

/** Specific support a place may offer (`prise_en_charge_specifique`). */
export const STANDARD_SPECIFIC_SUPPORT = [
  'Surdité',
  'Handicaps moteurs',
  'Handicaps mentaux',
  'Illettrisme',
  'Langues étrangères (anglais)',
  'Langues étrangères (autres)',
  'Déficience visuelle',
] as const;

const enumOf = <T extends readonly string[]>(values: T, description: string) =>
  Type.Union(values.map((v) => Type.Literal(v)) as unknown as [TSchema, ...TSchema[]], { description }) as unknown as ReturnType<
    typeof Type.String
  >;

/** A user-facing text: plain French, or one entry per language (`fr` is required). */
export const Text = Type.Union(
  [
    Type.String({ minLength: 1, description: 'Texte en français.' }),
    Type.Object(
      { fr: Type.String({ minLength: 1, description: 'Texte en français (obligatoire).' }) },
      {
        patternProperties: { [LANGUAGE_PATTERN]: Type.String({ minLength: 1 }) },
        additionalProperties: false,
        description: 'Le texte dans chaque langue : fr (obligatoire), en, ar, fr-facile…',
      },
    ),
  ],
  { description: 'Un texte : une simple chaîne en français, ou une traduction par langue (fr, en, ar, fr-facile…).' },
);
export type Text = Static<typeof Text>;

/** Words people may type: a list (French), or one list per language. */
export const Words = Type.Union(
  [
    Type.Array(Type.String({ minLength: 1 }), { description: 'Mots ou expressions en français.' }),
    Type.Object(
      { fr: Type.Array(Type.String({ minLength: 1 })) },
      { patternProperties: { [LANGUAGE_PATTERN]: Type.Array(Type.String({ minLength: 1 })) }, additionalProperties: false, description: 'Une liste de mots par langue : fr, en, ar, fr-facile…' },
    ),
  ],
  { description: 'Des mots ou expressions que les gens écrivent : une liste, ou une liste par langue.' },
);
export type Words = Static<typeof Words>;

const NodeId = Type.String({ pattern: ID_PATTERN, description: "L'identifiant d'un nœud de ce parcours (dans `nodes`)." });
const HttpsUrl = Type.String({ pattern: '^https?://', description: 'Une adresse web (https://…).' });

/** A web link shown to the person, with a button label. */
export const Link = Type.Object(
  { url: HttpsUrl, label: Text },
  { additionalProperties: false, description: 'Un lien : `url` et le texte du bouton `label`.' },
);
export type Link = Static<typeof Link>;

/** A service-public fiche id, e.g. `F10027`. */
export const FICHE_ID_SCHEMA_PATTERN = '^[FRN][0-9]+$';
const FicheId = Type.String({
  pattern: FICHE_ID_SCHEMA_PATTERN,
  description: 'L’identifiant d’une fiche service-public : F, R ou N suivi de chiffres, à la fin de l’adresse de la page (…/vosdroits/F10027).',
});

/** A node's source: an address, or a fiche id. */
export const CITATION_PATTERN = '^(https?://.+|[FRN][0-9]+)$';
const Citation = Type.String({ pattern: CITATION_PATTERN, description: 'Une adresse web (https://…) ou l’identifiant d’une fiche service-public (F10027).' });

/** A fact's origin: an official page, by address or as a service-public fiche. */
export const Source = Type.Union(
  [
    Type.Object({ url: HttpsUrl, title: Type.Optional(Type.String()) }, { additionalProperties: false, description: 'Une page officielle : `url` et, si besoin, `title`.' }),
    Type.Object(
      { fiche: FicheId, title: Type.Optional(Type.String()) },
      { additionalProperties: false, description: 'Une fiche service-public : `fiche: F10027` ; `ariane check` vérifie qu’elle existe et qu’elle n’a pas changé depuis `reviewed`.' },
    ),
  ],
  { description: 'Une source officielle : `url: https://…`, ou `fiche: F10027` pour une fiche service-public ; `title` si besoin.' },
);
export type Source = Static<typeof Source>;

/**
 * The organisation's own line, for help at a distance: a person far from any help place still has a
 * human to call. Format rules a schema cannot phrase kindly (digits and spaces only, a cost with
 * every number, a source always) are checked by `checkFlow`, so the admin gets a French message.
 */
export const Contact = Type.Object(
  {
    label: Text,
    phone: Type.Optional(
      Type.String({ description: 'Le numéro, en chiffres groupés par des espaces, comme sur la page officielle : « 32 30 », « 0 809 401 401 ».' }),
    ),
    cost: Type.Optional(Text),
    hours: Type.Optional(Text),
    url: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'La page de contact (un formulaire, une FAQ) quand il n’y a pas de numéro, ou en plus du numéro.' }),
    ),
    source: Type.Optional(
      Type.Union([Citation, Type.Array(Citation, { minItems: 1 })], {
        description: 'La page officielle qui donne ce numéro, son coût et ses horaires : une adresse https://…, une fiche service-public (F10662), ou une liste.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Le téléphone ou la page de contact de l’organisme : `label` (son nom), `phone` (« 32 30 »), `cost` (« Service gratuit + prix d’un appel »), `hours`, `url`, et `source` (obligatoire).',
  },
);
export type Contact = Static<typeof Contact>;

/** What kind of help a help place must offer for this procedure (national standard values). */
export const Support = Type.Object(
  {
    services: Type.Array(enumOf(STANDARD_SERVICES, 'Un service du standard national des lieux de médiation numérique.'), {
      minItems: 1,
      description: 'Les services que le lieu doit proposer (au moins un ; par exemple « Aide aux démarches administratives »).',
    }),
    programmes: Type.Optional(
      Type.Array(enumOf(STANDARD_PROGRAMMES, 'Un dispositif national.'), {
        description: 'Dispositifs nationaux préférés (par exemple « France Services », « Aidants Connect »). Un lieu qui en fait partie est proposé en premier.',
      }),
    ),
    free: Type.Optional(Type.Boolean({ description: 'true : seulement des lieux gratuits.' })),
    specific: Type.Optional(Type.Array(enumOf(STANDARD_SPECIFIC_SUPPORT, 'Une prise en charge spécifique.'))),
  },
  { additionalProperties: false, description: "L'aide qu'un lieu doit offrir pour cette démarche." },
);
export type Support = Static<typeof Support>;

const common = {
  text: Text,
  source: Type.Optional(
    Type.Union([Citation, Type.Array(Citation)], { description: 'Source officielle des faits de ce nœud : une adresse https://…, ou une fiche service-public (F10027), ou une liste.' }),
  ),
};

/** `question`: one question, 2–8 answers as buttons. */
export const QuestionNode = Type.Object(
  {
    kind: Type.Literal('question'),
    ...common,
    name: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'Nom sous lequel la réponse est gardée (par défaut : l’identifiant du nœud).' })),
    choices: Type.Array(
      Type.Object(
        {
          label: Text,
          synonyms: Type.Optional(Words),
          value: Type.Optional(Type.String({ description: 'Valeur gardée pour cette réponse (par défaut : le `next`).' })),
          next: NodeId,
        },
        { additionalProperties: false, description: 'Une réponse possible : `label` (le bouton), `synonyms`, `next`.' },
      ),
      { minItems: 2, maxItems: 8, description: 'De 2 à 8 réponses possibles.' },
    ),
  },
  { additionalProperties: false, description: 'Une question avec des réponses à choisir.' },
);

/** The types of free answer an `input` node accepts. */
export const INPUT_TYPES = ['postcode', 'commune', 'date', 'number', 'yesno', 'text'] as const;

/** `input`: a typed free answer, validated, stored under `name`. */
export const InputNode = Type.Object(
  {
    kind: Type.Literal('input'),
    ...common,
    type: enumOf(INPUT_TYPES, 'postcode (code postal), commune, date, number (nombre), yesno (oui/non), text (texte court).'),
    name: Type.String({ pattern: '^[a-z][a-z0-9_]*$', description: 'Nom sous lequel la réponse est gardée.' }),
    retry: Type.Optional(Text),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    next: NodeId,
  },
  { additionalProperties: false, description: 'Une réponse libre, vérifiée (code postal, date, nombre…).' },
);

/** `step`: something the person does, then confirms ("C'est fait" / "Je n'y arrive pas"). */
export const StepNode = Type.Object(
  {
    kind: Type.Literal('step'),
    ...common,
    link: Type.Optional(Link),
    image: Type.Optional(
      Type.Object({ src: Type.String({ minLength: 1 }), alt: Text }, { additionalProperties: false, description: 'Une image et son texte alternatif `alt`.' }),
    ),
    next: NodeId,
    stuck: Type.Optional(Type.String({ pattern: ID_PATTERN, description: "Où aller si la personne répond « Je n'y arrive pas » (par défaut : l'aide humaine)." })),
  },
  { additionalProperties: false, description: 'Une action à faire, confirmée par « C’est fait » ou « Je n’y arrive pas ».' },
);

/** `checklist`: documents or prerequisites to gather. */
export const ChecklistNode = Type.Object(
  {
    kind: Type.Literal('checklist'),
    ...common,
    items: Type.Array(Text, { minItems: 1, description: 'Les éléments à réunir, un par ligne.' }),
    next: NodeId,
  },
  { additionalProperties: false, description: 'Une liste de documents ou de choses à préparer.' },
);

/** A condition on an earlier answer: `answer` plus exactly one operator. */
export const Condition = Type.Object(
  {
    answer: Type.String({ description: 'Le nom de la réponse (le `name` d’un nœud, ou son identifiant).' }),
    equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    in: Type.Optional(Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1 })),
    missing: Type.Optional(Type.Boolean()),
    lt: Type.Optional(Type.Number()),
    lte: Type.Optional(Type.Number()),
    gt: Type.Optional(Type.Number()),
    gte: Type.Optional(Type.Number()),
  },
  { additionalProperties: false, description: 'Une condition : `answer` et un seul test parmi equals, in, missing, lt, lte, gt, gte.' },
);
export type Condition = Static<typeof Condition>;

/** `branch`: routes on earlier answers; the first rule that holds wins, else `otherwise`. */
export const BranchNode = Type.Object(
  {
    kind: Type.Literal('branch'),
    text: Type.Optional(Text),
    rules: Type.Array(
      Type.Object(
        {
          when: Type.Union(
            [
              Condition,
              Type.Object({ all: Type.Array(Condition, { minItems: 1, description: 'Toutes ces conditions doivent être vraies.' }) }, { additionalProperties: false }),
              Type.Object({ any: Type.Array(Condition, { minItems: 1, description: 'Au moins une de ces conditions doit être vraie.' }) }, { additionalProperties: false }),
            ],
            { description: 'Une condition { answer, et un test }, ou all: [conditions] (toutes vraies), ou any: [conditions] (au moins une vraie).' },
          ),
          next: NodeId,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, description: 'Les règles, essayées dans l’ordre : la première vraie choisit le nœud suivant.' },
    ),
    otherwise: Type.String({ pattern: ID_PATTERN, description: 'Le nœud suivant quand aucune règle n’est vraie.' }),
  },
  { additionalProperties: false, description: 'Un aiguillage selon les réponses déjà données (sans question).' },
);

/** `end`: the outcome, what happens next, and where to look if it does not. */
export const EndNode = Type.Object(
  {
    kind: Type.Literal('end'),
    ...common,
    next_steps: Type.Optional(Text),
    if_problem: Type.Optional(Text),
    links: Type.Optional(Type.Array(Link)),
  },
  { additionalProperties: false, description: 'La fin du parcours : le résultat, la suite (`next_steps`), et quoi faire en cas de problème (`if_problem`).' },
);

/** `handoff`: hand over to a human help point. */
export const HandoffNode = Type.Object(
  {
    kind: Type.Literal('handoff'),
    ...common,
    reason: Text,
    support: Type.Optional(Support),
  },
  { additionalProperties: false, description: 'Passer le relais à une personne (lieu d’aide), avec la raison.' },
);

/** Every node kind, discriminated by `kind`. */
export const NODE_KINDS = ['question', 'input', 'step', 'checklist', 'branch', 'end', 'handoff'] as const;
export const FlowNode = Type.Union([QuestionNode, InputNode, StepNode, ChecklistNode, BranchNode, EndNode, HandoffNode], {
  description: 'Un nœud. Son type `kind` : question, input, step, checklist, branch, end ou handoff.',
});
export type FlowNode = Static<typeof FlowNode>;
export type NodeKind = FlowNode['kind'];
export type NodeOf<K extends NodeKind> = Extract<FlowNode, { kind: K }>;

/** A whole flow file. */
export const Flow = Type.Object(
  {
    id: Type.String({ pattern: ID_PATTERN, description: 'Identifiant du parcours, égal au nom du fichier (sans .yaml).' }),
    title: Text,
    summary: Type.Optional(Text),
    keywords: Words,
    organisation: Type.String({ minLength: 1, description: 'L’organisme concerné : CAF, France Travail, ANTS, préfecture…' }),
    support: Support,
    sources: Type.Array(Source, {
      minItems: 1,
      description: 'Les pages officielles utilisées pour écrire ce parcours. Les fiches service-public citées ici sont celles qui parlent de cette démarche.',
    }),
    contact: Type.Optional(Contact),
    reviewed: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Date de la dernière vérification du contenu (AAAA-MM-JJ).' }),
    languages: Type.Array(Type.String({ pattern: LANGUAGE_PATTERN }), { minItems: 1, description: 'Les langues de ce parcours (fr en premier).' }),
    start: NodeId,
    // additionalProperties: false so that a badly written node id is an error, not a silently ignored node.
    nodes: Type.Record(Type.String({ pattern: ID_PATTERN }), FlowNode, {
      additionalProperties: false,
      minProperties: 1,
      description: 'Les nœuds du parcours, par identifiant (minuscules, chiffres et tirets).',
    }),
  },
  { additionalProperties: false, title: 'Parcours Ariane' },
);
export type Flow = Static<typeof Flow>;

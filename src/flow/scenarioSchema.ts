/**
 * The format of scenario files, `flows/<id>.test.yaml` (see flows/README.md): answers in, expected
 * end node or handoff out. Kept next to the flow schema so that `ariane check` can validate their
 * shape and the test runner can rely on it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ID_PATTERN, LANGUAGE_PATTERN } from './schema';

/** Handoff reasons a scenario may expect (engine `HandoffReason`). */
export const HANDOFF_REASONS = ['asked', 'failures', 'stuck', 'node', 'no-match'] as const;

/** One answer: typed text (a number is typed text too), or a button's stable value. */
export const ScenarioAnswer = Type.Union(
  [
    Type.String({ minLength: 1, description: 'Ce que la personne écrit.' }),
    Type.Number({ description: 'Un nombre écrit par la personne (par exemple « 2 » pour la 2e réponse).' }),
    Type.Object({ choice: Type.String({ minLength: 1, description: 'La valeur du bouton cliqué (`value` de la réponse, ou `done`, `stuck`…).' }) }, { additionalProperties: false }),
    Type.Object(
      {
        location: Type.Object(
          { lat: Type.Number({ minimum: -90, maximum: 90 }), lon: Type.Number({ minimum: -180, maximum: 180 }) },
          { additionalProperties: false, description: 'La position envoyée par le téléphone (latitude, longitude).' },
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'Une réponse : un texte écrit, { choice: valeur } pour un bouton, ou { location: { lat, lon } } pour une position.' },
);
export type ScenarioAnswer = Static<typeof ScenarioAnswer>;

export const Scenario = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Le nom du scénario, affiché en cas d’échec.' }),
    lang: Type.Optional(Type.String({ pattern: LANGUAGE_PATTERN, description: 'La langue de la conversation (fr par défaut).' })),
    from: Type.Optional(
      Type.Literal('welcome', { description: 'welcome : la conversation commence à l’accueil (la première réponse choisit la démarche), au lieu du début du parcours.' }),
    ),
    answers: Type.Array(ScenarioAnswer, { description: 'Les réponses, dans l’ordre, une par tour.' }),
    path: Type.Optional(Type.Array(Type.String({ pattern: ID_PATTERN }), { description: 'Des nœuds visités dans cet ordre (d’autres peuvent être entre eux).' })),
    end: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Le nœud `end` attendu à la fin.' })),
    handoff: Type.Optional(
      Type.Union([Type.Boolean(), ...HANDOFF_REASONS.map((r) => Type.Literal(r))], {
        description: 'true : un relais vers une personne est attendu ; ou la raison attendue (asked, failures, stuck, node, no-match).',
      }),
    ),
    at: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Le nœud de ce parcours où la conversation attend une réponse à la fin.' })),
    choosing: Type.Optional(Type.Literal(true, { description: 'true : à la fin, aucune démarche n’est en cours (la personne choisit une démarche).' })),
    help: Type.Optional(
      Type.Union([Type.Literal('where'), Type.Literal('places')], {
        description: 'Après la dernière réponse : where = le bot demande où est la personne ; places = il montre des lieux d’aide.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Un scénario : des réponses, et la fin attendue (`end`, `handoff`, `at` ou `choosing`).' },
);
export type Scenario = Static<typeof Scenario>;

export const ScenarioFile = Type.Object(
  {
    flow: Type.String({ pattern: ID_PATTERN, description: 'L’identifiant du parcours testé (le nom du fichier sans .test.yaml).' }),
    scenarios: Type.Array(Scenario, { minItems: 1, description: 'Les scénarios.' }),
  },
  { additionalProperties: false, title: 'Scénarios de test d’un parcours Ariane' },
);
export type ScenarioFile = Static<typeof ScenarioFile>;

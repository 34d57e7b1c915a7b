/**
 * The format of example files, `flows/*.examples.yaml` (see flows/README.md): requests people
 * wrote, grouped by the procedure they meant (a flow id) or `none` when no procedure covers them.
 * The engine's classifier learns from them.
 */
import { Type, type Static } from '@sinclair/typebox';

export const ExamplesFile = Type.Object(
  {
    examples: Type.Record(
      Type.String(),
      Type.Array(Type.String({ minLength: 1, description: 'Une demande, telle que la personne l’a écrite.' }), {
        description: 'Les demandes qui veulent dire ce parcours.',
      }),
      { description: 'Pour chaque identifiant de parcours (ou « none » : aucune démarche), des demandes écrites par des personnes.' },
    ),
  },
  { additionalProperties: false },
);
export type ExamplesFile = Static<typeof ExamplesFile>;

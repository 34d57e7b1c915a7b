import { ScenarioFile } from './scenarioSchema';
import { Flow } from './schema';

/**
 * The published JSON Schema of flow files (`flows/flow.schema.json`), derived from the TypeBox
 * schema the loader validates with, so that editor hints and `ariane check` can never disagree.
 */
export function flowJsonSchema(): Record<string, unknown> {
  // JSON round-trip drops TypeBox's symbol keys and leaves plain JSON Schema.
  const schema = JSON.parse(JSON.stringify(Flow)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: 'Fichier généré par « npm run schema » depuis src/flow/schema.ts : ne pas modifier à la main.',
    ...schema,
    description: 'Un parcours Ariane (flows/<id>.yaml). Guide : flows/README.md.',
  };
}

/** The exact text of `flows/flow.schema.json` (2-space indent, final newline). */
export function flowJsonSchemaText(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
}

/** The exact text of `flows/flow-test.schema.json`, for scenario files (`<id>.test.yaml`). */
export function scenarioJsonSchemaText(): string {
  const schema = JSON.parse(JSON.stringify(ScenarioFile)) as Record<string, unknown>;
  const full = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: 'Fichier généré par « npm run schema » depuis src/flow/scenarioSchema.ts : ne pas modifier à la main.',
    ...schema,
    description: 'Les scénarios de test d’un parcours (flows/<id>.test.yaml). Guide : flows/README.md.',
  };
  return `${JSON.stringify(full, null, 2)}\n`;
}

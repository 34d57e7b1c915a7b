import { ExamplesFile } from './examplesSchema';
import { ScenarioFile } from './scenarioSchema';
import { Flow } from './schema';

/**
 * The published JSON Schema of flow files (`flows/flow.schema.json`), derived from the TypeBox
 * schema the loader validates with, so that editor hints and `ariane check` can never disagree.
 */
export function flowJsonSchema(): Record<string, unknown> {
  // JSON round-trip drops TypeBox's symbol keys and leaves plain JSON Schema.
  const schema = JSON.parse(JSON.stringify(Flow)) as { properties: { nodes: { patternProperties: Record<string, Record<string, unknown>> } } };
  // Editor-only: a ready-made node of each kind when an admin starts a new node (VS Code YAML extension).
  for (const nodeSchema of Object.values(schema.properties.nodes.patternProperties)) nodeSchema.defaultSnippets = NODE_SNIPPETS;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: 'Fichier généré par « npm run schema » depuis src/flow/schema.ts : ne pas modifier à la main.',
    ...schema,
    description: 'Un parcours Ariane (flows/<id>.yaml). Guide : flows/README.md.',
  };
}

/**
 * Node templates offered by yaml-language-server (`defaultSnippets`, a keyword of that editor
 * extension, ignored by validators). `${n:…}` are the places the cursor jumps to.
 */
export const NODE_SNIPPETS: ReadonlyArray<{ label: string; description: string; body: Record<string, unknown> }> = [
  {
    label: 'question',
    description: 'Une question et ses réponses (2 à 8)',
    body: { kind: 'question', text: '${1:La question ?}', choices: [{ label: '${2:Oui}', next: '${3:noeud-suivant}' }, { label: '${4:Non}', next: '${5:autre-noeud}' }] },
  },
  {
    label: 'input',
    description: 'Une réponse libre vérifiée (code postal, date, nombre…)',
    body: { kind: 'input', type: '${1|postcode,commune,date,number,yesno,text|}', name: '${2:nom_reponse}', text: '${3:La question ?}', next: '${4:noeud-suivant}' },
  },
  {
    label: 'step',
    description: 'Une action à faire (« C’est fait » / « Je n’y arrive pas »)',
    body: { kind: 'step', text: '${1:Ce qu’il faut faire.}', link: { url: 'https://${2:www.service-public.fr/}', label: '${3:Ouvrir le site}' }, next: '${4:noeud-suivant}' },
  },
  {
    label: 'checklist',
    description: 'Des documents à préparer',
    body: { kind: 'checklist', text: '${1:Préparez :}', items: ['${2:Premier document}'], next: '${3:noeud-suivant}' },
  },
  {
    label: 'branch',
    description: 'Un aiguillage selon une réponse déjà donnée',
    body: { kind: 'branch', rules: [{ when: { answer: '${1:nom_reponse}', equals: '${2:valeur}' }, next: '${3:noeud-si-vrai}' }], otherwise: '${4:noeud-sinon}' },
  },
  {
    label: 'end',
    description: 'La fin : le résultat et la suite',
    body: { kind: 'end', text: '${1:Le résultat.}', next_steps: '${2:Ce qui se passe ensuite.}', if_problem: '${3:Quoi faire en cas de problème.}' },
  },
  {
    label: 'handoff',
    description: 'Passer le relais à une personne',
    body: { kind: 'handoff', text: '${1:Une personne peut vous aider.}', reason: '${2:La raison, pour le médiateur}' },
  },
];

/** The exact text of `flows/flow.schema.json` (2-space indent, final newline). */
export function flowJsonSchemaText(): string {
  return `${JSON.stringify(flowJsonSchema(), null, 2)}\n`;
}

/** A schema file's text: the TypeBox schema as plain JSON Schema, with where it comes from and what it describes. */
function schemaFileText(schema: unknown, source: string, description: string): string {
  const full = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $comment: `Fichier généré par « npm run schema » depuis ${source} : ne pas modifier à la main.`,
    // JSON round-trip drops TypeBox's symbol keys.
    ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>),
    description,
  };
  return `${JSON.stringify(full, null, 2)}\n`;
}

/** The exact text of `flows/flow-test.schema.json`, for scenario files (`<id>.test.yaml`). */
export function scenarioJsonSchemaText(): string {
  return schemaFileText(ScenarioFile, 'src/flow/scenarioSchema.ts', 'Les scénarios de test d’un parcours (flows/<id>.test.yaml). Guide : flows/README.md.');
}

/** The exact text of `flows/examples.schema.json`, for example files (`<name>.examples.yaml`). */
export function examplesJsonSchemaText(): string {
  return schemaFileText(
    ExamplesFile,
    'src/flow/examplesSchema.ts',
    'Des demandes écrites par des personnes, rangées sous le parcours qu’elles veulent dire ou sous « none » (flows/<nom>.examples.yaml). Guide : flows/README.md.',
  );
}

/**
 * `npm run schema`: writes `flows/flow.schema.json`, `flows/flow-test.schema.json` and `flows/examples.schema.json` from the TypeBox schemas. A test fails when the
 * committed file differs, so run this after any change to src/flow/schema.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { examplesJsonSchemaText, flowJsonSchemaText, scenarioJsonSchemaText } from './flowJsonSchema';

/** Writes the schema files (flows, scenario and example files) into `flowsDir` and returns their paths. */
export function writeFlowSchema(flowsDir: string): string[] {
  const flowFile = join(flowsDir, 'flow.schema.json');
  const scenarioFile = join(flowsDir, 'flow-test.schema.json');
  writeFileSync(flowFile, flowJsonSchemaText());
  const examplesFile = join(flowsDir, 'examples.schema.json');
  writeFileSync(scenarioFile, scenarioJsonSchemaText());
  writeFileSync(examplesFile, examplesJsonSchemaText());
  return [flowFile, scenarioFile, examplesFile];
}

if (require.main === module) {
  for (const file of writeFlowSchema(process.argv[2] ?? 'flows')) console.log(`écrit : ${file}`);
}

/**
 * `npm run schema`: writes `flows/flow.schema.json` from the TypeBox schema. A test fails when the
 * committed file differs, so run this after any change to src/flow/schema.ts.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flowJsonSchemaText } from './flowJsonSchema';

/** Writes the schema file into `flowsDir` and returns its path. */
export function writeFlowSchema(flowsDir: string): string {
  const file = join(flowsDir, 'flow.schema.json');
  writeFileSync(file, flowJsonSchemaText());
  return file;
}

if (require.main === module) {
  const file = writeFlowSchema(process.argv[2] ?? 'flows');
  console.log(`écrit : ${file}`);
}

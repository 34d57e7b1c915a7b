import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { flowJsonSchemaText, scenarioJsonSchemaText } from '../../src/flow';
import { parse } from 'yaml';

const flowsDir = join(__dirname, '..', '..', 'flows');

describe('published JSON Schemas', () => {
  it('flows/flow.schema.json is exactly what `npm run schema` generates (no drift)', () => {
    expect(readFileSync(join(flowsDir, 'flow.schema.json'), 'utf8')).toBe(flowJsonSchemaText());
  });

  it('flows/flow-test.schema.json is exactly what `npm run schema` generates', () => {
    expect(readFileSync(join(flowsDir, 'flow-test.schema.json'), 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('is a draft-07 schema a standard validator accepts, and it rejects a misspelt field', () => {
    const schema = JSON.parse(flowJsonSchemaText()) as Record<string, unknown>;
    const ajv = new Ajv({ allowMatchingProperties: true });
    const validate = ajv.compile(schema);
    const good = parse(readFileSync(join(__dirname, '..', 'fixtures', 'flows-valid', 'exemple-complet.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, titel: 'x' })).toBe(false);
  });

  it('every flow file starts with the yaml-language-server schema line', () => {
    const files = readdirSync(flowsDir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
    for (const f of files) {
      expect(`${f}: ${readFileSync(join(flowsDir, f), 'utf8').split('\n')[0]}`).toBe(`${f}: # yaml-language-server: $schema=flow.schema.json`);
    }
  });
});

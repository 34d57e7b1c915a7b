import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { FlowNode } from '../../src/flow';
import { NODE_KINDS } from '../../src/flow/schema';
import { NODE_SNIPPETS, examplesJsonSchemaText, flowJsonSchemaText, scenarioJsonSchemaText } from '../../src/flow/flowJsonSchema';
import { parse } from 'yaml';

const flowsDir = join(__dirname, '..', '..', 'flows');

describe('published JSON Schemas', () => {
  it('flows/flow.schema.json is exactly what `npm run schema` generates (no drift)', () => {
    expect(readFileSync(join(flowsDir, 'flow.schema.json'), 'utf8')).toBe(flowJsonSchemaText());
  });

  it('flows/flow-test.schema.json is exactly what `npm run schema` generates', () => {
    expect(readFileSync(join(flowsDir, 'flow-test.schema.json'), 'utf8')).toBe(scenarioJsonSchemaText());
  });

  it('flows/examples.schema.json is exactly what `npm run schema` generates, and accepts the shipped examples', () => {
    expect(readFileSync(join(flowsDir, 'examples.schema.json'), 'utf8')).toBe(examplesJsonSchemaText());
    const validate = new Ajv().compile(JSON.parse(examplesJsonSchemaText()) as Record<string, unknown>);
    expect(validate(parse(readFileSync(join(flowsDir, 'demandes.examples.yaml'), 'utf8')))).toBe(true);
    expect(validate({ examples: { 'caf-attestation': 'pas une liste' } })).toBe(false);
  });

  it('is a draft-07 schema a standard validator accepts, and it rejects a misspelt field', () => {
    const schema = JSON.parse(flowJsonSchemaText()) as Record<string, unknown>;
    const ajv = new Ajv({ allowMatchingProperties: true });
    ajv.addKeyword('defaultSnippets'); // the editor's keyword: validators ignore it
    const validate = ajv.compile(schema);
    const good = parse(readFileSync(join(__dirname, '..', 'fixtures', 'flows-valid', 'exemple-complet.yaml'), 'utf8')) as Record<string, unknown>;
    expect(validate(good)).toBe(true);
    expect(validate({ ...good, titel: 'x' })).toBe(false);
  });

  it('offers one editor snippet per node kind, each a valid node once its placeholders are filled', () => {
    expect(NODE_SNIPPETS.map((s) => s.label)).toEqual([...NODE_KINDS]);
    const validate = new Ajv({ allowMatchingProperties: true }).compile(FlowNode);
    for (const snippet of NODE_SNIPPETS) {
      const filled = JSON.parse(
        JSON.stringify(snippet.body)
          .replace(/\$\{\d+:([^}]*)\}/g, '$1')
          .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1'),
      ) as unknown;
      expect(`${snippet.label}: ${String(validate(filled))}`).toBe(`${snippet.label}: true`);
    }
    expect(flowJsonSchemaText()).toContain('"defaultSnippets"');
  });

  it('every flow file starts with the yaml-language-server schema line', () => {
    const files = readdirSync(flowsDir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
    for (const f of files) {
      const schema = f.endsWith('.examples.yaml') ? 'examples.schema.json' : 'flow.schema.json';
      expect(`${f}: ${readFileSync(join(flowsDir, f), 'utf8').split('\n')[0]}`).toBe(`${f}: # yaml-language-server: $schema=${schema}`);
    }
  });
});

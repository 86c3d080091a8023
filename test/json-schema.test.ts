// The JSON Schema that editors check mesh files with is generated from the zod schema. The copy in
// git must be the current one, must be a valid JSON Schema 2020-12, and must agree with meshctl:
// it accepts the example mesh and rejects what the schema check rejects.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { parseAllDocuments, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { meshJsonSchemaText } from '../src/index.js';
import { LIMITS } from '../src/schema/limits.js';
import { validateText } from './helpers/validate-text.js';

const repoRoot = path.join(import.meta.dirname, '..');
const schemaFile = path.join(repoRoot, 'schemas', 'mesh.schema.json');
const examplesDir = path.join(repoRoot, 'examples', 'mesh');
const fixturesDir = path.join(import.meta.dirname, 'fixtures', 'invalid');
const SCHEMA_COMMENT = '# yaml-language-server: $schema=';

// A CommonJS module: its class is both the module and its `default`, whichever interop loads it.
const Ajv2020 = Ajv2020Module.default;

function compileMeshSchema() {
  // Strict: an unknown keyword or a malformed one is an error, not silently ignored.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
}

function documentsOf(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as unknown)
    .filter((value) => value !== null && value !== undefined);
}

describe('schemas/mesh.schema.json', () => {
  it('is what the zod schema generates now', () => {
    const checkedIn = readFileSync(schemaFile, 'utf8');
    expect(checkedIn === meshJsonSchemaText(), 'schemas/mesh.schema.json is stale: run `npm run schema` and commit the result').toBe(true);
  });

  it('is a valid JSON Schema 2020-12', () => {
    const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors, null, 2)).toBe(true);
    expect(() => compileMeshSchema()).not.toThrow();
  });

  it('rejects the schema fixtures (MESH100-MESH105) that meshctl rejects', () => {
    const validateMesh = compileMeshSchema();
    const files = readdirSync(fixturesDir).filter((name) => /^MESH10[0-5]-.*\.ya?ml$/.test(name)).sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const name of files) {
      const documents = documentsOf(path.join(fixturesDir, name));
      expect(documents.length, name).toBeGreaterThan(0);
      expect(documents.some((document) => !validateMesh(document)), `${name}: the JSON Schema accepts every document`).toBe(true);
    }
  });
});

const exampleFiles = existsSync(examplesDir)
  ? readdirSync(examplesDir, { recursive: true, encoding: 'utf8' }).filter((name) => /\.ya?ml$/.test(name)).sort()
  : [];

describe.skipIf(exampleFiles.length === 0)('examples/mesh', () => {
  it.each(exampleFiles)('%s names the schema on its first line and validates against it', (name) => {
    const file = path.join(examplesDir, name);
    const firstLine = readFileSync(file, 'utf8').split('\n')[0]!;
    expect(firstLine.startsWith(SCHEMA_COMMENT), `${name} must start with "${SCHEMA_COMMENT}<path>"`).toBe(true);
    // The path an editor follows from this file must lead to the schema.
    const target = firstLine.slice(SCHEMA_COMMENT.length).trim();
    if (!/^https?:\/\//.test(target)) expect(path.resolve(path.dirname(file), target)).toBe(schemaFile);

    const validateMesh = compileMeshSchema();
    const documents = documentsOf(file);
    expect(documents.length).toBeGreaterThan(0);
    for (const [i, document] of documents.entries()) {
      expect(validateMesh(document), `${name}, document ${i + 1}: ${JSON.stringify(validateMesh.errors, null, 2)}`).toBe(true);
    }
  });
});

describe('the JSON Schema\'s shape', () => {
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { $defs: Record<string, unknown>; allOf: unknown[] };
  const service = (spec: Record<string, unknown>) => ({ apiVersion: 'meshctl.dev/v1alpha1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80, protocol: 'http' }], ...spec } });

  it('defines each kind under $defs and picks one by kind', () => {
    expect(Object.keys(schema.$defs)).toEqual(['Mesh', 'Service', 'ExternalService', 'Gateway']);
    expect(schema.allOf).toHaveLength(4);
  });

  it('one typo is one error, not one per kind', () => {
    const validateMesh = compileMeshSchema();
    expect(validateMesh(service({ timeuot: '1s' }))).toBe(false);
    expect(validateMesh.errors?.filter((error) => error.keyword !== 'if').map((error) => `${error.instancePath} ${error.keyword} ${JSON.stringify(error.params)}`)).toEqual([
      '/spec additionalProperties {"additionalProperty":"timeuot"}',
    ]);
    expect(validateMesh({ ...service({}), kind: 'Servce' })).toBe(false);
    expect(validateMesh.errors?.map((error) => `${error.instancePath} ${error.keyword}`)).toEqual(['/kind enum']);
  });

  it('carries the duration syntax MESH310 checks', () => {
    const validateMesh = compileMeshSchema();
    const route = (timeout: string) => service({ routes: [{ name: 'all', timeout }] });
    expect(validateMesh(route('1m30s')), JSON.stringify(validateMesh.errors)).toBe(true);
    expect(validateMesh(route('90 seconds'))).toBe(false);
    expect(validateMesh.errors?.filter((error) => error.keyword !== 'if').map((error) => `${error.instancePath} ${error.keyword}`)).toEqual(['/spec/routes/0/timeout pattern']);
  });
});

// The bounds meshctl enforces — the zod types' (src/schema/limits.ts) and the rules' that give
// advice of their own — are in the JSON Schema too, so an editor flags what validate reports. Each
// case is checked at its bound and one step past it, by the JSON Schema and by meshctl alike.
describe('the JSON Schema carries the numeric bounds meshctl enforces', () => {
  const service = (spec: Record<string, unknown>) => ({
    apiVersion: 'meshctl.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'a', namespace: 'shop' },
    spec: { ports: [{ port: 80, protocol: 'http' }], versions: { v1: { labels: { version: 'v1' } }, v2: { labels: { version: 'v2' } } }, ...spec },
  });
  const route = (fields: Record<string, unknown>) => service({ routes: [{ name: 'all', ...fields }] });
  const cases: { field: string; make: (value: number) => Record<string, unknown>; lowest?: number; highest?: number }[] = [
    { field: 'ports[].port', make: (port) => service({ ports: [{ port, protocol: 'http' }] }), lowest: LIMITS.port.min, highest: LIMITS.port.max },
    { field: 'retries.attempts', make: (attempts) => route({ retries: { attempts } }), lowest: 0, highest: LIMITS.retryAttempts.max },
    { field: 'circuitBreaker.maxConnections', make: (maxConnections) => service({ resilience: { circuitBreaker: { maxConnections } } }), lowest: 1, highest: LIMITS.circuitBreaker.max },
    { field: 'circuitBreaker.maxRequestsPerConnection', make: (value) => service({ resilience: { circuitBreaker: { maxRequestsPerConnection: value } } }), lowest: 0 },
    { field: 'outlierDetection.consecutive5xx', make: (value) => service({ resilience: { outlierDetection: { consecutive5xx: value } } }), lowest: 0, highest: LIMITS.outlierCount.max },
    { field: 'rateLimit.local.requests', make: (requests) => service({ rateLimit: { local: { requests, per: '1s' } } }), lowest: 1, highest: LIMITS.tokenBucket.max },
    { field: 'route split weight', make: (weight) => route({ to: [{ version: 'v1', weight }, { version: 'v2', weight: 100 - weight }] }), lowest: 0, highest: 100 },
    { field: 'fault.abort.percent', make: (percent) => route({ fault: { abort: { status: 503, percent } } }), lowest: 0, highest: 100 },
    { field: 'canary.weight', make: (weight) => service({ canary: { stable: 'v1', canary: 'v2', weight } }), lowest: 0, highest: 100 },
  ];
  const meshctlAccepts = (document: Record<string, unknown>) => validateText(stringify(document)).errorCount === 0;

  it.each(cases)('$field', ({ make, lowest, highest }) => {
    const validateMesh = compileMeshSchema();
    const bounds = [
      ...(lowest !== undefined ? [[lowest, lowest - 1]] : []),
      ...(highest !== undefined ? [[highest, highest + 1]] : []),
    ];
    for (const [inside, outside] of bounds) {
      expect(validateMesh(make(inside!)), `${inside}: ${JSON.stringify(validateMesh.errors)}`).toBe(true);
      expect(meshctlAccepts(make(inside!)), `meshctl refuses ${inside}`).toBe(true);
      expect(validateMesh(make(outside!)), `the JSON Schema accepts ${outside}`).toBe(false);
      expect(meshctlAccepts(make(outside!)), `meshctl accepts ${outside}`).toBe(false);
    }
  });

  it('every upper bound of src/schema/limits.ts is in the schema', () => {
    const text = readFileSync(schemaFile, 'utf8');
    for (const [name, bound] of Object.entries(LIMITS)) {
      const keyword = ['port', 'retryAttempts', 'circuitBreaker', 'outlierCount', 'tokenBucket', 'globalRequests'].includes(name) ? 'maximum' : 'maxLength';
      expect(text, `${name}: ${keyword} ${bound.max}`).toContain(`"${keyword}": ${bound.max}`);
    }
  });
});

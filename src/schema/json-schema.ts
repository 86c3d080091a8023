// The JSON Schema of mesh files, generated from the zod schema (the single source of truth) for
// editors (yaml-language-server) and other tools.
//
// Each kind is a definition under $defs, chosen by `kind` (if/then): a typo inside a Service is
// reported against the Service definition alone, not against all four kinds as a oneOf would, and
// a misspelt kind is one error, at `kind`. Numeric bounds come from the zod types themselves; the
// duration syntax, which a rule (MESH310) checks rather than the zod type, is added as a pattern
// here so that editors flag it too.
import { z } from 'zod';
import { Duration } from './primitives.js';
import { API_VERSION, KINDS, RESOURCE_SCHEMAS } from './resources.js';

export const JSON_SCHEMA_ID = 'https://meshctl.dev/schemas/v1alpha1/mesh.schema.json';

/** The duration syntax parseDuration accepts (src/model/duration.ts). */
const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h))+$';

function kindSchema(kind: (typeof KINDS)[number]): Record<string, unknown> {
  // "input": the shape authors write, where fields with defaults are optional.
  const schema = z.toJSONSchema(RESOURCE_SCHEMAS[kind], {
    io: 'input',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema === Duration) jsonSchema.pattern = DURATION_PATTERN;
    },
  }) as Record<string, unknown>;
  // A kind's own $defs would need their references rewritten once nested here.
  if ('$defs' in schema) throw new Error(`the JSON Schema of ${kind} has $defs of its own: hoist them before nesting it`);
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema'));
}

export function meshJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: JSON_SCHEMA_ID,
    title: 'meshctl mesh file (meshctl.dev/v1alpha1)',
    description: 'One document of a meshctl mesh: Mesh, Service, ExternalService or Gateway.',
    type: 'object',
    required: ['apiVersion', 'kind'],
    properties: {
      apiVersion: { const: API_VERSION, description: `The format version: ${API_VERSION}.` },
      kind: { enum: [...KINDS], description: 'What the document declares.' },
    },
    allOf: KINDS.map((kind) => ({
      if: { type: 'object', properties: { kind: { const: kind } }, required: ['kind'] },
      then: { $ref: `#/$defs/${kind}` },
    })),
    $defs: Object.fromEntries(KINDS.map((kind) => [kind, kindSchema(kind)])),
  };
}

export function meshJsonSchemaText(): string {
  return JSON.stringify(meshJsonSchema(), null, 2) + '\n';
}

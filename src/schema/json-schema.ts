// The JSON Schema of mesh files, generated from the zod schema (the single source of truth) for
// editors (yaml-language-server) and other tools.
import { z } from 'zod';
import { MeshDocument } from './resources.js';

export const JSON_SCHEMA_ID = 'https://meshctl.dev/schemas/v1alpha1/mesh.schema.json';

export function meshJsonSchema(): Record<string, unknown> {
  // "input": the shape authors write, where fields with defaults are optional.
  const schema = z.toJSONSchema(MeshDocument, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: JSON_SCHEMA_ID,
    title: 'meshctl mesh file (meshctl.dev/v1alpha1)',
    description: 'One document of a meshctl mesh: Mesh, Service, ExternalService or Gateway.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

export function meshJsonSchemaText(): string {
  return JSON.stringify(meshJsonSchema(), null, 2) + '\n';
}

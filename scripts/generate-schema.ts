// Regenerates schemas/mesh.schema.json from the zod schema. A test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { meshJsonSchemaText } from '../src/schema/json-schema.js';

const target = new URL('../schemas/mesh.schema.json', import.meta.url);
writeFileSync(target, meshJsonSchemaText());
console.log(`wrote ${target.pathname}`);

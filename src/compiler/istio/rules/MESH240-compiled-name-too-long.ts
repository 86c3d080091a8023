// Finds services whose compiled objects get names longer than 63 characters once meshctl adds its
// suffixes (-allow, -local-ratelimit, -vm-<index>…). Kubernetes refuses such names when the
// compiled output is applied, long after review; the fix is a shorter metadata.name.
import { defineRule } from '../../../validators/rule.js';
import { MAX_COMPILED_NAME_LENGTH } from '../../../model/names.js';
import { compiledObjects, type CompiledObject, type CompiledSource } from '../compiled-names.js';

export default defineRule({
  code: 'MESH240',
  name: 'compiled-name-too-long',
  level: 'error',
  category: 'naming',
  description: 'A name that becomes longer than 63 characters once compiled, which Kubernetes refuses.',
  messages: {
    tooLong: 'this {kind} compiles to names longer than {limit} characters: {objects}; shorten metadata.name to at most {max} characters',
  },
  check(context) {
    const bySource = new Map<CompiledSource, CompiledObject[]>();
    for (const object of compiledObjects(context.model)) {
      if (object.name.length <= MAX_COMPILED_NAME_LENGTH) continue;
      const objects = bySource.get(object.source);
      if (objects) objects.push(object);
      else bySource.set(object.source, [object]);
    }
    for (const [source, objects] of bySource) {
      const longest = Math.max(...objects.map((object) => object.name.length));
      const max = source.name.length - (longest - MAX_COMPILED_NAME_LENGTH);
      context.report(
        'tooLong',
        {
          kind: source.kind === 'ExternalService' ? 'external service' : source.kind.toLowerCase(),
          objects: objects.map((object) => `${object.kind} "${abbreviate(object.name, source.name)}" (${object.name.length})`).join(', '),
          limit: MAX_COMPILED_NAME_LENGTH,
          max,
        },
        source.at('metadata', 'name'),
      );
    }
  },
});

/** The name with the source's own name shortened to "…": the suffix is what differs. */
function abbreviate(name: string, sourceName: string): string {
  return name.startsWith(sourceName) && name.length > sourceName.length ? `…${name.slice(sourceName.length)}` : name;
}

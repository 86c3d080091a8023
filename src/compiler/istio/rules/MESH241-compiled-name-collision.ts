// Finds two sources that compile to an object of the same kind, namespace and name, e.g. a
// Gateway "web" under deny-by-default next to a Service "web" with allow rules: both compile to
// the AuthorizationPolicy "web-allow". Applying the output, one object silently replaces the other.
import { defineRule } from '../../../validators/rule.js';
import { formatPath, type Location } from '../../../diagnostics/types.js';
import { compiledObjects, type CompiledObject } from '../compiled-names.js';

export default defineRule({
  code: 'MESH241',
  name: 'compiled-name-collision',
  level: 'error',
  category: 'naming',
  description: 'Two sources that compile to an object of the same kind, namespace and name, so one would overwrite the other.',
  messages: {
    collision: '{kind} {namespace}/{name} is compiled from both {source} and {other}, so one would overwrite the other; rename {fix}',
  },
  check(context) {
    const groups = new Map<string, CompiledObject[]>();
    for (const object of compiledObjects(context.model)) {
      const key = `${object.kind}\u0000${object.namespace}\u0000${object.name}`;
      const group = groups.get(key);
      if (group) group.push(object);
      else groups.set(key, [object]);
    }
    for (const objects of groups.values()) {
      if (objects.length < 2) continue;
      // Suffixed and fixed names follow the naming convention, so they keep the name: the source
      // whose own name happens to equal one of them is the one to rename.
      const ordered = [...objects.filter((object) => !object.ownName), ...objects.filter((object) => object.ownName)];
      const [first, ...others] = ordered as [CompiledObject, ...CompiledObject[]];
      for (const object of others) {
        if (object.source === first.source || sameDeclaration(object, first)) continue;
        context.report(
          'collision',
          {
            kind: object.kind,
            namespace: object.namespace,
            name: object.name,
            source: describe(object),
            other: describe(first),
            fix: object.source.kind === 'Mesh' ? 'the namespace or the other source' : `this ${kindWord(object)}`,
          },
          locate(object),
          [{ message: `${describe(first)}`, location: locate(first, true) }],
        );
      }
    }
  },
});

/** Two declarations of one name are a duplicate (MESH220), not a naming collision. */
function sameDeclaration(a: CompiledObject, b: CompiledObject): boolean {
  return a.source.kind !== 'Mesh' && b.source.kind !== 'Mesh' && a.source.key === b.source.key && (a.source.kind === 'Gateway') === (b.source.kind === 'Gateway');
}

function kindWord(object: CompiledObject): string {
  return object.source.kind === 'ExternalService' ? 'external service' : object.source.kind.toLowerCase();
}

function describe(object: CompiledObject): string {
  if (object.source.kind === 'Mesh') return `the Mesh's ${formatPath(object.origin)}`;
  const source = `${kindWord(object)} ${object.source.key}`;
  return object.ownName ? source : `${source} (its ${formatPath(object.origin)})`;
}

/** Where to rename: the source's name, or for a mesh default, the setting that produces it. */
function locate(object: CompiledObject, origin = false): Location {
  if (object.source.kind === 'Mesh') return object.source.keyAt(...object.origin);
  return origin && !object.ownName ? object.source.at(...object.origin) : object.source.at('metadata', 'name');
}

// The compiled objects added, changed and removed, each with a unified diff of its YAML as
// `meshctl compile` writes it. The meshctl.dev/source annotation is left out of the comparison:
// it says which file and line an object came from, not what the object does, so moving a service
// to another file changes no object.
import { createTwoFilesPatch } from 'diff';
import { SOURCE_ANNOTATION } from '../compiler/istio/common.js';
import { compareObjects, toYaml, type KubernetesObject } from '../output/manifest.js';
import type { ObjectChange } from './types.js';

export function diffObjects(before: readonly KubernetesObject[], after: readonly KubernetesObject[]): ObjectChange[] {
  const index = (objects: readonly KubernetesObject[]) => new Map(objects.map((object) => [objectKey(object), object]));
  const [x, y] = [index(before), index(after)];
  const all = [...new Map([...x, ...y]).values()].sort(compareObjects);
  const changes: ObjectChange[] = [];
  for (const object of all) {
    const key = objectKey(object);
    const [old, now] = [x.get(key), y.get(key)];
    const [oldText, newText] = [old ? comparableYaml(old) : '', now ? comparableYaml(now) : ''];
    if (oldText === newText) continue;
    const status = !old ? 'added' : !now ? 'removed' : 'changed';
    const shown = now ?? old!;
    changes.push({
      apiVersion: shown.apiVersion,
      kind: shown.kind,
      ...(shown.metadata.namespace !== undefined ? { namespace: shown.metadata.namespace } : {}),
      name: shown.metadata.name,
      status,
      diff: unifiedDiff(objectLabel(shown), oldText, newText),
    });
  }
  return changes;
}

/** Kind, namespace and name: an object that changes apiVersion is the same object, changed. */
function objectKey(object: KubernetesObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

export function objectLabel(object: Pick<KubernetesObject, 'kind' | 'metadata'> | Pick<ObjectChange, 'kind' | 'namespace' | 'name'>): string {
  const [namespace, name] = 'metadata' in object ? [object.metadata.namespace, object.metadata.name] : [object.namespace, object.name];
  return `${object.kind} ${namespace !== undefined ? `${namespace}/` : ''}${name}`;
}

function comparableYaml(object: KubernetesObject): string {
  const annotations = { ...object.metadata.annotations };
  delete annotations[SOURCE_ANNOTATION];
  const metadata = { ...object.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined };
  return toYaml({ ...object, metadata });
}

function unifiedDiff(label: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(before === '' ? '/dev/null' : `base: ${label}`, after === '' ? '/dev/null' : `head: ${label}`, before, after, '', '', { context: 3 });
  // jsdiff starts with a line of "=" signs that no diff viewer needs.
  return patch.replace(/^=+\n/, '');
}

// A route may send to a Service in another namespace only where that namespace allows it: one
// ReferenceGrant per (backend namespace, route kind, route namespace), found by reading the
// compiled routes' backends and mirrors, so no cross-namespace reference goes without one.
import { compareStrings } from '../../diagnostics/types.js';
import type { KubernetesObject } from '../../output/manifest.js';
import { GATEWAY_API_GROUP } from './api.js';
import { boundedName } from './names.js';

const REFERENCE_GRANT_API = `${GATEWAY_API_GROUP}/v1`;

type Ref = { group?: string; kind?: string; namespace?: string };

function crossNamespaceRefs(route: KubernetesObject): Ref[] {
  const refs: Ref[] = [];
  const rules = ((route.spec as { rules?: unknown[] } | undefined)?.rules ?? []) as { backendRefs?: Ref[]; filters?: { requestMirror?: { backendRef: Ref } }[] }[];
  for (const rule of rules) {
    for (const ref of rule.backendRefs ?? []) refs.push(ref);
    for (const filter of rule.filters ?? []) if (filter.requestMirror) refs.push(filter.requestMirror.backendRef);
  }
  return refs.filter((ref) => ref.namespace !== undefined && ref.namespace !== route.metadata.namespace && (ref.kind ?? 'Service') === 'Service' && (ref.group ?? '') === '');
}

export function compileReferenceGrants(routes: readonly KubernetesObject[]): KubernetesObject[] {
  // key: backend namespace, route kind, route namespace -> the first route (by sorted key) as the grant's source
  const grants = new Map<string, KubernetesObject>();
  const sorted = [...routes].sort((a, b) => compareStrings(`${a.kind}/${a.metadata.namespace}/${a.metadata.name}`, `${b.kind}/${b.metadata.namespace}/${b.metadata.name}`));
  for (const route of sorted) {
    for (const ref of crossNamespaceRefs(route)) {
      const key = `${ref.namespace}\u0000${route.kind}\u0000${route.metadata.namespace}`;
      if (!grants.has(key)) grants.set(key, route);
    }
  }
  return [...grants].map(([key, route]) => {
    const [namespace, kind, from] = key.split('\u0000') as [string, string, string];
    return {
      apiVersion: REFERENCE_GRANT_API,
      kind: 'ReferenceGrant',
      metadata: {
        name: boundedName(`${kind.toLowerCase()}s-from-${from}`, key),
        namespace,
        labels: { ...route.metadata.labels },
        annotations: { ...route.metadata.annotations },
      },
      spec: {
        from: [{ group: GATEWAY_API_GROUP, kind, namespace: from }],
        to: [{ group: '', kind: 'Service' }],
      },
    };
  });
}

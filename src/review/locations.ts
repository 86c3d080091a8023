// Where each review finding is in the mesh text: the field of the service, external service,
// gateway or Mesh that says what changed, at the head (at the base for what the head removed).
// JSON, SARIF and GitHub annotations carry it, so a bot can comment on the line of the pull request
// that made the change. A field the side does not write falls back to the nearest one it does.
import type { PathSegment } from '../diagnostics/types.js';
import type { SpanResolver } from '../loader/span-resolver.js';
import type { AnyNode, MeshModel } from '../model/mesh-model.js';
import type { AccessChange, AccessChangeKind, BehaviourChange, ChangeCategory, EntityChange, EntityKind, ReviewLocation } from './types.js';

export interface LocatingSide {
  readonly model: MeshModel;
  readonly spans?: SpanResolver;
}

export interface LocatingSides {
  readonly base: LocatingSide;
  readonly head: LocatingSide;
}

type Path = readonly PathSegment[];

const CATEGORY_PATHS: Record<ChangeCategory, readonly Path[]> = {
  service: [['metadata', 'name']],
  traffic: [['spec', 'canary', 'weight'], ['spec', 'canary'], ['spec', 'routes'], ['spec', 'versions']],
  cohort: [['spec', 'abTest'], ['spec', 'routes']],
  routes: [['spec', 'routes']],
  timeouts: [['spec', 'routes']],
  retries: [['spec', 'routes']],
  faults: [['spec', 'routes']],
  'rate-limit': [['spec', 'rateLimit'], ['spec', 'routes']],
  'load-balancing': [['spec', 'resilience', 'loadBalancer'], ['spec', 'resilience', 'localityFailover'], ['spec', 'resilience']],
  'circuit-breaker': [['spec', 'resilience', 'circuitBreaker'], ['spec', 'resilience', 'outlierDetection'], ['spec', 'resilience']],
  other: [['spec']],
};

const ACCESS_PATHS: Record<AccessChangeKind, readonly Path[]> = {
  'caller-allowed': [['spec', 'access', 'allow'], ['spec', 'access']],
  'caller-disallowed': [['spec', 'access', 'allow'], ['spec', 'access']],
  'allow-everyone': [['spec', 'access', 'allow'], ['spec', 'access']],
  'deny-removed': [['spec', 'access', 'deny'], ['spec', 'access']],
  'deny-added': [['spec', 'access', 'deny'], ['spec', 'access']],
  mtls: [['spec', 'mtls'], ['spec', 'ports']],
  jwt: [['spec', 'authentication'], ['spec', 'jwtProviders']],
  'access-default': [['spec', 'access']],
  egress: [['spec', 'egress']],
  exposure: [['spec', 'expose']],
};

export function locateEntityChange(sides: LocatingSides, entity: EntityChange, change: BehaviourChange): ReviewLocation | undefined {
  const side = entity.status === 'removed' ? 'base' : 'head';
  const found = nodeOf(sides[side].model, entity.kind, entity.entity) ?? (side === 'head' ? nodeOf(sides.base.model, entity.kind, entity.entity) : undefined);
  if (!found) return undefined;
  const at = found === nodeOf(sides[side].model, entity.kind, entity.entity) ? side : 'base';
  // "serviceAccount: a → b", "outlierDetection.consecutive5xx: 5 → 3": the field the line names.
  const named = change.category === 'other' ? fieldPathOf(change.message) : undefined;
  const paths = [...(named ? [['spec', ...named]] : []), ...CATEGORY_PATHS[change.category], ['metadata', 'name']];
  return locate(sides[at], found, paths, at);
}

export function locateAccessChange(sides: LocatingSides, change: AccessChange): ReviewLocation | undefined {
  for (const side of ['head', 'base'] as const) {
    const { model } = sides[side];
    if (change.scope === 'mesh') {
      if (model.mesh) return locate(sides[side], model.mesh, [...ACCESS_PATHS[change.kind], ['metadata', 'name']], side);
      continue;
    }
    const namespace = /^namespace (.+)$/.exec(change.scope)?.[1];
    if (namespace !== undefined) {
      if (!model.mesh) continue;
      const field = change.kind === 'access-default' ? 'access' : change.kind === 'egress' ? 'egress' : 'mtls';
      return locate(sides[side], model.mesh, [['spec', 'namespaces', namespace, field], ['spec', 'namespaces', namespace], ['spec', 'namespaces'], ['metadata', 'name']], side);
    }
    const service = model.services.find((node) => node.key === change.scope);
    if (!service) continue;
    // A service that sets no mTLS mode of its own, or no allow rules, follows its namespace's or
    // the Mesh's default: the change was made there.
    const inherited =
      change.kind === 'mtls' && !writes(service.resource, ['spec', 'mtls'])
        ? 'mtls'
        : (change.kind === 'caller-allowed' || change.kind === 'caller-disallowed' || change.kind === 'allow-everyone') && !writes(service.resource, ['spec', 'access', 'allow'])
          ? 'access'
          : undefined;
    if (inherited && model.mesh && (writes(model.mesh.resource, ['spec', 'namespaces', service.namespace, inherited]) || writes(model.mesh.resource, ['spec', inherited]))) {
      return locate(sides[side], model.mesh, [['spec', 'namespaces', service.namespace, inherited], ['spec', inherited]], side);
    }
    return locate(sides[side], service, [...ACCESS_PATHS[change.kind], ['metadata', 'name']], side);
  }
  return undefined;
}

function nodeOf(model: MeshModel, kind: EntityKind, key: string): AnyNode | undefined {
  switch (kind) {
    case 'Service':
      return model.services.find((node) => node.key === key);
    case 'ExternalService':
      return model.externalServices.find((node) => node.key === key);
    case 'Gateway':
      return model.gateways.find((node) => node.key === key);
    case 'Mesh':
      return model.mesh;
  }
}

/** The first of `paths` the node's document writes (the last one always counts). */
function locate(side: LocatingSide, node: AnyNode, paths: readonly Path[], name: 'base' | 'head'): ReviewLocation | undefined {
  if (!side.spans) return undefined;
  const path = paths.find((candidate) => writes(node.resource, candidate)) ?? paths[paths.length - 1]!;
  const span = side.spans.resolve(node.at(...path));
  return { file: span.file, line: span.line, column: span.column, side: name };
}

function writes(resource: unknown, path: Path): boolean {
  let value: unknown = resource;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return false;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value !== undefined;
}

/** The dotted field path a settings line starts with ("a.b[2].c: x → y"), as path segments. */
function fieldPathOf(message: string): PathSegment[] | undefined {
  const field = /^([A-Za-z][\w-]*(?:(?:\.[\w-]+)|(?:\[\d+\]))*):/.exec(message)?.[1];
  if (!field) return undefined;
  return field.split(/\.|(?=\[)/).map((part) => (/^\[\d+\]$/.test(part) ? Number(part.slice(1, -1)) : part));
}

// Services, external services, gateways and the Mesh's settings: which were added, removed or
// changed in behaviour. Entities are matched by kind and `namespace/name`, never by file, so a
// service moved to another file is the same service.
import { compareStrings } from '../diagnostics/types.js';
import type { ExternalServiceNode, GatewayNode, MeshModel, ServiceNode } from '../model/mesh-model.js';
import { describeFieldChange, describeFieldChanges, fieldChanges, type FieldChange } from './field-diff.js';
import { describeServiceBehaviour, type ServiceBehaviour } from './service-behaviour.js';
import { diffServiceBehaviour, sortChanges } from './service-changes.js';
import type { BehaviourChange, EntityChange, EntityKind } from './types.js';

export function diffEntities(before: MeshModel, after: MeshModel): EntityChange[] {
  const entities: EntityChange[] = [];
  const mesh = meshChange(before, after);
  if (mesh) entities.push(mesh);
  entities.push(...diffKeyed('Service', before.services, after.services, (b, a) => serviceChanges(before, b, after, a), describeAddedService));
  entities.push(...diffKeyed('ExternalService', before.externalServices, after.externalServices, specChanges, () => []));
  entities.push(...diffKeyed('Gateway', before.gateways, after.gateways, specChanges, () => []));
  return entities;
}

function diffKeyed<T extends ServiceNode | ExternalServiceNode | GatewayNode>(
  kind: EntityKind,
  before: readonly T[],
  after: readonly T[],
  compare: (before: T, after: T) => BehaviourChange[],
  describeAdded: (node: T) => BehaviourChange[],
): EntityChange[] {
  const index = (nodes: readonly T[]) => {
    const map = new Map<string, T>();
    for (const node of nodes) if (!map.has(node.key)) map.set(node.key, node);
    return map;
  };
  const [x, y] = [index(before), index(after)];
  const keys = [...new Set([...x.keys(), ...y.keys()])].sort(compareStrings);
  const entities: EntityChange[] = [];
  const noun = kind === 'Service' ? 'service' : kind === 'ExternalService' ? 'external service' : 'gateway';
  for (const key of keys) {
    const [old, now] = [x.get(key), y.get(key)];
    if (old && !now) {
      entities.push({ entity: key, kind, status: 'removed', changes: [{ category: 'service', message: `${noun} removed`, risk: `${noun} ${key} removed` }] });
    } else if (!old && now) {
      entities.push({ entity: key, kind, status: 'added', changes: [{ category: 'service', message: `${noun} added` }, ...describeAdded(now)] });
    } else if (old && now) {
      const changes = compare(old, now);
      if (changes.length > 0) entities.push({ entity: key, kind, status: 'changed', changes: sortChanges(changes) });
    }
  }
  return entities;
}

function serviceChanges(beforeModel: MeshModel, before: ServiceNode, afterModel: MeshModel, after: ServiceNode): BehaviourChange[] {
  const x = behaviourOf(beforeModel, before);
  const y = behaviourOf(afterModel, after);
  if (x && y) return diffServiceBehaviour(x, y);
  // A side with errors may name things that are not there, so its routes cannot be planned; the
  // spec still says whether anything changed.
  const changes = fieldChanges(before.resource.spec, after.resource.spec);
  return changes.length > 0 ? [{ category: 'other', message: `not analysed in detail (the mesh has errors): ${describeFieldChanges(changes)}` }] : [];
}

function behaviourOf(model: MeshModel, service: ServiceNode): ServiceBehaviour | undefined {
  try {
    return describeServiceBehaviour(model, service);
  } catch {
    return undefined;
  }
}

function describeAddedService(service: ServiceNode): BehaviourChange[] {
  const spec = service.resource.spec;
  const parts = [`ports ${spec.ports.map((port) => `${port.protocol} ${port.port}`).join(', ')}`];
  const versions = Object.keys(spec.versions ?? {});
  if (versions.length > 0) parts.push(`versions ${versions.join(', ')}`);
  if (spec.routes?.length) parts.push(`${spec.routes.length} ${spec.routes.length === 1 ? 'route' : 'routes'}`);
  if (spec.canary) parts.push(`canary ${spec.canary.canary} at ${spec.canary.weight}%`);
  return [{ category: 'other', message: parts.join('; ') }];
}

function specChanges(before: ExternalServiceNode | GatewayNode | ServiceNode, after: ExternalServiceNode | GatewayNode | ServiceNode): BehaviourChange[] {
  return oneLinePerField(fieldChanges(before.resource.spec, after.resource.spec));
}

/** Settings changes one per line, at most a screenful. */
function oneLinePerField(changes: readonly FieldChange[], limit = 12): BehaviourChange[] {
  const lines: BehaviourChange[] = changes.slice(0, limit).map((change) => ({ category: 'other', message: describeFieldChange(change) }));
  if (changes.length > limit) lines.push({ category: 'other', message: `and ${changes.length - limit} more settings` });
  return lines;
}

function meshChange(before: MeshModel, after: MeshModel): EntityChange | undefined {
  const changes = fieldChanges(before.settings, after.settings);
  if (changes.length === 0) return undefined;
  const name = after.mesh?.name ?? before.mesh?.name ?? 'mesh';
  const status = !before.mesh && after.mesh ? 'added' : before.mesh && !after.mesh ? 'removed' : 'changed';
  return { entity: name, kind: 'Mesh', status, changes: oneLinePerField(changes) };
}

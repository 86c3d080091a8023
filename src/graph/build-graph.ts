// The service graph of a validated mesh. Traffic edges come from the same route plan the Istio
// target compiles (planHttpRoutes / planTcpRoutes), so the picture cannot disagree with the
// VirtualServices; access edges from the access rules with the effective namespace and mesh
// defaults, as the AuthorizationPolicies enforce them.
//
// Access, drawn without N² edges:
// - a service that lists allow rules: one `may-call` edge per caller a rule names (a service, or a
//   service account that is a service's identity, is that service's node; other identities are
//   `caller:` nodes outside the namespaces), labelled with what the rule lets it do;
// - a service without allow rules whose effective default is allow-by-default: ONE dashed edge
//   from the single "any caller" node, labelled allow-by-default;
// - deny-by-default and no allow rules: no access edge — nothing may call it;
// - deny rules that name callers: `denied` edges.
// Only callers are drawn, not the conditions that combine them: a rule with several identity
// fields is drawn from its first one (services, serviceAccounts, principals, namespaces, ipBlocks)
// and the others are written into the edge's label.
import { compareStrings } from '../diagnostics/types.js';
import { hasHttpPort, hasStreamPort } from '../model/ports.js';
import type { PlannedDestination } from '../plan/destinations.js';
import { followsDefaultSplit, forwardedTo, planHttpRoutes, planTcpRoutes, type PlannedHttpRoute } from '../plan/routes.js';
import { serviceAccountsOf } from '../model/workload-identity.js';
import { effectiveAccessDefault, effectiveMtlsMode } from '../model/effective-policy.js';
import { describeExposedPath, gatewayHosts } from '../model/gateway-hosts.js';
import { DEFAULT_NAMESPACE, qualify, type Destination, type MeshModel, type ServiceNode } from '../model/mesh-model.js';
import { routeName } from '../model/names.js';
import type { AccessRuleSpec } from '../schema/policy.js';
import type { RouteSpec } from '../schema/traffic.js';
import {
  ANY_CALLER_ID,
  edgeId,
  nodeIds,
  type GraphEdge,
  type GraphEdgeKind,
  type GraphNode,
  type ServiceGraph,
} from './types.js';

/** An edge while the graph is built: label parts gathered from every rule or route that adds to it. */
interface EdgeDraft {
  kind: GraphEdgeKind;
  from: string;
  to: string;
  parts: string[];
  weight?: number;
  implicit?: boolean;
}

class GraphDraft {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly edges = new Map<string, EdgeDraft>();

  addNode(node: GraphNode): void {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
  }

  addEdge(kind: GraphEdgeKind, from: string, to: string, part?: string, extra: Pick<EdgeDraft, 'weight' | 'implicit'> = {}): void {
    const id = edgeId(kind, from, to);
    let edge = this.edges.get(id);
    if (!edge) {
      edge = { kind, from, to, parts: [] };
      this.edges.set(id, edge);
    }
    if (part !== undefined && part !== '' && !edge.parts.includes(part)) edge.parts.push(part);
    // The first route that matches every request decides the share; a later one is never reached.
    if (extra.weight !== undefined && edge.weight === undefined) edge.weight = extra.weight;
    if (extra.implicit) edge.implicit = true;
  }

  finish(options: BuildGraphOptions): ServiceGraph {
    const label = (edge: EdgeDraft) => (edge.parts.length > 0 ? edge.parts.join(edge.kind === 'may-call' || edge.kind === 'denied' ? '; ' : ', ') : undefined);
    // One edge per pair: what access rules say about a caller that calls the service (dependsOn)
    // or a gateway that exposes it is written on that edge, not drawn beside it.
    const merged = new Map<string, { allowed?: string; denied?: string }>();
    for (const [id, edge] of this.edges) {
      if (edge.kind !== 'may-call' && edge.kind !== 'denied') continue;
      const carrier = ['calls', 'exposes'].map((kind) => edgeId(kind as GraphEdgeKind, edge.from, edge.to)).find((candidate) => this.edges.has(candidate));
      if (carrier === undefined) continue;
      const access = merged.get(carrier) ?? {};
      access[edge.kind === 'may-call' ? 'allowed' : 'denied'] = label(edge) ?? 'any request';
      merged.set(carrier, access);
      this.edges.delete(id);
    }
    const edges: GraphEdge[] = [...this.edges.entries()]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([id, edge]) => {
        const text = label(edge);
        const access = merged.get(id);
        return {
          id,
          kind: edge.kind,
          from: edge.from,
          to: edge.to,
          ...(text !== undefined ? { label: text } : {}),
          ...(edge.weight !== undefined ? { weight: edge.weight } : {}),
          ...(edge.implicit ? { implicit: true } : {}),
          ...(access ? { access } : {}),
        };
      });
    // A version no route sends to (the service's traffic goes to all its versions) would stand
    // alone in the picture: it is left out.
    const linked = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
    const nodes = [...this.nodes.values()].filter((node) => options.idleVersions || node.kind !== 'version' || linked.has(node.id)).sort((a, b) => compareStrings(a.id, b.id));
    const namespaces = [...new Set(nodes.flatMap((node) => (node.namespace !== undefined ? [node.namespace] : [])))].sort(compareStrings);
    return { namespaces, nodes, edges };
  }
}

export interface BuildGraphOptions {
  /**
   * Keep versions nothing sends traffic to. A picture leaves them out; a comparison of two
   * revisions keeps them, so that a version a new split starts to use is not taken for a new one.
   */
  readonly idleVersions?: boolean;
}

export function buildServiceGraph(model: MeshModel, options: BuildGraphOptions = {}): ServiceGraph {
  const graph = new GraphDraft();
  for (const service of model.services) addServiceNodes(graph, model, service);
  for (const external of model.externalServices) {
    const spec = external.resource.spec;
    graph.addNode({
      id: nodeIds.external(external.namespace, external.name),
      kind: 'external',
      label: external.name,
      namespace: external.namespace,
      detail: `${spec.hosts.join(', ')} · ${spec.ports.map((p) => `${p.protocol}:${p.port}`).join(', ')}`,
    });
  }
  for (const gateway of model.gateways) {
    graph.addNode({
      id: nodeIds.gateway(gateway.namespace, gateway.name),
      kind: 'gateway',
      label: gateway.name,
      namespace: gateway.namespace,
      detail: gateway.resource.spec.listeners.map((listener) => `${listener.protocol}:${listener.port}`).join(', '),
    });
  }
  const identities = serviceIdentities(model);
  for (const service of model.services) {
    addAccessEdges(graph, model, service, identities);
    addTrafficEdges(graph, model, service);
    addCallEdges(graph, model, service);
  }
  for (const { gateway, host, exposures } of gatewayHosts(model)) {
    for (const { service, paths } of exposures) {
      graph.addEdge('exposes', nodeIds.gateway(gateway.namespace, gateway.name), serviceId(service), `${host} ${paths.map(describeExposedPath).join(' ')}`);
    }
  }
  return graph.finish(options);
}

function serviceId(service: Pick<ServiceNode, 'namespace' | 'name'>): string {
  return nodeIds.service(service.namespace, service.name);
}

function destinationId(node: Destination, version?: string): string {
  if (node.kind === 'ExternalService') return nodeIds.external(node.namespace, node.name);
  return version !== undefined ? nodeIds.version(node.namespace, node.name, version) : serviceId(node);
}

function addServiceNodes(graph: GraphDraft, model: MeshModel, service: ServiceNode): void {
  const spec = service.resource.spec;
  const id = serviceId(service);
  const facts = [spec.ports.map((p) => `${p.protocol}:${p.port}`).join(', '), `mTLS ${effectiveMtlsMode(model, service).value}`];
  if (spec.authentication?.jwt?.required) facts.push('JWT required');
  // The identity callers' rules admit: shown when it is not the service's name, which readers assume.
  if (spec.serviceAccount !== undefined && spec.serviceAccount !== service.name) facts.push(`sa ${spec.serviceAccount}`);
  graph.addNode({ id, kind: 'service', label: service.name, namespace: service.namespace, detail: facts.join(' · ') });
  // Versions are drawn by name: their pod labels would crowd the picture and rarely matter to a reader.
  for (const version of Object.keys(spec.versions ?? {})) {
    graph.addNode({
      id: nodeIds.version(service.namespace, service.name, version),
      kind: 'version',
      label: `${service.name} ${version}`,
      namespace: service.namespace,
      service: id,
    });
  }
  for (const vm of spec.vms ?? []) {
    const vmId = nodeIds.vm(service.namespace, service.name, vm.address);
    const facts = [vm.network && `network ${vm.network}`, vm.locality, vm.serviceAccount && `sa ${vm.serviceAccount}`].filter(Boolean);
    graph.addNode({
      id: vmId,
      kind: 'vm',
      label: `VM ${vm.address}`,
      namespace: service.namespace,
      service: id,
      ...(facts.length > 0 ? { detail: facts.join(' · ') } : {}),
    });
    graph.addEdge('runs-on', id, vmId);
  }
}

/** Service accounts (`namespace/name`) that are the identity of exactly one service's workloads. */
function serviceIdentities(model: MeshModel): Map<string, ServiceNode> {
  const owners = new Map<string, ServiceNode[]>();
  for (const service of model.services) {
    for (const account of serviceAccountsOf(service)) {
      const key = `${service.namespace}/${account}`;
      owners.set(key, [...(owners.get(key) ?? []), service]);
    }
  }
  return new Map([...owners].flatMap(([key, services]) => (services.length === 1 ? [[key, services[0]!] as const] : [])));
}

function addAccessEdges(graph: GraphDraft, model: MeshModel, service: ServiceNode, identities: Map<string, ServiceNode>): void {
  const access = service.resource.spec.access;
  const id = serviceId(service);
  for (const action of ['allow', 'deny'] as const) {
    for (const rule of access?.[action] ?? []) {
      const kind = action === 'allow' ? 'may-call' : 'denied';
      const callers = ruleCallers(graph, model, service, rule, identities);
      const label = [callers.conditions, operationLabel(rule)].filter(Boolean).join(' ');
      for (const caller of callers.ids) graph.addEdge(kind, caller, id, label || 'any request');
    }
  }
  // A present but empty allow list allows nothing: only an absent one leaves the default in force.
  if (access?.allow === undefined && effectiveAccessDefault(model, service.namespace).value === 'allow-by-default') {
    addCallerNode(graph, ANY_CALLER_ID, 'any caller');
    graph.addEdge('may-call', ANY_CALLER_ID, id, 'allow-by-default', { implicit: true });
  }
}

function addCallerNode(graph: GraphDraft, id: string, label: string): string {
  graph.addNode({ id, kind: 'caller', label });
  return id;
}

/** The nodes a rule's `from` names, and its other conditions as text. */
function ruleCallers(
  graph: GraphDraft,
  model: MeshModel,
  service: ServiceNode,
  rule: AccessRuleSpec,
  identities: Map<string, ServiceNode>,
): { ids: string[]; conditions: string } {
  const from = rule.from ?? {};
  const present = (values: readonly string[] | undefined): values is readonly string[] => values !== undefined && values.length > 0;
  const conditions: string[] = [];
  let ids: string[] | undefined;
  const claim = (field: string, values: readonly string[] | undefined, toIds: (values: readonly string[]) => string[]) => {
    if (!present(values)) return;
    if (ids === undefined) ids = toIds(values);
    else conditions.push(`${field} ${values.join(',')}`);
  };
  claim('services', from.services, (refs) =>
    refs.flatMap((ref) => {
      const caller = model.findService(ref, service.namespace);
      return caller ? [serviceId(caller)] : [];
    }),
  );
  claim('serviceAccounts', from.serviceAccounts, (accounts) =>
    accounts.map((account) => {
      const key = qualify(account, service.namespace);
      return identityNode(model, identities, key) ?? addCallerNode(graph, `caller:sa:${key}`, `service account ${key}`);
    }),
  );
  claim('principals', from.principals, (principals) =>
    principals.map((principal) => {
      const key = principalAccount(model, principal);
      return (key !== undefined ? identityNode(model, identities, key) : undefined) ?? addCallerNode(graph, `caller:principal:${principal}`, principal === '*' ? 'any authenticated caller' : principal);
    }),
  );
  claim('namespaces', from.namespaces, (namespaces) => namespaces.map((namespace) => addCallerNode(graph, `caller:namespace:${namespace}`, `namespace ${namespace}`)));
  claim('ipBlocks', from.ipBlocks, (blocks) => blocks.map((block) => addCallerNode(graph, `caller:ip:${block}`, block)));
  if (ids === undefined) ids = [addCallerNode(graph, ANY_CALLER_ID, 'any caller')];
  return { ids, conditions: conditions.length > 0 ? `(${conditions.join('; ')})` : '' };
}

/**
 * The node a service account (`namespace/name`) stands for: the one service running as it, or a
 * gateway, whose pods run as the service account named after it (Istio's gateway chart names it
 * after the release: docs/istio.md, "Ingress and the gateway's identity").
 */
function identityNode(model: MeshModel, identities: Map<string, ServiceNode>, key: string): string | undefined {
  const owner = identities.get(key);
  if (owner) return serviceId(owner);
  const gateway = model.gateways.find((candidate) => `${candidate.namespace}/${candidate.name}` === key);
  return gateway ? nodeIds.gateway(gateway.namespace, gateway.name) : undefined;
}

/** `namespace/name` of a SPIFFE ID of this mesh's trust domain, or undefined. */
function principalAccount(model: MeshModel, principal: string): string | undefined {
  const match = /^spiffe:\/\/([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(principal);
  return match && match[1] === model.settings.trustDomain ? `${match[2]}/${match[3]}` : undefined;
}

/** What a rule lets through: methods, paths, ports and the JWT claims it needs. */
function operationLabel(rule: AccessRuleSpec): string {
  const parts: string[] = [];
  if (rule.to?.methods?.length) parts.push(rule.to.methods.join(','));
  if (rule.to?.paths?.length) parts.push(rule.to.paths.join(','));
  if (rule.to?.ports?.length) parts.push(`port ${rule.to.ports.join(',')}`);
  const claims = Object.keys(rule.when?.claims ?? {}).sort(compareStrings);
  if (claims.length > 0) parts.push(`JWT ${claims.join(',')}`);
  return parts.join(' ');
}

function addTrafficEdges(graph: GraphDraft, model: MeshModel, service: ServiceNode): void {
  const id = serviceId(service);
  const spec = service.resource.spec;
  const cohortLabel = spec.abTest ? `cohort ${spec.abTest.name ? `${spec.abTest.name}: ` : ''}${cohortCondition(spec.abTest.cohort)}` : 'cohort';
  const send = (destination: PlannedDestination, part: string | undefined, weight?: number) => {
    const kind = destination.node === service ? 'split' : 'routes-to';
    // The service's own traffic to all its versions is not a split: nothing to draw.
    if (kind === 'split' && destination.version === undefined) return;
    const target = destinationId(destination.node, destination.version);
    const suffix = kind === 'routes-to' && destination.version !== undefined ? ` (${destination.version})` : '';
    graph.addEdge(kind, id, target, part === undefined ? undefined : `${part}${suffix}`, weight === undefined ? {} : { weight });
  };

  if (hasHttpPort(service)) {
    const planned = planHttpRoutes(model, service);
    planned.forEach((route, index) => {
      const role = routeRole(route, planned[index + 1]);
      for (const destination of forwardedTo(route) ?? []) {
        const share = destination.weight ?? 100;
        if (role === 'cohort') send(destination, cohortLabel);
        else if (role === 'default') send(destination, `${share}%`, share);
        else if (route.entries === undefined) send(destination, `${route.name} ${share}%`, share);
        // A narrower route that follows the default split goes where the default goes: no news.
        else if (route.route !== undefined && followsDefaultSplit(route.route)) send(destination, undefined);
        else send(destination, destination.weight !== undefined ? `${route.name} ${share}%` : route.name);
      }
    });
  }
  if (hasStreamPort(service)) {
    for (const route of planTcpRoutes(model, service)) {
      for (const destination of route.destinations) {
        const share = destination.weight ?? 100;
        // A stream route narrowed to some callers: the callers' own edges say who they are.
        if (route.callers) send(destination, 'tcp, some callers');
        else send(destination, `tcp ${share}%`, hasHttpPort(service) ? undefined : share);
      }
    }
  }
  (spec.routes ?? []).forEach((route: RouteSpec, index) => {
    const mirror = route.mirror;
    if (!mirror) return;
    const node = mirror.service !== undefined ? model.findDestination(mirror.service, service.namespace) : service;
    if (!node) return;
    const target = node.kind === 'Service' ? destinationId(node, mirror.version) : destinationId(node);
    graph.addEdge('mirror', id, target, `${routeName(route, index)} ${mirror.percent}%`);
  });
}

/** The requests in an A/B test's cohort, in words: "header x-beta = on", "cookie layout = beta". */
function cohortCondition(cohort: NonNullable<ServiceNode['resource']['spec']['abTest']>['cohort']): string {
  const [field, match] = cohort.header ? ['header', cohort.header] as const : cohort.cookie ? ['cookie', cohort.cookie] as const : [undefined, undefined];
  if (!field || !match) return 'cohort';
  const value = match.value;
  if (typeof value === 'string') return `${field} ${match.name} = ${value}`;
  if (value.exact !== undefined) return `${field} ${match.name} = ${value.exact}`;
  if (value.prefix !== undefined) return `${field} ${match.name} starts ${value.prefix}`;
  if (value.regex !== undefined) return `${field} ${match.name} ~ ${value.regex}`;
  if (value.present) return `${field} ${match.name} present`;
  if (value.absent) return `${field} ${match.name} absent`;
  return `${field} ${match.name}`;
}

/**
 * What a planned route means for the picture: the cohort copy of an A/B test (it comes right
 * before the route it copies, or is the generated cohort route), the default split (a route
 * that follows it and matches every request), or a route of its own.
 */
function routeRole(route: PlannedHttpRoute, next: PlannedHttpRoute | undefined): 'cohort' | 'default' | 'own' {
  if (route.route !== undefined && next?.route === route.route) return 'cohort';
  if (route.route === undefined) return route.entries === undefined ? 'default' : 'cohort';
  if (route.entries === undefined && followsDefaultSplit(route.route)) return 'default';
  return 'own';
}

function addCallEdges(graph: GraphDraft, model: MeshModel, service: ServiceNode): void {
  const id = serviceId(service);
  for (const ref of service.resource.spec.dependsOn ?? []) {
    const node = model.findDestination(ref, service.namespace);
    if (node) graph.addEdge('calls', id, destinationId(node));
  }
  const rateLimit = model.settings.rateLimitService;
  if (service.resource.spec.rateLimit?.global && rateLimit) {
    // The Mesh has no namespace: its references resolve from the default one, as the compiler's.
    const node = model.findDestination(rateLimit.service, DEFAULT_NAMESPACE);
    if (node) graph.addEdge('calls', id, destinationId(node), 'rate limit');
  }
}

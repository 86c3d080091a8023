// The services themselves: Kubernetes Services (ports, the workloads they select), Deployments
// (service accounts), WorkloadEntries (VMs), ServiceEntries (external services), DestinationRules
// (versions and resilience), Istio Gateways and Namespaces (sidecar injection).
import type { ImportContext, ServiceDraft, ServicePortDraft } from './model.js';
import { qualifyHost } from './model.js';
import type { InputObject } from './read-objects.js';
import { isRecord, labelsInclude, meshDuration } from './values.js';
import { sortedRecord } from '../common/sorted-record.js';
import { compareStrings } from '../diagnostics/types.js';

const PROTOCOLS = new Set(['http', 'http2', 'grpc', 'tcp', 'tls']);
/** Istio's protocol selection: appProtocol, else the port name's prefix (`http-web`, `grpc`). */
const PROTOCOL_ALIASES: Record<string, ServicePortDraft['protocol']> = { https: 'tls', 'grpc-web': 'http2', h2c: 'http2', mongo: 'tcp', mysql: 'tcp', redis: 'tcp' };
export const INJECTION_LABEL = 'istio-injection';

function protocolOf(name: string | undefined, appProtocol: unknown): ServicePortDraft['protocol'] | undefined {
  const candidates = [typeof appProtocol === 'string' ? appProtocol.toLowerCase() : undefined, name?.toLowerCase().split('-')[0]];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    if (PROTOCOLS.has(candidate)) return candidate as ServicePortDraft['protocol'];
    if (candidate in PROTOCOL_ALIASES) return PROTOCOL_ALIASES[candidate];
  }
  return undefined;
}

export function isGatewayWorkload(context: { gatewaySelectors: Record<string, string>[] }, selector: Record<string, string>): boolean {
  return context.gatewaySelectors.some((labels) => Object.keys(labels).length > 0 && labelsInclude(selector, labels));
}

/** The cluster's and Istio's own namespaces: their Services are not an application's. */
export const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'istio-system']);
const REVISION_LABEL = 'istio.io/rev';

/**
 * Sidecar injection as the Namespace objects say it: meshctl labels every namespace of the mesh
 * `istio-injection: enabled` unless the Mesh says `injection: false`, so a namespace read without
 * the label (or with `disabled`) is written `injection: false`; one injected by revision keeps
 * injection, by the label meshctl writes (IMP013).
 */
export function importNamespaces(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'Namespace')) {
    if (SYSTEM_NAMESPACES.has(object.name)) continue;
    const label = object.labels[INJECTION_LABEL];
    if (label === 'enabled') continue;
    if (label === undefined && object.labels[REVISION_LABEL] !== undefined) {
      context.report('namespaceDefault', { feature: 'sidecar injection', what: `injected by revision (${REVISION_LABEL}: ${object.labels[REVISION_LABEL]}); meshctl labels it ${INJECTION_LABEL}: enabled, which injects the default revision` }, object, ['metadata', 'labels']);
      continue;
    }
    context.namespace(object.name).injection = false;
  }
}

/** Kubernetes Services: one mesh Service each, but for the gateways' own. */
export function importKubernetesServices(context: ImportContext, objects: readonly InputObject[], gatewaySelectors: Record<string, string>[], httpHosts: ReadonlySet<string>): void {
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  for (const object of objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')) {
    if (SYSTEM_NAMESPACES.has(object.namespace)) {
      context.report('namespaceDefault', { feature: 'services', what: `a Service of the system namespace ${object.namespace}, not an application's: not imported` }, object, [], true);
      continue;
    }
    const selector = isRecord(object.spec.selector) ? (sortedRecord(object.spec.selector) as Record<string, string>) : {};
    if (isGatewayWorkload({ gatewaySelectors }, selector)) continue;
    if (Object.keys(selector).length === 0) {
      context.report('unsupportedField', { field: 'a Service without a selector', feature: 'services', why: ': meshctl services select their workloads by labels' }, object, ['spec']);
      continue;
    }
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(object.name)) {
      context.report('unsupportedField', { field: 'the name', feature: 'services', why: ': a mesh Service is named by an RFC 1035 label' }, object, ['metadata', 'name']);
      continue;
    }
    const host = `${object.name}.${object.namespace}.svc.cluster.local`;
    const ports: ServicePortDraft[] = [];
    const rawPorts = Array.isArray(object.spec.ports) ? object.spec.ports : [];
    rawPorts.forEach((raw, index) => {
      if (!isRecord(raw) || typeof raw.port !== 'number') return;
      const name = typeof raw.name === 'string' ? raw.name : undefined;
      let protocol = protocolOf(name, raw.appProtocol);
      if (protocol === undefined) {
        protocol = httpHosts.has(host) ? 'http' : 'tcp';
        context.report('namespaceDefault', { feature: 'services', what: `port ${raw.port} declares no protocol (neither appProtocol nor a name such as http-web); Istio detects it, the mesh file says ${protocol}` }, object, ['spec', 'ports', index]);
      }
      let targetPort: number | undefined;
      if (typeof raw.targetPort === 'number') targetPort = raw.targetPort;
      else if (typeof raw.targetPort === 'string') {
        targetPort = containerPort(deployments, object.namespace, selector, raw.targetPort);
        if (targetPort === undefined) context.report('unsupportedField', { field: `targetPort "${raw.targetPort}"`, feature: 'services', why: ': no Deployment of the input has a container port of that name, so the port the workloads listen on is unknown' }, object, ['spec', 'ports', index, 'targetPort']);
      }
      const port: ServicePortDraft = { ...(name !== undefined && name !== `${protocol}-${raw.port}` ? { name } : {}), port: raw.port, ...(targetPort !== undefined && targetPort !== raw.port ? { targetPort } : {}), protocol };
      ports.push(port);
    });
    if (ports.length === 0) {
      context.report('unsupportedField', { field: 'a Service without ports', feature: 'services', why: '' }, object, ['spec']);
      continue;
    }
    const draft: ServiceDraft = { name: object.name, namespace: object.namespace, origin: object, selector, spec: { ports }, accounts: new Set() };
    if (!(Object.keys(selector).length === 1 && selector.app === object.name)) draft.spec.selector = selector;
    context.services.set(`${object.namespace}/${object.name}`, draft);
  }
  // Service accounts: the Deployments whose pods the service selects.
  for (const deployment of deployments) {
    const template = isRecord(deployment.spec.template) ? deployment.spec.template : {};
    const labels = isRecord(template.metadata) && isRecord(template.metadata.labels) ? (template.metadata.labels as Record<string, string>) : deployment.labels;
    const podSpec = isRecord(template.spec) ? template.spec : {};
    const account = typeof podSpec.serviceAccountName === 'string' ? podSpec.serviceAccountName : 'default';
    for (const service of context.services.values()) {
      if (service.namespace === deployment.namespace && labelsInclude(labels, service.selector)) service.accounts.add(account);
    }
  }
  for (const service of context.services.values()) {
    const accounts = [...service.accounts].sort(compareStrings);
    if (accounts.length === 1 && accounts[0] !== service.name) service.spec.serviceAccount = accounts[0];
    if (accounts.length > 1) {
      context.report('identity', { what: `its workloads run as several service accounts (${accounts.join(', ')}); a mesh service has one, so the service's name is assumed: rules naming it admit only that identity` }, service.origin);
    }
  }
}

function containerPort(deployments: readonly InputObject[], namespace: string, selector: Record<string, string>, name: string): number | undefined {
  for (const deployment of deployments) {
    if (deployment.namespace !== namespace || !labelsInclude(deployment.labels, selector)) continue;
    const template = isRecord(deployment.spec.template) ? deployment.spec.template : {};
    const containers = isRecord(template.spec) && Array.isArray(template.spec.containers) ? template.spec.containers : [];
    for (const container of containers) {
      for (const port of (isRecord(container) && Array.isArray(container.ports) ? container.ports : []) as unknown[]) {
        if (isRecord(port) && port.name === name && typeof port.containerPort === 'number') return port.containerPort;
      }
    }
  }
  return undefined;
}

/** WorkloadEntries: the VMs of the service whose selector their labels carry. */
export function importWorkloadEntries(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'WorkloadEntry')) {
    const spec = object.spec;
    const labels = isRecord(spec.labels) ? (spec.labels as Record<string, string>) : {};
    const service = context.serviceBySelector(labels, object.namespace);
    if (!service || typeof spec.address !== 'string') {
      context.report('selectorMismatch', { labels: JSON.stringify(labels), feature: 'VMs' }, object, ['spec', 'labels']);
      continue;
    }
    const own = Object.fromEntries(Object.entries(labels).filter(([key, value]) => service.selector[key] !== value));
    const vm: Record<string, unknown> = { address: spec.address };
    if (Object.keys(own).length > 0) vm.labels = sortedRecord(own);
    if (typeof spec.serviceAccount === 'string' && spec.serviceAccount !== context.podAccount(service)) vm.serviceAccount = spec.serviceAccount;
    if (typeof spec.network === 'string') vm.network = spec.network;
    if (typeof spec.locality === 'string') vm.locality = spec.locality;
    for (const field of Object.keys(spec)) {
      if (!['address', 'labels', 'serviceAccount', 'network', 'locality'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: 'VMs' }, object, ['spec', field]);
    }
    // meshctl numbers VMs <service>-vm-<n>; keep that order where the names say it.
    const index = new RegExp(`^${service.name}-vm-(\\d+)$`).exec(object.name);
    const vms = ((service.spec.vms as { vm: Record<string, unknown>; order: number; name: string }[] | undefined) ?? []) as unknown as { vm: Record<string, unknown>; order: number; name: string }[];
    vms.push({ vm, order: index ? Number(index[1]) : Number.MAX_SAFE_INTEGER, name: object.name });
    service.spec.vms = vms;
  }
  for (const service of context.services.values()) {
    const vms = service.spec.vms as { vm: Record<string, unknown>; order: number; name: string }[] | undefined;
    if (vms) service.spec.vms = [...vms].sort((a, b) => a.order - b.order || compareStrings(a.name, b.name)).map((entry) => entry.vm);
  }
}

const SE_PROTOCOLS: Record<string, ServicePortDraft['protocol']> = { HTTP: 'http', HTTP2: 'http2', GRPC: 'grpc', TCP: 'tcp', TLS: 'tls', HTTPS: 'tls', MONGO: 'tcp' };

/** ServiceEntries of external services (MESH_EXTERNAL). */
export function importServiceEntries(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'ServiceEntry')) {
    const spec = object.spec;
    if (spec.location !== undefined && spec.location !== 'MESH_EXTERNAL') {
      context.report('unsupportedField', { field: `location ${String(spec.location)}`, feature: 'egress', why: ': meshctl writes services inside the mesh as Services (import their Kubernetes Service)' }, object, ['spec', 'location']);
      continue;
    }
    const hosts = Array.isArray(spec.hosts) ? spec.hosts.filter((h): h is string => typeof h === 'string') : [];
    const ports: ServicePortDraft[] = [];
    (Array.isArray(spec.ports) ? spec.ports : []).forEach((raw, index) => {
      if (!isRecord(raw) || typeof raw.number !== 'number') return;
      const protocol = SE_PROTOCOLS[String(raw.protocol ?? 'TCP').toUpperCase()];
      if (!protocol) {
        context.report('unsupportedField', { field: `port protocol ${String(raw.protocol)}`, feature: 'egress' }, object, ['spec', 'ports', index, 'protocol']);
        return;
      }
      const name = typeof raw.name === 'string' ? raw.name : undefined;
      ports.push({ ...(name !== undefined && name !== `${protocol}-${raw.number}` ? { name } : {}), port: raw.number, ...(typeof raw.targetPort === 'number' && raw.targetPort !== raw.number ? { targetPort: raw.targetPort } : {}), protocol });
    });
    if (hosts.length === 0 || ports.length === 0 || hosts.includes('*')) {
      context.report('unsupportedField', { field: 'hosts or ports', feature: 'egress', why: ': an external service needs named hosts and at least one port' }, object, ['spec']);
      continue;
    }
    const resolution = String(spec.resolution ?? 'NONE').toLowerCase();
    const out: ExternalSpec = { hosts, ports };
    if (resolution !== 'dns') out.resolution = resolution === 'static' ? 'static' : 'none';
    if (resolution !== 'dns' && resolution !== 'static' && resolution !== 'none') context.report('unsupportedField', { field: `resolution ${String(spec.resolution)}`, feature: 'egress' }, object, ['spec', 'resolution']);
    if (Array.isArray(spec.endpoints) && spec.endpoints.length > 0) {
      out.endpoints = spec.endpoints.filter(isRecord).map((endpoint) => ({
        address: String(endpoint.address),
        ...(isRecord(endpoint.ports) ? { ports: endpoint.ports } : {}),
        ...(isRecord(endpoint.labels) ? { labels: endpoint.labels } : {}),
        ...(typeof endpoint.locality === 'string' ? { locality: endpoint.locality } : {}),
      }));
    }
    for (const field of Object.keys(spec)) {
      if (!['hosts', 'ports', 'resolution', 'endpoints', 'location'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: 'egress' }, object, ['spec', field]);
    }
    context.externals.set(`${object.namespace}/${object.name}`, { name: object.name, namespace: object.namespace, origin: object, spec: out });
  }
}

type ExternalSpec = Record<string, unknown> & { hosts: string[]; ports: ServicePortDraft[] };

/** Istio Gateways. */
export function importGateways(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'Gateway' && o.apiVersion.startsWith('networking.istio.io/'))) {
    const spec = object.spec;
    const selector = isRecord(spec.selector) ? (sortedRecord(spec.selector) as Record<string, string>) : {};
    const listeners: Record<string, unknown>[] = [];
    (Array.isArray(spec.servers) ? spec.servers : []).forEach((server, index) => {
      if (!isRecord(server) || !isRecord(server.port)) return;
      const protocol = String(server.port.protocol ?? '').toLowerCase();
      if (!['http', 'https', 'http2', 'tls', 'tcp'].includes(protocol) || typeof server.port.number !== 'number') {
        context.report('unsupportedField', { field: `server protocol ${String(server.port.protocol)}`, feature: 'ingress' }, object, ['spec', 'servers', index, 'port']);
        return;
      }
      const listener: Record<string, unknown> = {};
      const name = typeof server.port.name === 'string' ? server.port.name : undefined;
      if (name !== undefined && name !== `${protocol}-${server.port.number}`) listener.name = name;
      listener.port = server.port.number;
      listener.protocol = protocol;
      listener.hosts = (Array.isArray(server.hosts) ? server.hosts : []).map((host) => (typeof host === 'string' && host.includes('/') ? host.slice(host.indexOf('/') + 1) : host));
      if (isRecord(server.tls)) {
        const mode = String(server.tls.mode ?? 'SIMPLE').toLowerCase();
        if (['simple', 'mutual', 'passthrough'].includes(mode)) {
          listener.tls = { mode, ...(typeof server.tls.credentialName === 'string' ? { credentialName: server.tls.credentialName } : {}) };
        } else context.report('unsupportedField', { field: `tls mode ${String(server.tls.mode)}`, feature: 'ingress' }, object, ['spec', 'servers', index, 'tls', 'mode']);
        for (const field of Object.keys(server.tls)) {
          if (!['mode', 'credentialName'].includes(field)) context.report('unsupportedField', { field: `tls.${field}`, feature: 'ingress' }, object, ['spec', 'servers', index, 'tls', field]);
        }
      }
      for (const field of Object.keys(server)) if (!['port', 'hosts', 'tls', 'name'].includes(field)) context.report('unsupportedField', { field: `servers[${index}].${field}`, feature: 'ingress' }, object, ['spec', 'servers', index, field]);
      listeners.push(listener);
    });
    if (listeners.length === 0) {
      context.report('unsupportedField', { field: 'a Gateway without servers meshctl can write', feature: 'ingress', why: '' }, object, ['spec']);
      continue;
    }
    const out: Record<string, unknown> & { selector: Record<string, string> } = { selector, listeners };
    context.gateways.set(`${object.namespace}/${object.name}`, { name: object.name, namespace: object.namespace, origin: object, spec: out });
  }
}

const BALANCERS: Record<string, string> = { ROUND_ROBIN: 'round-robin', LEAST_REQUEST: 'least-request', LEAST_CONN: 'least-request', RANDOM: 'random' };

/** A DestinationRule's trafficPolicy as `resilience`; what has no mesh form is reported. */
export function importTrafficPolicy(context: ImportContext, object: InputObject, policy: Record<string, unknown>, at: (string | number)[]): Record<string, unknown> | undefined {
  const resilience: Record<string, unknown> = {};
  const unsupported = (field: string, why = '') => context.report('unsupportedField', { field, feature: 'circuit breaking and load balancing', why }, object, [...at, ...field.split('.')]);
  for (const [field, value] of Object.entries(policy)) {
    if (field === 'loadBalancer' && isRecord(value)) {
      for (const [key, setting] of Object.entries(value)) {
        if (key === 'simple' && typeof setting === 'string' && BALANCERS[setting]) resilience.loadBalancer = BALANCERS[setting];
        else if (key === 'consistentHash' && isRecord(setting)) {
          const hash: Record<string, unknown> = {};
          if (typeof setting.httpHeaderName === 'string') hash.header = setting.httpHeaderName;
          else if (isRecord(setting.httpCookie) && typeof setting.httpCookie.name === 'string') {
            const ttl = meshDuration(setting.httpCookie.ttl);
            hash.cookie = { name: setting.httpCookie.name, ...(ttl ? { ttl } : {}), ...(typeof setting.httpCookie.path === 'string' ? { path: setting.httpCookie.path } : {}) };
          } else if (setting.useSourceIp === true) hash.sourceIp = true;
          else if (typeof setting.httpQueryParameterName === 'string') hash.queryParameter = setting.httpQueryParameterName;
          else unsupported(`loadBalancer.consistentHash`);
          if (Object.keys(hash).length > 0) resilience.loadBalancer = { consistentHash: hash };
        } else if (key === 'localityLbSetting' && isRecord(setting) && Array.isArray(setting.failover) && Object.keys(setting).every((k) => ['enabled', 'failover'].includes(k))) {
          resilience.localityFailover = setting.failover.filter(isRecord).map((entry) => ({ from: String(entry.from), to: String(entry.to) }));
        } else unsupported(`loadBalancer.${key}`);
      }
    } else if (field === 'connectionPool' && isRecord(value)) {
      const breaker: Record<string, unknown> = {};
      const tcp = isRecord(value.tcp) ? value.tcp : {};
      const http = isRecord(value.http) ? value.http : {};
      for (const [key, setting] of Object.entries(tcp)) {
        if (key === 'maxConnections' && typeof setting === 'number') breaker.maxConnections = setting;
        else if (key === 'connectTimeout' && meshDuration(setting)) breaker.connectTimeout = meshDuration(setting);
        else unsupported(`connectionPool.tcp.${key}`);
      }
      const httpFields: Record<string, string> = { http1MaxPendingRequests: 'maxPendingRequests', http2MaxRequests: 'maxRequests', maxRequestsPerConnection: 'maxRequestsPerConnection', maxRetries: 'maxRetries' };
      for (const [key, setting] of Object.entries(http)) {
        if (httpFields[key] && typeof setting === 'number') breaker[httpFields[key]] = setting;
        else unsupported(`connectionPool.http.${key}`);
      }
      for (const key of Object.keys(value)) if (key !== 'tcp' && key !== 'http') unsupported(`connectionPool.${key}`);
      const order = ['maxConnections', 'maxPendingRequests', 'maxRequests', 'maxRequestsPerConnection', 'maxRetries', 'connectTimeout'];
      if (Object.keys(breaker).length > 0) resilience.circuitBreaker = Object.fromEntries(order.filter((k) => k in breaker).map((k) => [k, breaker[k]]));
    } else if (field === 'outlierDetection' && isRecord(value)) {
      const outlier: Record<string, unknown> = {};
      const fields: Record<string, string> = { consecutive5xxErrors: 'consecutive5xx', consecutiveGatewayErrors: 'consecutiveGatewayErrors', maxEjectionPercent: 'maxEjectionPercent', minHealthPercent: 'minHealthPercent' };
      for (const [key, setting] of Object.entries(value)) {
        if (fields[key] && typeof setting === 'number') outlier[fields[key]] = setting;
        else if ((key === 'interval' || key === 'baseEjectionTime') && meshDuration(setting)) outlier[key] = meshDuration(setting);
        else unsupported(`outlierDetection.${key}`);
      }
      const order = ['consecutive5xx', 'consecutiveGatewayErrors', 'interval', 'baseEjectionTime', 'maxEjectionPercent', 'minHealthPercent'];
      resilience.outlierDetection = Object.fromEntries(order.filter((k) => k in outlier).map((k) => [k, outlier[k]]));
    } else if (field === 'tls') {
      // Handled by the caller (external services originate TLS; services leave mTLS to Istio).
    } else unsupported(field);
  }
  const order = ['circuitBreaker', 'outlierDetection', 'loadBalancer', 'localityFailover'];
  return Object.keys(resilience).length > 0 ? Object.fromEntries(order.filter((k) => k in resilience).map((k) => [k, resilience[k]])) : undefined;
}

/** DestinationRules: versions (subsets) and resilience of services; TLS origination of external services. */
export function importDestinationRules(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'DestinationRule')) {
    const spec = object.spec;
    const host = typeof spec.host === 'string' ? spec.host : '';
    const target = context.resolveHost(host, object.namespace);
    if (!target) {
      context.report('unknownHost', { host, what: 'the DestinationRule', feature: 'circuit breaking and load balancing' }, object, ['spec', 'host'], true);
      continue;
    }
    for (const field of Object.keys(spec)) {
      if (!['host', 'trafficPolicy', 'subsets'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: 'circuit breaking and load balancing' }, object, ['spec', field]);
    }
    const policy = isRecord(spec.trafficPolicy) ? spec.trafficPolicy : {};
    const portLevel = Array.isArray(policy.portLevelSettings) ? policy.portLevelSettings : undefined;
    const { portLevelSettings: _ignored, ...destinationPolicy } = policy;
    void _ignored;
    const resilience = importTrafficPolicy(context, object, destinationPolicy, ['spec', 'trafficPolicy']);
    if (target.kind === 'ExternalService') {
      const external = target.draft;
      if (resilience && !external.spec.resilience) external.spec.resilience = resilience;
      const tls = isRecord(policy.tls) ? policy.tls : undefined;
      const portModes = new Map<number, string | undefined>();
      for (const entry of portLevel ?? []) if (isRecord(entry) && isRecord(entry.port) && typeof entry.port.number === 'number') portModes.set(entry.port.number, isRecord(entry.tls) ? String(entry.tls.mode) : undefined);
      if (tls && tls.mode === 'SIMPLE') {
        const sni = typeof tls.sni === 'string' ? tls.sni : undefined;
        external.spec.tls = { ...(sni !== undefined ? { sni } : {}) };
        // meshctl originates TLS on every non-tls port; tls ports pass through (DISABLE).
        const disabled = [...portModes].filter(([, mode]) => mode === 'DISABLE').map(([port]) => port);
        const expected = external.spec.ports.filter((port) => port.protocol === 'tls').map((port) => port.port);
        if (JSON.stringify(disabled.sort()) !== JSON.stringify(expected.sort())) context.report('unsupportedField', { field: 'per-port TLS settings', feature: 'egress', why: ': meshctl originates TLS on every port but tls ones' }, object, ['spec', 'trafficPolicy', 'portLevelSettings']);
        for (const key of Object.keys(tls)) if (!['mode', 'sni'].includes(key)) context.report('unsupportedField', { field: `trafficPolicy.tls.${key}`, feature: 'egress', why: ': meshctl checks the server\'s certificate against the system roots' }, object, ['spec', 'trafficPolicy', 'tls', key]);
      } else if (tls) {
        context.report('unsupportedField', { field: `trafficPolicy.tls mode ${String(tls.mode)}`, feature: 'egress' }, object, ['spec', 'trafficPolicy', 'tls']);
      } else if (portLevel) {
        context.report('unsupportedField', { field: 'trafficPolicy.portLevelSettings', feature: 'egress', why: ': meshctl originates TLS for the whole external service (tls), or not at all' }, object, ['spec', 'trafficPolicy', 'portLevelSettings']);
      }
      continue;
    }
    const service = target.draft;
    if (portLevel) context.report('unsupportedField', { field: 'trafficPolicy.portLevelSettings', feature: 'circuit breaking and load balancing', why: ': mesh resilience applies to every port' }, object, ['spec', 'trafficPolicy', 'portLevelSettings']);
    if (isRecord(policy.tls)) {
      const mode = String(policy.tls.mode);
      context.report('unsupportedField', {
        field: `trafficPolicy.tls (mode ${mode})`,
        feature: 'mutual TLS',
        why: mode === 'ISTIO_MUTUAL' ? ': meshctl leaves mutual TLS to Istio\'s automatic mTLS, which sends it to every workload with a sidecar (and plain text to those without)' : '',
      }, object, ['spec', 'trafficPolicy', 'tls']);
    }
    if (resilience) {
      if (service.spec.resilience) context.report('conflictingObjects', { what: 'resilience', target: service.name, other: 'another DestinationRule', feature: 'circuit breaking and load balancing' }, object);
      else service.spec.resilience = resilience;
    }
    const versions: Record<string, unknown> = (service.spec.versions as Record<string, unknown> | undefined) ?? {};
    (Array.isArray(spec.subsets) ? spec.subsets : []).forEach((subset, index) => {
      if (!isRecord(subset) || typeof subset.name !== 'string') return;
      const labels = isRecord(subset.labels) ? sortedRecord(subset.labels) : {};
      versions[subset.name] = { labels };
      for (const field of Object.keys(subset)) if (!['name', 'labels'].includes(field)) context.report('unsupportedField', { field: `subsets[${index}].${field}`, feature: 'circuit breaking and load balancing', why: ': mesh resilience is per service, not per version' }, object, ['spec', 'subsets', index, field]);
    });
    if (Object.keys(versions).length > 0) service.spec.versions = Object.fromEntries(Object.entries(versions).sort(([a], [b]) => compareStrings(a, b)));
  }
}

export { qualifyHost };

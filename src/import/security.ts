// Who may call whom, and with which credentials: AuthorizationPolicy, PeerAuthentication,
// RequestAuthentication; and the rest of a workload's proxy setup: Sidecar, Telemetry, the local
// rate-limit EnvoyFilter meshctl writes. The inverse of src/compiler/istio/security/: principals
// `<trustDomain>/ns/<ns>/sa/<account>` become the services that run as them (or their service
// accounts), workload ports become Service ports, the DENY rule on `notRequestPrincipals: ["*"]`
// is a required JWT, `allow-nothing` is deny-by-default.
import type { ImportContext, ServiceDraft } from './model.js';
import { ROOT_NAMESPACE } from './model.js';
import type { InputObject } from './read-objects.js';
import { isRecord, meshDuration, sameJson } from './values.js';
import { sortedRecord } from '../common/sorted-record.js';
import { compareStrings } from '../diagnostics/types.js';

const MODES: Record<string, string> = { STRICT: 'strict', PERMISSIVE: 'permissive', DISABLE: 'disabled' };

/** The service a policy's selector names: exactly its workload labels. */
function selectedService(context: ImportContext, object: InputObject, selector: unknown, field: 'selector' | 'workloadSelector', feature: string): ServiceDraft | 'namespace' | undefined {
  const labels = isRecord(selector) ? (isRecord(selector.matchLabels) ? selector.matchLabels : isRecord(selector.labels) ? selector.labels : undefined) : undefined;
  if (!labels) return 'namespace';
  const service = context.serviceWithSelector(labels as Record<string, string>, object.namespace);
  if (!service) context.report('selectorMismatch', { labels: JSON.stringify(sortedRecord(labels)), feature }, object, ['spec', field]);
  return service;
}

function servicePortOf(service: ServiceDraft, workloadPort: number): number | undefined {
  const port = service.spec.ports.find((p) => (p.targetPort ?? p.port) === workloadPort);
  return port?.port;
}

function httpWorkloadPorts(service: ServiceDraft): string[] {
  return [...new Set(service.spec.ports.filter((p) => ['http', 'http2', 'grpc'].includes(p.protocol)).map((p) => p.targetPort ?? p.port))].sort((a, b) => a - b).map(String);
}

const PRINCIPAL = /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

export function importPeerAuthentications(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'PeerAuthentication')) {
    const spec = object.spec;
    const mode = isRecord(spec.mtls) ? MODES[String(spec.mtls.mode)] : undefined;
    for (const field of Object.keys(spec)) if (!['selector', 'mtls', 'portLevelMtls'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: 'mutual TLS' }, object, ['spec', field]);
    if (isRecord(spec.mtls) && mode === undefined) {
      context.report('unsupportedField', { field: `mtls mode ${String(spec.mtls.mode)}`, feature: 'mutual TLS', why: ': UNSET inherits, which is what leaving it out means' }, object, ['spec', 'mtls', 'mode']);
      continue;
    }
    const target = selectedService(context, object, spec.selector, 'selector', 'mutual TLS');
    if (target === undefined) continue;
    if (target === 'namespace') {
      if (spec.portLevelMtls !== undefined) context.report('unsupportedField', { field: 'portLevelMtls without a selector', feature: 'mutual TLS' }, object, ['spec', 'portLevelMtls']);
      if (mode === undefined) continue;
      if (object.namespace === ROOT_NAMESPACE) context.mesh.mtls = mode;
      else context.namespace(object.namespace).mtls = mode;
      if (object.name !== 'default') context.report('namespaceDefault', { feature: 'mutual TLS', what: `a namespace-wide policy named ${object.name}; meshctl names it default` }, object, ['metadata', 'name']);
      continue;
    }
    const ports: Record<string, string> = {};
    if (isRecord(spec.portLevelMtls)) {
      for (const [port, setting] of Object.entries(spec.portLevelMtls)) {
        const servicePort = servicePortOf(target, Number(port));
        const portMode = isRecord(setting) ? MODES[String(setting.mode)] : undefined;
        if (servicePort === undefined || portMode === undefined) {
          context.report('unsupportedField', { field: `portLevelMtls["${port}"]`, feature: 'mutual TLS', why: servicePort === undefined ? ': no port of the service listens there' : '' }, object, ['spec', 'portLevelMtls', port]);
          continue;
        }
        ports[String(servicePort)] = portMode;
      }
    }
    const effective = mode ?? 'permissive';
    if (mode === undefined) context.report('namespaceDefault', { feature: 'mutual TLS', what: 'no mode: the namespace\'s applies to the other ports; the mesh file says permissive (Istio\'s default) for them' }, object, ['spec']);
    target.spec.mtls = Object.keys(ports).length > 0 ? { mode: effective, ports } : effective;
  }
}

export function importRequestAuthentications(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'RequestAuthentication')) {
    const spec = object.spec;
    const target = selectedService(context, object, spec.selector, 'selector', 'JWT');
    if (target === undefined) continue;
    if (target === 'namespace') {
      context.report('unsupportedField', { field: 'a RequestAuthentication without a selector', feature: 'JWT', why: ': meshctl checks tokens per service (authentication.jwt); name the services that need it' }, object, ['spec']);
      continue;
    }
    const providers: string[] = [];
    const known = (context.mesh.jwtProviders as Record<string, Record<string, unknown>> | undefined) ?? {};
    (Array.isArray(spec.jwtRules) ? spec.jwtRules : []).forEach((rule, index) => {
      if (!isRecord(rule) || typeof rule.issuer !== 'string') return;
      const provider: Record<string, unknown> = { issuer: rule.issuer };
      for (const [key, value] of Object.entries(rule)) {
        if (key === 'issuer') continue;
        if (['jwksUri', 'jwks', 'forwardOriginalToken'].includes(key)) provider[key] = value;
        else if (key === 'audiences' && Array.isArray(value)) provider.audiences = value;
        else if (key === 'fromHeaders' && Array.isArray(value)) provider.fromHeaders = value.filter(isRecord).map((h) => ({ name: h.name, ...(h.prefix !== undefined ? { prefix: h.prefix } : {}) }));
        else context.report('unsupportedField', { field: `jwtRules[${index}].${key}`, feature: 'JWT' }, object, ['spec', 'jwtRules', index, key]);
      }
      const order = ['issuer', 'jwksUri', 'jwks', 'audiences', 'fromHeaders', 'forwardOriginalToken'];
      const ordered = Object.fromEntries(order.filter((k) => k in provider).map((k) => [k, provider[k]]));
      let name = Object.entries(known).find(([, existing]) => sameJson(existing, ordered))?.[0];
      if (name === undefined) {
        const base = providerName(rule.issuer);
        name = base;
        for (let n = 2; name in known; n++) name = `${base}-${n}`;
        known[name] = ordered;
      }
      providers.push(name);
    });
    context.mesh.jwtProviders = known;
    if (providers.length === 0) {
      context.report('unsupportedField', { field: 'a RequestAuthentication without jwtRules', feature: 'JWT' }, object, ['spec']);
      continue;
    }
    target.spec.authentication = { jwt: { providers, required: false } };
  }
}

/** A provider name from its issuer: the host's labels, e.g. auth-example-com. */
function providerName(issuer: string): string {
  const host = issuer.replace(/^[a-z]+:\/\//, '').split('/')[0] ?? issuer;
  const name = host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 50);
  return name === '' ? 'provider' : name;
}

/** Principals as mesh sources: the services that run as them, else service accounts, else the principals. */
function identitySource(context: ImportContext, principals: string[], namespace: string): Record<string, unknown> | undefined {
  const parsed = principals.map((p) => (p.includes('*') ? null : PRINCIPAL.exec(p)));
  if (parsed.every((m) => m !== null)) {
    const domains = new Set(parsed.map((m) => m![1]!));
    if (domains.size === 1) {
      const domain = [...domains][0]!;
      if (context.trustDomain === undefined) context.trustDomain = domain;
      if (context.trustDomain === domain) {
        // Services: each one's identities in a row, as meshctl lists them.
        const services: string[] = [];
        let i = 0;
        while (i < parsed.length) {
          const m = parsed[i]!;
          const candidates = [...context.services.values()].filter((s) => s.namespace === m[2] && context.accountsOf(s)[0] === m[3]);
          const service = candidates.find((s) => context.accountsOf(s).every((account, k) => parsed[i + k]?.[2] === s.namespace && parsed[i + k]?.[3] === account));
          if (!service) break;
          services.push(context.reference({ kind: 'Service', draft: service }, namespace));
          i += context.accountsOf(service).length;
        }
        if (i === parsed.length && new Set(services).size === services.length) return { services };
        return { serviceAccounts: parsed.map((m) => (m![2] === namespace ? m![3]! : `${m![2]}/${m![3]}`)) };
      }
    }
  }
  return { principals: principals.map((p) => (PRINCIPAL.test(p) && !p.startsWith('*') ? `spiffe://${p}` : p)) };
}

function importRule(context: ImportContext, object: InputObject, service: ServiceDraft, rule: Record<string, unknown>, index: number, action: 'ALLOW' | 'DENY'): { rule?: Record<string, unknown>; requiresToken?: boolean } | undefined {
  const at = ['spec', 'rules', index];
  const out: Record<string, unknown> = {};
  // Leaving a rule out of an ALLOW policy admits less; out of a DENY policy, it refuses less: say which.
  const leftOut = action === 'DENY' ? ': the DENY rule was left out, so what it refused is no longer refused' : ': the rule was left out, so the policy admits less';
  const unsupported = (field: string, path: (string | number)[], why = '') => context.report('unsupportedField', { field, feature: 'authorization', why: why ? `${why}; ${leftOut.slice(2)}` : leftOut }, object, path);
  for (const field of Object.keys(rule)) if (!['from', 'to', 'when'].includes(field)) return void unsupported(`rules[${index}].${field}`, [...at, field]);
  const froms = Array.isArray(rule.from) ? rule.from : [];
  const tos = Array.isArray(rule.to) ? rule.to : [];
  if (froms.length > 1 || tos.length > 1) return void unsupported(`rules[${index}] with several from or to entries`, at, ': meshctl writes one access rule per combination; split it into several rules');
  const source = isRecord(froms[0]) && isRecord(froms[0].source) ? froms[0].source : undefined;
  let requiresToken = false;
  if (source) {
    const from: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(source)) {
      if (!Array.isArray(value)) continue;
      const values = value.map(String);
      if (key === 'principals') Object.assign(from, identitySource(context, values, service.namespace));
      else if (key === 'namespaces') from.namespaces = values;
      else if (key === 'ipBlocks') from.ipBlocks = values;
      else if (key === 'notRequestPrincipals' && action === 'DENY' && sameJson(values, ['*'])) requiresToken = true;
      else return void unsupported(`from.source.${key}`, [...at, 'from', 0, 'source', key]);
    }
    if (requiresToken && Object.keys(from).length > 0) return void unsupported('notRequestPrincipals together with other sources', [...at, 'from']);
    if (Object.keys(from).length > 0) out.from = from;
  }
  const operation = isRecord(tos[0]) && isRecord(tos[0].operation) ? tos[0].operation : undefined;
  const to: Record<string, unknown> = {};
  let ports: string[] | undefined;
  if (operation) {
    for (const [key, value] of Object.entries(operation)) {
      if (!Array.isArray(value)) continue;
      if (key === 'paths' || key === 'methods') to[key] = value.map(String);
      else if (key === 'ports') ports = value.map(String);
      else return void unsupported(`to.operation.${key}`, [...at, 'to', 0, 'operation', key]);
    }
  }
  const when: Record<string, unknown> = {};
  (Array.isArray(rule.when) ? rule.when : []).forEach((condition) => {
    if (!isRecord(condition)) return;
    const claim = /^request\.auth\.claims\[([^\]]+)\]$/.exec(String(condition.key));
    if (!claim || !Array.isArray(condition.values) || condition.notValues !== undefined) return unsupported(`when key ${String(condition.key)}`, [...at, 'when']);
    when[claim[1]!] = condition.values.length === 1 ? String(condition.values[0]) : condition.values.map(String);
  });
  if (Array.isArray(rule.when) && Object.keys(when).length !== rule.when.length) return undefined;
  // DENY rules with HTTP conditions name the service's HTTP ports (meshctl adds them); those are no condition of the mesh rule.
  const http = to.paths !== undefined || to.methods !== undefined || Object.keys(when).length > 0 || requiresToken;
  if (ports) {
    if (!(action === 'DENY' && http && sameJson(ports, httpWorkloadPorts(service)))) {
      const servicePorts = ports.map((p) => servicePortOf(service, Number(p)));
      if (servicePorts.some((p) => p === undefined)) return void unsupported('to.operation.ports', [...at, 'to', 0, 'operation', 'ports'], ': a port the service does not listen on');
      to.ports = servicePorts;
    }
  } else if (action === 'DENY' && http && service.spec.ports.some((p) => !['http', 'http2', 'grpc'].includes(p.protocol))) {
    context.report('namespaceDefault', { feature: 'authorization', what: `DENY rule ${index} with HTTP conditions names no port: Istio denies every connection to the service's TCP ports; the mesh rule applies to its HTTP ports only` }, object, at);
  }
  if (requiresToken) return Object.keys(to).length > 0 || out.from ? void unsupported('a token requirement narrowed to some requests', at) : { requiresToken: true };
  if (Object.keys(to).length > 0) out.to = Object.fromEntries(['paths', 'methods', 'ports'].filter((k) => k in to).map((k) => [k, to[k]]));
  if (Object.keys(when).length > 0) out.when = { claims: Object.fromEntries(Object.entries(when).sort(([a], [b]) => compareStrings(a, b))) };
  return { rule: out };
}

export function importAuthorizationPolicies(context: ImportContext, objects: readonly InputObject[], gatewaySelectors: Record<string, string>[]): void {
  for (const object of objects.filter((o) => o.kind === 'AuthorizationPolicy')) {
    const spec = object.spec;
    const action = String(spec.action ?? 'ALLOW');
    for (const field of Object.keys(spec)) if (!['selector', 'action', 'rules'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: 'authorization' }, object, ['spec', field]);
    const rules = Array.isArray(spec.rules) ? spec.rules : undefined;
    if (!isRecord(spec.selector)) {
      // allow-nothing: an ALLOW policy without rules, namespace- or mesh-wide.
      if (action === 'ALLOW' && (rules === undefined || rules.length === 0)) {
        if (object.namespace === ROOT_NAMESPACE) context.mesh.access = 'deny-by-default';
        else context.namespace(object.namespace).access = 'deny-by-default';
      } else context.report('unsupportedField', { field: 'a namespace-wide policy with rules', feature: 'authorization', why: ': meshctl writes access rules per service; give each service its rules' }, object, ['spec']);
      continue;
    }
    const labels = isRecord(spec.selector.matchLabels) ? (spec.selector.matchLabels as Record<string, string>) : {};
    // The gateway's own allow-all under deny-by-default: meshctl writes it for every gateway.
    if (gatewaySelectors.some((selector) => sameJson(sortedRecord(selector), sortedRecord(labels)))) {
      if (!(action === 'ALLOW' && rules !== undefined && rules.length === 1 && sameJson(rules[0], {}))) context.report('unsupportedField', { field: 'rules on a gateway', feature: 'authorization', why: ': meshctl lets every request reach a gateway and judges it at the services' }, object, ['spec', 'rules']);
      continue;
    }
    const service = selectedService(context, object, spec.selector, 'selector', 'authorization');
    if (!service || service === 'namespace') continue;
    if (action !== 'ALLOW' && action !== 'DENY') {
      context.report('unsupportedField', { field: `action ${action}`, feature: 'authorization' }, object, ['spec', 'action']);
      continue;
    }
    const access = (service.spec.access as Record<string, unknown[]> | undefined) ?? {};
    const list = action === 'ALLOW' ? 'allow' : 'deny';
    if (access[list] !== undefined) {
      context.report('conflictingObjects', { what: `${list} rules`, target: service.name, other: 'another AuthorizationPolicy', feature: 'authorization' }, object);
      continue;
    }
    const imported: Record<string, unknown>[] = [];
    (rules ?? []).forEach((rule, index) => {
      if (!isRecord(rule)) return;
      const result = importRule(context, object, service, rule, index, action);
      if (result?.requiresToken) {
        const authentication = (service.spec.authentication as { jwt?: Record<string, unknown> } | undefined) ?? {};
        service.spec.authentication = { jwt: { ...(authentication.jwt ?? { providers: [] }), required: true } };
      } else if (result?.rule) imported.push(result.rule);
    });
    if (action === 'ALLOW' || imported.length > 0) access[list] = imported;
    if (Object.keys(access).length > 0) service.spec.access = { ...(access.allow ? { allow: access.allow } : {}), ...(access.deny ? { deny: access.deny } : {}) };
  }
}

/** Sidecars: namespace- and mesh-wide egress modes, and a service's dependsOn. */
export function importSidecars(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'Sidecar')) {
    const spec = object.spec;
    for (const field of Object.keys(spec)) if (!['workloadSelector', 'egress', 'outboundTrafficPolicy'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: 'egress' }, object, ['spec', field]);
    const mode = isRecord(spec.outboundTrafficPolicy) ? ({ ALLOW_ANY: 'allow-any', REGISTRY_ONLY: 'registry-only' } as Record<string, string>)[String(spec.outboundTrafficPolicy.mode)] : undefined;
    const egress = Array.isArray(spec.egress) ? spec.egress.filter(isRecord) : [];
    const hosts = egress.flatMap((e) => (Array.isArray(e.hosts) ? e.hosts.map(String) : []));
    egress.forEach((e, index) => {
      for (const field of Object.keys(e)) if (field !== 'hosts') context.report('unsupportedField', { field: `egress[${index}].${field}`, feature: 'egress' }, object, ['spec', 'egress', index, field]);
    });
    const target = selectedService(context, object, spec.workloadSelector, 'workloadSelector', 'egress');
    if (target === undefined) continue;
    if (target === 'namespace') {
      if (!sameJson(hosts, ['*/*'])) context.report('unsupportedField', { field: `egress hosts ${JSON.stringify(hosts)}`, feature: 'egress', why: ': namespace-wide visibility is every host; scope it per service with dependsOn' }, object, ['spec', 'egress']);
      if (mode) {
        if (object.namespace === ROOT_NAMESPACE) context.mesh.egress = mode;
        else context.namespace(object.namespace).egress = mode;
      }
      continue;
    }
    const dependsOn: string[] = [];
    hosts.forEach((entry) => {
      if (entry === `${ROOT_NAMESPACE}/*`) return;
      const [namespace, host] = entry.includes('/') ? [entry.slice(0, entry.indexOf('/')), entry.slice(entry.indexOf('/') + 1)] : ['*', entry];
      // `.` is the Sidecar's own namespace; `*` (any namespace) and `~` (none) have no mesh form.
      const lookIn = namespace === '.' ? object.namespace : namespace;
      const resolved = lookIn !== '*' && lookIn !== '~' ? context.resolveHost(host!, lookIn!) : undefined;
      if (!resolved) {
        context.report('unknownHost', { host: entry, what: 'this egress host', feature: 'egress' }, object, ['spec', 'egress']);
        return;
      }
      if (resolved.draft === target) return;
      const reference = context.reference(resolved, target.namespace);
      if (!dependsOn.includes(reference)) dependsOn.push(reference);
    });
    target.spec.dependsOn = dependsOn;
    const selfListed = hosts.some((entry) => {
      const [namespace, host] = entry.includes('/') ? [entry.slice(0, entry.indexOf('/')), entry.slice(entry.indexOf('/') + 1)] : ['*', entry];
      return context.resolveHost(host!, namespace === '.' || namespace === '*' ? object.namespace : namespace!)?.draft === target;
    });
    if (!selfListed) context.report('namespaceDefault', { feature: 'egress', what: `the egress hosts leave out ${target.name}'s own host, which meshctl's Sidecar always imports: ${target.name}'s workloads can then call their own service` }, object, ['spec', 'egress']);
    if (mode) {
      const declared = (context.namespaceSettings.get(target.namespace)?.egress as string | undefined) ?? (context.mesh.egress as string | undefined);
      if (declared !== undefined && declared !== mode) context.report('conflictingObjects', { what: `outbound traffic policy ${mode}`, target: target.name, other: 'the namespace\'s or mesh\'s Sidecar', feature: 'egress' }, object, ['spec', 'outboundTrafficPolicy']);
    }
  }
}

/** Telemetry: access logs and tracing. */
export function importTelemetry(context: ImportContext, objects: readonly InputObject[]): void {
  for (const object of objects.filter((o) => o.kind === 'Telemetry')) {
    const spec = object.spec;
    const telemetry: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(spec)) {
      if (field === 'selector') continue;
      if (field === 'accessLogging' && Array.isArray(value) && value.length === 1 && isRecord(value[0])) {
        const entry = value[0];
        const providers = Array.isArray(entry.providers) ? entry.providers : [];
        const filter = isRecord(entry.filter) ? entry.filter.expression : undefined;
        if (providers.length > 1 || (providers.length === 1 && !(isRecord(providers[0]) && providers[0].name === 'envoy')) || (filter !== undefined && filter !== 'response.code >= 400') || Object.keys(entry).some((k) => !['providers', 'disabled', 'filter'].includes(k))) {
          context.report('unsupportedField', { field: 'accessLogging (other than Envoy\'s log, all or errors only)', feature: 'telemetry' }, object, ['spec', field]);
          continue;
        }
        telemetry.accessLog = { enabled: entry.disabled !== true, ...(filter !== undefined ? { errorsOnly: true } : {}) };
      } else if (field === 'tracing' && Array.isArray(value) && value.length === 1 && isRecord(value[0]) && typeof value[0].randomSamplingPercentage === 'number' && Object.keys(value[0]).length === 1) {
        telemetry.tracing = { samplingPercent: value[0].randomSamplingPercentage };
      } else context.report('unsupportedField', { field: `spec.${field}`, feature: 'telemetry' }, object, ['spec', field]);
    }
    const target = selectedService(context, object, spec.selector, 'selector', 'telemetry');
    if (target === undefined) continue;
    if (target === 'namespace') {
      if (object.namespace === ROOT_NAMESPACE) context.mesh.telemetry = telemetry;
      else context.namespace(object.namespace).telemetry = telemetry;
    } else target.spec.telemetry = telemetry;
  }
}

// VirtualServices bound to gateways -> `expose` of the services they send to. meshctl writes one
// VirtualService per gateway host holding, for every service exposed on it, the service's own
// routes narrowed to the exposed paths, ending with its default route narrowed to exactly those
// paths. So the exposed paths are the path conditions of a service's last route there (none: every
// path). Settings that a hand-written gateway route carries and the service's own routes do not
// are reported: at a gateway, meshctl applies the service's routes.
import type { ImportContext, ServiceDraft } from './model.js';
import type { InputObject } from './read-objects.js';
import { isRecord, meshValueMatch, sameJson } from './values.js';

const ACTION_SETTINGS = ['timeout', 'retries', 'fault', 'mirror', 'corsPolicy', 'headers', 'rewrite', 'redirect', 'directResponse'];

interface Exposure {
  service: ServiceDraft;
  gateway: string;
  paths?: unknown[];
  hosts: string[];
}

export function importIngressVirtualServices(context: ImportContext, objects: readonly InputObject[]): void {
  const exposures: Exposure[] = [];
  for (const object of objects) {
    const spec = object.spec;
    const gateways = (Array.isArray(spec.gateways) ? spec.gateways.map(String) : []).filter((g) => g !== 'mesh');
    const hosts = Array.isArray(spec.hosts) ? spec.hosts.map(String) : [];
    const gatewayRefs: string[] = [];
    gateways.forEach((gateway, index) => {
      const key = gateway.includes('/') ? gateway : `${object.namespace}/${gateway}`;
      const draft = context.gateways.get(key);
      if (!draft) {
        context.report('unknownHost', { host: gateway, what: 'the gateway binding', feature: 'ingress' }, object, ['spec', 'gateways', index]);
        return;
      }
      gatewayRefs.push(key);
    });
    if (gatewayRefs.length === 0) continue;
    const byService = new Map<ServiceDraft, { last: Record<string, unknown>; index: number }>();
    const note = (service: ServiceDraft, route: Record<string, unknown>, index: number) => byService.set(service, { last: route, index });
    (Array.isArray(spec.http) ? spec.http : []).forEach((route, index) => {
      if (!isRecord(route)) return;
      const destinations = Array.isArray(route.route) ? route.route.filter(isRecord).map((r) => (isRecord(r.destination) ? r.destination : {})) : [];
      if (destinations.length === 0) {
        // A redirect or direct response of a service's own routes, repeated at the gateway.
        const name = typeof route.name === 'string' ? route.name : undefined;
        const owned = name !== undefined && [...context.services.values()].some((service) => ((service.spec.routes as Record<string, unknown>[] | undefined) ?? []).some((r, i) => [String(r.name ?? `route-${i}`), `${service.name}-${String(r.name ?? `route-${i}`)}`].includes(name) && (r.redirect !== undefined || r.directResponse !== undefined)));
        if (!owned) context.report('ingressSettings', { route: String(route.name ?? index), what: 'redirects or answers itself' }, object, ['spec', 'http', index]);
        return;
      }
      const targets = destinations.map((d) => (typeof d.host === 'string' ? context.resolveHost(d.host, object.namespace) : undefined));
      const target = targets[0];
      if (!target || targets.some((t) => t?.draft !== target.draft) || target.kind !== 'Service') {
        context.report('unknownHost', { host: destinations.map((d) => String(d.host)).join(', '), what: 'the gateway route', feature: 'ingress' }, object, ['spec', 'http', index, 'route']);
        return;
      }
      const service = target.draft;
      const own = ((service.spec.routes as Record<string, unknown>[] | undefined) ?? []).map((r, i) => r.name ?? `route-${i}`);
      const name = typeof route.name === 'string' ? route.name : undefined;
      // The service's routes keep their names at the gateway (prefixed by the service where two
      // services share a name); A/B cohort copies add the test's name.
      const names = [...own.map(String), 'default'];
      const known = name !== undefined && names.some((n) => [n, `${service.name}-${n}`].some((candidate) => name === candidate || name.startsWith(`${candidate}-`)));
      const settings = ACTION_SETTINGS.filter((key) => route[key] !== undefined);
      if (!known && settings.length > 0) context.report('ingressSettings', { route: name ?? String(index), what: `sets ${settings.join(', ')}` }, object, ['spec', 'http', index]);
      note(service, route, index);
    });
    for (const section of ['tcp', 'tls'] as const) {
      (Array.isArray(spec[section]) ? spec[section] : []).forEach((route, index) => {
        if (!isRecord(route) || !Array.isArray(route.route)) return;
        const destination = isRecord(route.route[0]) && isRecord(route.route[0].destination) ? route.route[0].destination : {};
        const target = typeof destination.host === 'string' ? context.resolveHost(destination.host, object.namespace) : undefined;
        if (!target || target.kind !== 'Service') {
          context.report('unknownHost', { host: String(destination.host), what: 'the gateway route', feature: 'ingress' }, object, ['spec', section, index]);
          return;
        }
        byService.set(target.draft, { last: {}, index });
      });
    }
    for (const [service, { last }] of byService) {
      const matches = Array.isArray(last.match) ? last.match.filter(isRecord) : [];
      let paths: unknown[] | undefined;
      if (matches.length > 0) {
        paths = [];
        for (const match of matches) {
          const uri = meshValueMatch(match.uri);
          if (typeof uri === 'string') paths.push({ exact: uri });
          else if (uri && uri.prefix !== undefined) paths.push(uri.prefix);
        }
        if (paths.length !== matches.length) context.report('ingressSettings', { route: String(last.name ?? ''), what: 'matches more than paths' }, object, ['spec', 'http']);
      }
      for (const gateway of gatewayRefs) {
        const reference = gateway.startsWith(`${service.namespace}/`) ? gateway.slice(service.namespace.length + 1) : gateway;
        const existing = exposures.find((e) => e.service === service && e.gateway === reference && sameJson(e.paths, paths));
        if (existing) existing.hosts.push(...hosts.filter((h) => !existing.hosts.includes(h)));
        else exposures.push({ service, gateway: reference, ...(paths ? { paths } : {}), hosts: [...hosts] });
      }
    }
  }
  for (const exposure of exposures) {
    const list = (exposure.service.spec.expose as Record<string, unknown>[] | undefined) ?? [];
    list.push({ gateway: exposure.gateway, hosts: exposure.hosts, ...(exposure.paths ? { paths: exposure.paths } : {}) });
    exposure.service.spec.expose = list;
  }
}

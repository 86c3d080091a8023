// Portable mode (compile --target gateway-api --portable, or the Mesh's gatewayApi.portable): the
// output must be Gateway API and core Kubernetes objects only, which any GAMMA mesh reads. What
// only Istio's own kinds can say is then refused, each use at its place: authorization, mTLS and
// JWT, resilience (DestinationRule), rate limits (EnvoyFilter), telemetry, external services and
// VM workloads (ServiceEntry, WorkloadEntry), egress mode and proxy scoping (Sidecar).
import { defineRule } from '../../../validators/rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import { declaresMeshWide } from '../../../model/effective-policy.js';

const SERVICE_FIELDS = [
  ['access', 'AuthorizationPolicy'],
  ['authentication', 'RequestAuthentication and AuthorizationPolicy'],
  ['mtls', 'PeerAuthentication'],
  ['resilience', 'DestinationRule'],
  ['rateLimit', 'EnvoyFilter'],
  ['telemetry', 'Telemetry'],
  ['vms', 'WorkloadEntry'],
  ['dependsOn', 'Sidecar'],
] as const;

const MESH_FIELDS = [
  ['mtls', 'PeerAuthentication'],
  ['egress', 'Sidecar'],
  ['telemetry', 'Telemetry'],
] as const;

const NAMESPACE_FIELDS = [
  ['mtls', 'PeerAuthentication'],
  ['access', 'AuthorizationPolicy'],
  ['egress', 'Sidecar'],
  ['telemetry', 'Telemetry'],
] as const;

export default defineRule({
  code: 'MESH702',
  name: 'gateway-api-needs-istio',
  level: 'error',
  category: 'gateway-api',
  target: 'gateway-api',
  portableOnly: true,
  description: 'In portable mode, a setting only an Istio kind can say (the Gateway API has no such field).',
  messages: {
    needsIstio: '{field} needs Istio\'s {kind}, which portable mode does not write: remove it, or compile without --portable (gatewayApi.portable: false) to write the Istio kinds beside the Gateway API routes',
  },
  check(context) {
    const { model } = context;
    const report = (field: string, kind: string, at: ReturnType<typeof model.services[number]['keyAt']>) => context.report('needsIstio', { field, kind }, at);
    const mesh = model.mesh;
    if (mesh) {
      for (const [field, kind] of MESH_FIELDS) if (declaresMeshWide(mesh, field)) report(field, kind, mesh.keyAt('spec', field));
      if (model.settings.access === 'deny-by-default') report('access', 'AuthorizationPolicy', mesh.keyAt('spec', 'access'));
      if (model.settings.rateLimitService) report('rateLimitService', 'EnvoyFilter', mesh.keyAt('spec', 'rateLimitService'));
      for (const [namespace, defaults] of Object.entries(model.settings.namespaces ?? {})) {
        for (const [field, kind] of NAMESPACE_FIELDS) {
          const value = defaults[field];
          if (value === undefined || (field === 'access' && value === 'allow-by-default' && model.settings.access !== 'deny-by-default')) continue;
          report(`namespaces.${namespace}.${field}`, kind, mesh.keyAt('spec', 'namespaces', namespace, field));
        }
      }
    }
    for (const service of model.services) {
      const spec = service.resource.spec;
      for (const [field, kind] of SERVICE_FIELDS) if (spec[field] !== undefined) report(field, kind, service.keyAt('spec', field));
      (spec.routes ?? []).forEach((route, index) => {
        const path: PathSegment[] = ['spec', 'routes', index, 'rateLimit'];
        if (route.rateLimit) report('rateLimit', 'EnvoyFilter', service.keyAt(...path));
      });
    }
    for (const external of model.externalServices) report('ExternalService', 'ServiceEntry', external.at('kind'));
  },
});

// What the Gateway API does not express, written as the Istio kinds Istio applies beside Gateway
// API routes, by the Istio target's own emitters: authorization, mTLS and JWT (AuthorizationPolicy,
// PeerAuthentication, RequestAuthentication), rate limits (EnvoyFilter), telemetry, the service
// registry (ServiceEntry, WorkloadEntry), sidecar scoping (Sidecar), and resilience as
// DestinationRules. Istio applies a DestinationRule by host, and each version is a host of its own
// here (version-services.ts), so a service's resilience is written for its host and for the host
// of every version Service; callers' Sidecars list those hosts too, or they would not see them.
import type { MeshModel } from '../../model/mesh-model.js';
import type { KubernetesObject } from '../../output/manifest.js';
import { API, objectMeta, serviceHost } from '../istio/common.js';
import { RATELIMIT_EMITTERS } from '../istio/ratelimit/index.js';
import { compileAuthorizationPolicies } from '../istio/security/authorization-policy.js';
import { compilePeerAuthentications } from '../istio/security/peer-authentication.js';
import { compileRequestAuthentications } from '../istio/security/request-authentication.js';
import { compileServiceEntries } from '../istio/security/service-entry.js';
import { compileSidecars } from '../istio/security/sidecar.js';
import { compileTelemetry } from '../istio/security/telemetry.js';
import { compileVmServices } from '../istio/security/vm-service.js';
import { compileWorkloadEntries } from '../istio/security/workload-entry.js';
import { compileExternalDestinationRules } from '../istio/traffic/external-destination-rule.js';
import { toTrafficPolicy } from '../istio/traffic/traffic-policy.js';
import { versionServiceName } from './names.js';
import { routedVersions } from './version-services.js';
import { compiledName } from '../istio/compiled-names.js';

type Emitter = (model: MeshModel) => KubernetesObject[];

const ISTIO_EMITTERS: readonly Emitter[] = [
  compilePeerAuthentications,
  compileAuthorizationPolicies,
  compileRequestAuthentications,
  compileServiceEntries,
  compileWorkloadEntries,
  compileVmServices,
  compileTelemetry,
  compileExternalDestinationRules,
  ...RATELIMIT_EMITTERS,
  compileResilienceDestinationRules,
  compileSidecarsWithVersionHosts,
];

export function compileIstioAlongside(model: MeshModel): KubernetesObject[] {
  return ISTIO_EMITTERS.flatMap((emit) => emit(model));
}

/** The version hosts of every service, by its host. */
function versionHosts(model: MeshModel): Map<string, string[]> {
  const routed = routedVersions(model);
  const hosts = new Map<string, string[]>();
  for (const service of model.services) {
    const versions = [...(routed.get(service.key) ?? [])].filter((version) => service.resource.spec.versions?.[version]).sort();
    if (versions.length === 0) continue;
    hosts.set(serviceHost(service), versions.map((version) => serviceHost({ name: versionServiceName(model, service, version), namespace: service.namespace })));
  }
  return hosts;
}

export function compileResilienceDestinationRules(model: MeshModel): KubernetesObject[] {
  const hosts = versionHosts(model);
  const objects: KubernetesObject[] = [];
  for (const service of model.services) {
    const trafficPolicy = toTrafficPolicy(service.resource.spec.resilience);
    if (Object.keys(trafficPolicy).length === 0) continue;
    const host = serviceHost(service);
    const rule = (name: string, target: string): KubernetesObject => ({
      apiVersion: API.networking,
      kind: 'DestinationRule',
      metadata: objectMeta(service, name, service.namespace),
      spec: { host: target, trafficPolicy },
    });
    objects.push(rule(compiledName.destinationRule(service.name), host));
    for (const versionHost of hosts.get(host) ?? []) objects.push(rule(versionHost.split('.')[0]!, versionHost));
  }
  return objects;
}

function compileSidecarsWithVersionHosts(model: MeshModel): KubernetesObject[] {
  const hosts = versionHosts(model);
  return compileSidecars(model).map((sidecar) => {
    const spec = sidecar.spec as { egress?: { hosts: string[] }[] };
    if (!spec.egress) return sidecar;
    const egress = spec.egress.map((entry) => {
      const all = new Set(entry.hosts);
      for (const namespaced of entry.hosts) {
        const slash = namespaced.indexOf('/');
        for (const versionHost of hosts.get(namespaced.slice(slash + 1)) ?? []) all.add(`${namespaced.slice(0, slash)}/${versionHost}`);
      }
      return { ...entry, hosts: [...all].sort() };
    });
    return { ...sidecar, spec: { ...spec, egress } };
  });
}

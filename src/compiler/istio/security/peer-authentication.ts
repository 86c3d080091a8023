// PeerAuthentication: which connections a workload's proxy accepts, mutual TLS or plain text.
// Istio applies the most specific one: workload (selector) over namespace (`default` in the
// namespace) over mesh (`default` in the root namespace). The mesh-wide one is written only when
// the Mesh writes `mtls`: otherwise the platform's mesh-wide policy (or Istio's default) stays. Port-level modes need a selector, and
// are keyed by the port the workload listens on (the inbound listener never sees the Service
// port), so `spec.mtls.ports` keys, which name Service ports, are translated to target ports.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, type CompiledSource } from '../compiled-names.js';
import { declaresMeshWide, parsePortKey, type MtlsMode } from '../../../model/effective-policy.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { API, objectMeta } from '../common.js';
import { policySelector, workloadPort } from './workload.js';

type IstioMtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

const ISTIO_MODE: Record<MtlsMode, IstioMtlsMode> = { strict: 'STRICT', permissive: 'PERMISSIVE', disabled: 'DISABLE' };

/** When two Service ports share one target port, the stricter mode wins: never weaken silently. */
const STRICTNESS: Record<MtlsMode, number> = { disabled: 0, permissive: 1, strict: 2 };

export function toIstioMtlsMode(mode: MtlsMode): IstioMtlsMode {
  return ISTIO_MODE[mode];
}

export function compilePeerAuthentications(model: MeshModel): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  const mesh = model.mesh;
  if (mesh) {
    if (declaresMeshWide(mesh, 'mtls')) objects.push(peerAuthentication(mesh, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, { mtls: { mode: toIstioMtlsMode(model.settings.mtls) } }));
    for (const namespace of Object.keys(model.settings.namespaces ?? {}).sort(compareStrings)) {
      const mode = model.settings.namespaces?.[namespace]?.mtls;
      if (mode) objects.push(peerAuthentication(mesh, DEFAULTS_OBJECT_NAME, namespace, { mtls: { mode: toIstioMtlsMode(mode) } }));
    }
  }
  for (const service of model.services) {
    const setting = service.resource.spec.mtls;
    if (setting === undefined) continue;
    const spec: Record<string, unknown> = { selector: policySelector(service) };
    if (typeof setting === 'string') {
      spec.mtls = { mode: toIstioMtlsMode(setting) };
    } else {
      spec.mtls = { mode: toIstioMtlsMode(setting.mode) };
      const portLevel = portLevelMtls(service, setting.ports ?? {});
      // An empty portLevelMtls is refused (minProperties: 1).
      if (Object.keys(portLevel).length > 0) spec.portLevelMtls = portLevel;
    }
    objects.push(peerAuthentication(service, compiledName.peerAuthentication(service.name), service.namespace, spec));
  }
  return objects;
}

function portLevelMtls(service: ServiceNode, ports: Readonly<Record<string, MtlsMode>>): Record<string, { mode: IstioMtlsMode }> {
  const byWorkloadPort = new Map<number, MtlsMode>();
  for (const [key, mode] of Object.entries(ports)) {
    const port = parsePortKey(key);
    if (port === undefined) continue;
    const target = workloadPort(service, port);
    const earlier = byWorkloadPort.get(target);
    if (earlier === undefined || STRICTNESS[mode] > STRICTNESS[earlier]) byWorkloadPort.set(target, mode);
  }
  const out: Record<string, { mode: IstioMtlsMode }> = {};
  for (const port of [...byWorkloadPort.keys()].sort((a, b) => a - b)) out[String(port)] = { mode: toIstioMtlsMode(byWorkloadPort.get(port)!) };
  return out;
}

function peerAuthentication(source: CompiledSource, name: string, namespace: string, spec: Record<string, unknown>): KubernetesObject {
  return { apiVersion: API.security, kind: 'PeerAuthentication', metadata: objectMeta(source, name, namespace), spec };
}

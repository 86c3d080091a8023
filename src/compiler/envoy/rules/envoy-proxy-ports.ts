// Where the Envoy target's proxies and the applications behind them listen, with the mesh-file node
// each number comes from, for the rules that check those sockets can all be bound. The numbers
// are the emitter's own (src/compiler/envoy/settings.ts), so the checks cannot drift from what is
// compiled; the locations point at the most specific node that set a number, or at the service
// port it defaulted from.
import { isIP } from 'node:net';
import {
  LOCAL_APP_ADDRESS,
  LOOPBACK,
  localAppPort,
  meshProxySettings,
  sidecarSettings,
  workloadsOf,
  type SidecarSettings,
} from '../settings.js';
import type { RuleContext } from '../../../validators/rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { portName } from '../../../model/names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';

/**
 * Whether two listening sockets on these addresses and one port cannot both be bound (Linux):
 * the same address, or an IPv4 address next to 0.0.0.0. Envoy binds `::` IPv6-only (its
 * `ipv4_compat` is off), so `::` only clashes with IPv6 addresses.
 */
export function listenAddressesOverlap(a: string, b: string): boolean {
  const familyA = isIP(a);
  const familyB = isIP(b);
  if (familyA === 0 || familyA !== familyB) return false;
  const canonicalA = canonicalIp(a);
  const canonicalB = canonicalIp(b);
  const wildcard = familyA === 4 ? '0.0.0.0' : '::';
  return canonicalA === canonicalB || canonicalA === wildcard || canonicalB === wildcard;
}

function canonicalIp(address: string): string {
  return isIP(address) === 6 ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address;
}

/** One socket a workload's sidecar or application listens on. */
export interface BoundSocket {
  readonly address: string;
  readonly port: number;
  /** For messages: `the inbound listener of port "http"`, `the admin interface`. */
  readonly what: string;
  /** Where the number was set; undefined for a built-in default nobody wrote. */
  readonly location: Location | undefined;
  /** The service port it belongs to (inbound listeners and applications). */
  readonly servicePort?: number;
}

/** The sockets of one workload: its sidecar's listeners and its application's ports. */
export interface WorkloadSockets {
  readonly service: ServiceNode;
  readonly version: string | undefined;
  /** For messages: `reviews-v1` or `reviews`. */
  readonly label: string;
  /** The emitter's resolved settings for this sidecar, where every number below comes from. */
  readonly sidecar: SidecarSettings;
  /** One per service port, in spec.ports order. */
  readonly inbound: readonly BoundSocket[];
  readonly outbound: BoundSocket;
  readonly admin: BoundSocket;
  /** One per service port, in spec.ports order. */
  readonly applications: readonly BoundSocket[];
}

export function workloadSockets(model: MeshModel, service: ServiceNode): WorkloadSockets[] {
  const spec = service.resource.spec;
  const mesh = meshProxySettings(model, {});
  return workloadsOf(service).map(({ version }) => {
    const sidecar = sidecarSettings(mesh, service, version, {});
    const versionEnvoy = version !== undefined ? spec.versions?.[version]?.envoy : undefined;
    const inbound = spec.ports.map((port, p): BoundSocket => {
      const name = portName(port);
      const location =
        versionEnvoy?.inboundPorts?.[name] !== undefined
          ? service.at('spec', 'versions', version!, 'envoy', 'inboundPorts', name)
          : spec.envoy?.inboundPorts?.[name] !== undefined
            ? service.at('spec', 'envoy', 'inboundPorts', name)
            : service.at('spec', 'ports', p, 'port');
      return { address: sidecar.inboundAddress, port: sidecar.inboundPort(port), what: `the inbound listener of port "${name}"`, location, servicePort: port.port };
    });
    const proxyPort = (field: 'outboundPort' | 'adminPort', what: string): BoundSocket => {
      const location =
        versionEnvoy?.[field] !== undefined
          ? service.at('spec', 'versions', version!, 'envoy', field)
          : spec.envoy?.[field] !== undefined
            ? service.at('spec', 'envoy', field)
            : meshEnvoyField(model, field);
      return { address: LOOPBACK, port: sidecar[field], what, location };
    };
    const applications = spec.ports.map((port, p): BoundSocket => ({
      address: LOCAL_APP_ADDRESS,
      port: localAppPort(port),
      what: `the application's port "${portName(port)}"`,
      location: service.at('spec', 'ports', p, port.targetPort !== undefined ? 'targetPort' : 'port'),
      servicePort: port.port,
    }));
    return {
      service,
      version,
      label: version !== undefined ? `${service.name}-${version}` : service.name,
      sidecar,
      inbound,
      outbound: proxyPort('outboundPort', 'the outbound HTTP listener'),
      admin: proxyPort('adminPort', 'the admin interface'),
      applications,
    };
  });
}

/** The Mesh document's spec.envoy.<field> when it is written there (the schema fills in defaults). */
export function meshEnvoyField(model: MeshModel, field: string): Location | undefined {
  const mesh = model.mesh;
  if (!mesh) return undefined;
  const raw = mesh.document.value as { spec?: { envoy?: Record<string, unknown> } } | null | undefined;
  return raw?.spec?.envoy && typeof raw.spec.envoy === 'object' && field in raw.spec.envoy ? mesh.at('spec', 'envoy', field) : undefined;
}

/**
 * Reports each finding once, however many workloads of a service share it (a service-level
 * setting is every version's): the workloads are listed in the message instead.
 */
export class WorkloadFindings {
  private readonly findings = new Map<string, { messageId: string; data: Record<string, string | number>; location: Location; related: { message: string; location: Location }[]; workloads: string[] }>();

  add(messageId: string, data: Record<string, string | number>, location: Location, related: { message: string; location: Location | undefined }[], workload: string): void {
    const key = JSON.stringify([messageId, data, location]);
    const existing = this.findings.get(key);
    if (existing) {
      if (!existing.workloads.includes(workload)) existing.workloads.push(workload);
      return;
    }
    const kept = related.filter((entry): entry is { message: string; location: Location } => entry.location !== undefined && JSON.stringify(entry.location) !== JSON.stringify(location));
    this.findings.set(key, { messageId, data, location, related: kept, workloads: [workload] });
  }

  reportTo(context: RuleContext): void {
    for (const finding of this.findings.values()) {
      const proxies = finding.workloads.length === 1 ? `the sidecar of ${finding.workloads[0]}` : `the sidecars of ${finding.workloads.join(', ')}`;
      context.report(finding.messageId, { ...finding.data, proxies }, finding.location, finding.related.length > 0 ? finding.related : undefined);
    }
  }
}

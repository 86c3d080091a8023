// ServiceEntry: hosts Istio's registry does not get from Kubernetes.
// - Each ExternalService -> a MESH_EXTERNAL entry with its hosts, ports and endpoints. For TLS
//   origination the mesh file declares the port the application speaks (plain HTTP, e.g. 80) with
//   `targetPort` the provider's TLS port (443): Istio's pattern is an HTTP port with that
//   targetPort, upgraded to TLS by the DestinationRule, so the proxy still sees the requests.
// Services with VMs get a Kubernetes Service instead (./vm-service.ts).
import type { KubernetesObject } from '../../../output/manifest.js';
import { portName } from '../../../model/names.js';
import { compiledName } from '../compiled-names.js';
import type { ExternalServiceNode, MeshModel } from '../../../model/mesh-model.js';
import type { ServicePortT } from '../../../schema/resources.js';
import { API, objectMeta } from '../common.js';
import { sortedRecord } from '../../../common/sorted-record.js';

const PROTOCOL: Record<ServicePortT['protocol'], string> = { http: 'HTTP', http2: 'HTTP2', grpc: 'GRPC', tcp: 'TCP', tls: 'TLS' };

const RESOLUTION = { dns: 'DNS', static: 'STATIC', none: 'NONE' } as const;

export function compileServiceEntries(model: MeshModel): KubernetesObject[] {
  return model.externalServices.map(externalServiceEntry);
}

/** A ServiceEntry port: number, name, upper-case protocol, and the endpoint port when it differs. */
export function toServiceEntryPort(port: ServicePortT): Record<string, unknown> {
  return {
    number: port.port,
    name: portName(port),
    protocol: PROTOCOL[port.protocol],
    ...(port.targetPort !== undefined && port.targetPort !== port.port ? { targetPort: port.targetPort } : {}),
  };
}

function externalServiceEntry(external: ExternalServiceNode): KubernetesObject {
  const spec = external.resource.spec;
  const resolution = RESOLUTION[spec.resolution];
  const endpoints = (spec.endpoints ?? []).map((endpoint) => ({
    address: endpoint.address,
    ...(endpoint.ports && Object.keys(endpoint.ports).length > 0 ? { ports: sortedRecord(endpoint.ports) } : {}),
    ...(endpoint.labels && Object.keys(endpoint.labels).length > 0 ? { labels: sortedRecord(endpoint.labels) } : {}),
    ...(endpoint.locality !== undefined ? { locality: endpoint.locality } : {}),
  }));
  return {
    apiVersion: API.networking,
    kind: 'ServiceEntry',
    metadata: objectMeta(external, compiledName.externalServiceEntry(external.name), external.namespace),
    spec: {
      hosts: [...new Set(spec.hosts)],
      location: 'MESH_EXTERNAL',
      ports: spec.ports.map(toServiceEntryPort),
      resolution,
      // With resolution NONE the proxy forwards to the address the application dialled; Istio
      // refuses endpoints there, so they are left out rather than rejected at apply time.
      ...(endpoints.length > 0 && resolution !== 'NONE' ? { endpoints } : {}),
    },
  };
}

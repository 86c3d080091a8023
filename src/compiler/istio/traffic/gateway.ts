// A mesh Gateway as an Istio Gateway: the selector of the gateway proxy's pods and one server per
// listener. Istio wants protocols and TLS modes in upper case, and every server port named; an
// unnamed listener's port is named <protocol>-<port>, like service ports. Hosts are written in lower
// case, as the ingress VirtualServices write theirs: Istio compares the two as strings, while DNS
// (and Envoy's virtual host matching) ignores case.
import type { GatewayNode } from '../../../model/mesh-model.js';
import { compiledName } from '../compiled-names.js';
import type { GatewayResourceT } from '../../../schema/resources.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta } from '../common.js';
import type { IstioEmitter } from '../index.js';
import type { IstioGatewaySpec, IstioServer } from './istio-types.js';
import { sortedRecord } from '../../../common/sorted-record.js';

type Listener = GatewayResourceT['spec']['listeners'][number];

export const compileGateways: IstioEmitter = (model) => model.gateways.map(compileGateway);

export function compileGateway(gateway: GatewayNode): KubernetesObject {
  const spec: IstioGatewaySpec = {
    selector: sortedRecord(gateway.resource.spec.selector),
    servers: gateway.resource.spec.listeners.map(toIstioServer),
  };
  const name = compiledName.gateway(gateway.name);
  return { apiVersion: API.networking, kind: 'Gateway', metadata: objectMeta(gateway, name, gateway.namespace), spec };
}

export function toIstioServer(listener: Listener): IstioServer {
  return {
    port: { number: listener.port, name: listener.name ?? `${listener.protocol}-${listener.port}`, protocol: listener.protocol.toUpperCase() },
    hosts: [...new Set(listener.hosts.map((host) => host.toLowerCase()))],
    ...(listener.tls
      ? {
          tls: {
            mode: TLS_MODES[listener.tls.mode],
            ...(listener.tls.credentialName !== undefined ? { credentialName: listener.tls.credentialName } : {}),
          },
        }
      : {}),
  };
}

const TLS_MODES = { simple: 'SIMPLE', mutual: 'MUTUAL', passthrough: 'PASSTHROUGH' } as const;

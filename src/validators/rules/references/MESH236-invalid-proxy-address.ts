// Finds addresses of the Envoy target that Envoy cannot use. Listeners bind IP addresses only
// (Envoy rejects a configuration whose listener address is a host name), so the Mesh's
// envoy.inboundAddress and a Gateway's envoy.address must be IPs; a service's endpoints become
// STATIC clusters (IPs) or STRICT_DNS ones (host names), and a string that is neither, such as
// "10.0.0.5:8080" or "https://reviews", resolves to nothing and leaves the cluster empty (503s).
import { isIP } from 'node:net';
import { defineRule, type RuleContext } from '../../rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import type { WorkloadEndpoint } from '../../../schema/resources.js';
import type { z } from 'zod';

const DNS_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
const MAX_DNS_NAME_LENGTH = 253;

export default defineRule({
  code: 'MESH236',
  name: 'invalid-proxy-address',
  level: 'error',
  category: 'reference',
  description: 'An Envoy-target address Envoy cannot use: a listen address that is not an IP, or an endpoint that is neither an IP nor a DNS name.',
  messages: {
    listenAddress: '"{address}" is not an IP address, and Envoy binds listeners to IP addresses only; write one such as 0.0.0.0 (every IPv4 address), 127.0.0.1 or ::',
    endpointAddress: '"{address}" is neither an IP address nor a DNS name, so the endpoint would resolve to nothing{hint}',
  },
  check(context) {
    const { model } = context;
    const inboundAddress = model.settings.envoy?.inboundAddress;
    if (model.mesh && inboundAddress !== undefined && isIP(inboundAddress) === 0) {
      context.report('listenAddress', { address: inboundAddress }, model.mesh.at('spec', 'envoy', 'inboundAddress'));
    }
    for (const gateway of model.gateways) {
      const address = gateway.resource.spec.envoy?.address;
      if (address !== undefined && isIP(address) === 0) context.report('listenAddress', { address }, gateway.at('spec', 'envoy', 'address'));
    }
    for (const service of model.services) {
      checkEndpoints(context, service, service.resource.spec.endpoints, ['spec', 'endpoints']);
      for (const [version, settings] of Object.entries(service.resource.spec.versions ?? {})) {
        checkEndpoints(context, service, settings.endpoints, ['spec', 'versions', version, 'endpoints']);
      }
    }
  },
});

function checkEndpoints(context: RuleContext, service: ServiceNode, endpoints: readonly z.infer<typeof WorkloadEndpoint>[] | undefined, path: readonly PathSegment[]): void {
  endpoints?.forEach((endpoint, e) => {
    if (isIP(endpoint.address) !== 0 || isDnsName(endpoint.address)) return;
    context.report('endpointAddress', { address: endpoint.address, hint: hintFor(endpoint.address) }, service.at(...path, e, 'address'));
  });
}

/** A host name (RFC 1123): dot-separated labels, and a last label that is not all digits (that would be a broken IPv4 address). */
export function isDnsName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > MAX_DNS_NAME_LENGTH) return false;
  const labels = name.split('.');
  return labels.every((label) => DNS_LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]!);
}

function hintFor(address: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(address)) return '; write the host name alone, without a scheme';
  const withPort = /^(.*):(\d+)$/.exec(address);
  if (withPort && !withPort[1]!.includes(':') && (isIP(withPort[1]!) !== 0 || isDnsName(withPort[1]!))) {
    return `; write the address alone and the port in the endpoint's ports map, e.g. ports: {<port name>: ${withPort[2]}}`;
  }
  return '';
}

// Names of the mesh's parts that every layer shares: a port's and a route's name as diagnostics,
// targets and review show them, and the DNS label every compiled name must be.
import type { ServicePortT } from '../schema/resources.js';

/**
 * Every compiled name is kept a DNS label: the strictest rule Kubernetes applies to object names,
 * so one name works for every kind, as a label value and inside Envoy cluster names.
 */
export const MAX_COMPILED_NAME_LENGTH = 63;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** True when the text can be an object or subset name: a DNS label (RFC 1123). */
export function isDnsLabel(text: string): boolean {
  return text.length <= MAX_COMPILED_NAME_LENGTH && DNS_LABEL.test(text);
}

/** A port's name: the one written, or `<protocol>-<port>` (e.g. http-9080). */
export function portName(port: Pick<ServicePortT, 'name' | 'port' | 'protocol'>): string {
  return port.name ?? `${port.protocol}-${port.port}`;
}

/** A route's name in diagnostics and in the compiled VirtualService: the one written, or route-<index> from 0. */
export function routeName(route: { readonly name?: string | undefined }, index: number): string {
  return route.name ?? `route-${index}`;
}

// The mesh being rebuilt from Istio and Kubernetes objects: drafts of the mesh documents that the
// importers fill in, and the lookups they share (which service a host, a label set or a SPIFFE
// identity stands for).
import type { PathSegment } from '../diagnostics/types.js';
import { importFinding, type ImportFinding, type ImportFindingId } from './findings.js';
import type { InputObject } from './read-objects.js';
import { labelsInclude, sameJson } from './values.js';

export const CLUSTER_DOMAIN = 'cluster.local';
export const ROOT_NAMESPACE = 'istio-system';

export interface ServicePortDraft {
  name?: string;
  port: number;
  targetPort?: number;
  protocol: 'http' | 'http2' | 'grpc' | 'tcp' | 'tls';
}

export interface ServiceDraft {
  readonly name: string;
  readonly namespace: string;
  readonly origin: InputObject;
  /** The labels every workload of the service carries (the Kubernetes Service's selector). */
  readonly selector: Record<string, string>;
  spec: Record<string, unknown> & { ports: ServicePortDraft[] };
  /** The service accounts its Deployments run as. */
  accounts: Set<string>;
}

export interface ExternalDraft {
  readonly name: string;
  readonly namespace: string;
  readonly origin: InputObject;
  spec: Record<string, unknown> & { hosts: string[]; ports: ServicePortDraft[] };
}

export interface GatewayDraft {
  readonly name: string;
  readonly namespace: string;
  readonly origin: InputObject;
  spec: Record<string, unknown> & { selector: Record<string, string> };
}

export type Target = { kind: 'Service'; draft: ServiceDraft } | { kind: 'ExternalService'; draft: ExternalDraft };

export class ImportContext {
  readonly findings: ImportFinding[] = [];
  readonly services = new Map<string, ServiceDraft>();
  readonly externals = new Map<string, ExternalDraft>();
  readonly gateways = new Map<string, GatewayDraft>();
  /** The Mesh's spec, filled in by whatever is mesh-wide or namespace-wide. */
  readonly mesh: Record<string, unknown> = {};
  readonly namespaceSettings = new Map<string, Record<string, unknown>>();
  /** The trust domain of the principals read, once one is seen. */
  trustDomain: string | undefined;

  report(id: ImportFindingId, data: Record<string, string | number>, object: InputObject, path: readonly PathSegment[] = [], dropsObject?: boolean): void {
    this.findings.push(importFinding(id, { kind: object.kind, object: `${object.namespace}/${object.name}`, ...data }, object.locate(path), object.key, dropsObject));
  }

  namespace(name: string): Record<string, unknown> {
    let settings = this.namespaceSettings.get(name);
    if (!settings) {
      settings = {};
      this.namespaceSettings.set(name, settings);
    }
    return settings;
  }

  /** The service or external service a host names, as Istio resolves it from `namespace`. */
  resolveHost(host: string, namespace: string): Target | undefined {
    const fqdn = qualifyHost(host, namespace);
    const service = this.serviceByHost(fqdn);
    if (service) return { kind: 'Service', draft: service };
    for (const external of this.externals.values()) if (external.spec.hosts.includes(host) || external.spec.hosts.includes(fqdn)) return { kind: 'ExternalService', draft: external };
    return undefined;
  }

  serviceByHost(fqdn: string): ServiceDraft | undefined {
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(fqdn);
    return match ? this.services.get(`${match[2]}/${match[1]}`) : undefined;
  }

  /** The service whose workloads these are: its selector is included in the labels (the most specific one). */
  serviceBySelector(labels: Readonly<Record<string, string>>, namespace: string): ServiceDraft | undefined {
    const candidates = [...this.services.values()].filter((service) => service.namespace === namespace && labelsInclude(labels, service.selector));
    candidates.sort((a, b) => Object.keys(b.selector).length - Object.keys(a.selector).length);
    return candidates[0];
  }

  /** The service whose workload selector is exactly these labels. */
  serviceWithSelector(labels: Readonly<Record<string, string>>, namespace: string | undefined): ServiceDraft | undefined {
    return [...this.services.values()].find((service) => (namespace === undefined || service.namespace === namespace) && sameJson(sortedKeys(service.selector), sortedKeys(labels)));
  }

  /** A reference to a service or external service as a document in `from` writes it. */
  reference(target: Target, fromNamespace: string): string {
    return target.draft.namespace === fromNamespace ? target.draft.name : `${target.draft.namespace}/${target.draft.name}`;
  }

  /** The service account a service's pods run as: the mesh's default is the service's name. */
  podAccount(service: ServiceDraft): string {
    return typeof service.spec.serviceAccount === 'string' ? service.spec.serviceAccount : service.name;
  }

  /** Every identity a service's workloads present, in the order meshctl lists them (pods, then VMs). */
  accountsOf(service: ServiceDraft): string[] {
    const accounts = [this.podAccount(service)];
    for (const vm of (service.spec.vms as { serviceAccount?: string }[] | undefined) ?? []) if (vm.serviceAccount !== undefined && !accounts.includes(vm.serviceAccount)) accounts.push(vm.serviceAccount);
    return accounts;
  }
}

function sortedKeys(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A host as Istio reads it in `namespace`: short names are services of that namespace. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes('*')) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.svc.${CLUSTER_DOMAIN}`;
  if (parts.length === 2) return `${host}.svc.${CLUSTER_DOMAIN}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.${CLUSTER_DOMAIN}`;
  return host;
}

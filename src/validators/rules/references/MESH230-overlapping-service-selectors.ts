// Two services in one namespace whose workload selectors pick out the same workloads: the same
// label set, or one set a subset of the other (the smaller set selects everything the larger
// does). Every per-workload object meshctl emits for a service (Sidecar, PeerAuthentication,
// AuthorizationPolicy, RequestAuthentication, Telemetry, rate-limit EnvoyFilters) selects by these
// labels, so those workloads receive both services' objects. Istio applies one Sidecar (and one
// workload-level PeerAuthentication and Telemetry) per workload, the oldest, and stacks the rest,
// so neither service's file says what its workloads do. Selectors are compared only within a
// namespace: these objects never select workloads in another.
//
// Cost: one map per namespace keyed by the sorted label set finds identical selectors in O(n).
// Subsets are found by looking up every proper subset of each selector in that map, 2^k lookups
// for k labels, which stays cheap for the one to three labels selectors usually have; selectors of
// more than MAX_SUBSET_LABELS labels are only compared for identical sets.
import { defineRule } from '../../../diagnostics/rule.js';
import { compareStrings, type Location } from '../../../diagnostics/types.js';
import { workloadLabels } from '../../../model/workload-identity.js';
import type { ServiceNode } from '../../../model/mesh-model.js';

const MAX_SUBSET_LABELS = 6;

interface LabelGroup {
  readonly labels: Readonly<Record<string, string>>;
  /** Sorted label entries, the group's identity. */
  readonly entries: readonly (readonly [string, string])[];
  readonly services: ServiceNode[];
}

export default defineRule({
  code: 'MESH230',
  name: 'overlapping-service-selectors',
  level: 'warning',
  category: 'reference',
  description: 'Two services in one namespace whose workload selectors select the same workloads (identical label sets, or one a subset of the other).',
  messages: {
    identical:
      'service {service} selects its workloads by {labels}, exactly as service {other} does: both services\' Sidecar and policies then apply to the same workloads, and Istio keeps only one Sidecar per workload and stacks the rest; give each service a selector that only its own workloads carry',
    subset:
      'the selector of service {service} ({labels}) also selects every workload of {others}, whose labels include all of its own: those workloads get the Sidecar and policies of both services, and Istio keeps only one Sidecar per workload and stacks the rest; add a label that tells them apart',
    empty:
      'service {service} has an empty selector, which selects every workload in namespace {namespace}, those of {others} too: they get the Sidecar and policies of both services; select the service\'s own workloads by a label they alone carry',
  },
  check(context) {
    const byNamespace = new Map<string, ServiceNode[]>();
    for (const service of context.model.services) {
      const services = byNamespace.get(service.namespace) ?? [];
      services.push(service);
      byNamespace.set(service.namespace, services);
    }
    for (const [namespace, services] of byNamespace) {
      const groups = new Map<string, LabelGroup>();
      for (const service of services) {
        const labels = workloadLabels(service);
        const entries = Object.entries(labels).sort(([a], [b]) => compareStrings(a, b));
        const key = labelKey(entries);
        const group = groups.get(key) ?? { labels, entries, services: [] };
        // A second document of the same service is a duplicate name (MESH220), not a second service.
        if (group.services.some((other) => other.key === service.key)) continue;
        group.services.push(service);
        groups.set(key, group);
      }

      for (const group of groups.values()) {
        const [first, ...others] = group.services;
        for (const service of others) {
          context.report('identical', { service: service.name, other: first!.name, labels: formatLabels(group.labels) }, selectorAt(service), [
            { message: selectorLabel(first!), location: selectorAt(first!) },
          ]);
        }
      }

      // For each label set, the services whose selectors are a proper subset of it: they are broader.
      const narrower = new Map<LabelGroup, ServiceNode[]>();
      for (const group of groups.values()) {
        const k = group.entries.length;
        if (k === 0 || k > MAX_SUBSET_LABELS) continue;
        for (let mask = 0; mask < (1 << k) - 1; mask++) {
          const broader = groups.get(labelKey(group.entries.filter((_, bit) => mask & (1 << bit))));
          if (!broader) continue;
          const list = narrower.get(broader) ?? [];
          list.push(...group.services);
          narrower.set(broader, list);
        }
      }
      for (const [broader, covered] of narrower) {
        const ordered = [...covered].sort((a, b) => compareStrings(a.name, b.name));
        const others = ordered.map((service) => `service ${service.name}`).join(', ');
        const related = ordered.map((service) => ({ message: selectorLabel(service), location: selectorAt(service) }));
        for (const service of broader.services) {
          if (broader.entries.length === 0) context.report('empty', { service: service.name, namespace, others }, selectorAt(service), related);
          else context.report('subset', { service: service.name, labels: formatLabels(broader.labels), others }, selectorAt(service), related);
        }
      }
    }
  },
});

function labelKey(entries: readonly (readonly [string, string])[]): string {
  return JSON.stringify(entries);
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => compareStrings(a, b));
  return `{${entries.map(([key, value]) => `${key}: ${value}`).join(', ')}}`;
}

function selectorLabel(service: ServiceNode): string {
  return service.resource.spec.selector !== undefined ? `service ${service.name}'s selector` : `service ${service.name}'s default selector (app: ${service.name})`;
}

/** The selector as written, or the name it defaults from (app: <name>). */
function selectorAt(service: ServiceNode): Location {
  return service.resource.spec.selector !== undefined ? service.at('spec', 'selector') : service.at('metadata', 'name');
}

// Route matches as entries a target can write: a mesh route's `match` (all conditions must hold)
// as a list of entries that are alternatives (a request matching any entry matches the route),
// each entry a set of conditions that must all hold. A route matching several methods or several
// callers therefore becomes one entry per method and caller, each carrying every other condition.
// Istio writes one HTTPMatchRequest per entry; Envoy one route per entry.
import { compareStrings } from '../diagnostics/types.js';
import { absentQueryParameterCondition, cookieCondition, toHeaderCondition, toStringCondition, type HeaderCondition, type StringCondition } from '../model/conditions.js';
import { qualify, type MeshModel, type ServiceNode } from '../model/mesh-model.js';
import { normalizePathMatch, normalizeValueMatch, type PathCondition } from '../model/route-match.js';
import { workloadLabels } from '../model/workload-identity.js';
import type { ServiceSpecT } from '../schema/resources.js';
import type { RouteMatchSpec } from '../schema/traffic.js';

/** The workloads of a calling service: its workload labels, in the caller's namespace. */
export interface CallerMatch {
  readonly labels: Readonly<Record<string, string>>;
  readonly namespace: string;
}

/** One match entry: every condition must hold. */
export interface MatchEntry {
  readonly path?: Exclude<PathCondition, { kind: 'malformed' }>;
  readonly method?: string;
  readonly headers: readonly HeaderCondition[];
  /** Query parameters that must be present or match, by name; absent ones are header conditions on `:path`. */
  readonly query: readonly (readonly [string, StringCondition])[];
  readonly caller?: CallerMatch;
}

/** The entries of a route's match; undefined when it has no condition (no match, or an empty one). */
export function matchEntries(model: MeshModel, service: ServiceNode, match: RouteMatchSpec | undefined): MatchEntry[] | undefined {
  if (!match) return undefined;
  const path = match.path === undefined ? undefined : definedPath(normalizePathMatch(match.path), service);
  const headers: HeaderCondition[] = [
    ...sortedEntries(match.headers).map(([name, value]) => toHeaderCondition(name, normalizeValueMatch(value))),
    ...sortedEntries(match.cookies).map(([name, value]) => cookieCondition(name, normalizeValueMatch(value))),
  ];
  const query: [string, StringCondition][] = [];
  for (const [name, value] of sortedEntries(match.query)) {
    const condition = normalizeValueMatch(value);
    if (condition.kind === 'absent') headers.push(absentQueryParameterCondition(name));
    else query.push([name, toStringCondition(condition)]);
  }
  const methods: (string | undefined)[] = match.methods ?? [undefined];
  const callers: (CallerMatch | undefined)[] = match.from?.map((ref) => callerMatch(model, ref, service.namespace)) ?? [undefined];
  const entries: MatchEntry[] = [];
  for (const caller of callers) {
    for (const method of methods) {
      entries.push({ ...(path ? { path } : {}), ...(method ? { method } : {}), headers, query, ...(caller ? { caller } : {}) });
    }
  }
  return entries.every(isUnconditional) ? undefined : entries;
}

/**
 * A calling service's workloads. Labels alone would match a workload with the same labels in any
 * namespace, so the caller's namespace is always stated too.
 */
export function callerMatch(model: MeshModel, ref: string, fromNamespace: string): CallerMatch {
  const caller = model.findService(ref, fromNamespace);
  if (!caller) throw new Error(`calling service "${qualify(ref, fromNamespace)}" is not in the mesh; validation should have refused it`);
  return { labels: workloadLabels(caller), namespace: caller.namespace };
}

type Cohort = NonNullable<ServiceSpecT['abTest']>['cohort'];

/** The condition that puts a request in the A/B test's cohort. */
export function cohortCondition(cohort: Cohort): HeaderCondition {
  if (cohort.header) return toHeaderCondition(cohort.header.name, normalizeValueMatch(cohort.header.value));
  if (cohort.cookie) return cookieCondition(cohort.cookie.name, normalizeValueMatch(cohort.cookie.value));
  throw new Error('an A/B cohort without a header or cookie reached the compiler; validation should have refused it');
}

/** The entries, each narrowed to the cohort; every request of the cohort when there are none. */
export function withCondition(entries: readonly MatchEntry[] | undefined, condition: HeaderCondition): MatchEntry[] {
  if (!entries) return [{ headers: [condition], query: [] }];
  return entries.map((entry) => ({ ...entry, headers: [...entry.headers, condition] }));
}

export function isUnconditional(entry: MatchEntry): boolean {
  return (
    entry.path === undefined &&
    entry.method === undefined &&
    entry.headers.length === 0 &&
    entry.query.length === 0 &&
    entry.caller === undefined
  );
}

/** A map of the mesh file in name order: the order it was written in carries no meaning. */
function sortedEntries<T>(record: Readonly<Record<string, T>> | undefined): [string, T][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => compareStrings(a, b));
}

function definedPath(path: PathCondition, service: ServiceNode): Exclude<PathCondition, { kind: 'malformed' }> {
  if (path.kind === 'malformed') throw new Error(`${service.key}: a malformed path match reached the compiler; validation should have refused it`);
  return path;
}

/** The entries without repeats; undefined (every request) when there are none or one is unconditional. */
export function distinctEntries(entries: readonly MatchEntry[] | undefined): MatchEntry[] | undefined {
  if (!entries || entries.length === 0 || entries.some(isUnconditional)) return undefined;
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = JSON.stringify(entry);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

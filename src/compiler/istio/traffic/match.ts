// Route matches: a mesh route's `match` (all conditions must hold) as Istio's list of
// HTTPMatchRequests (Istio ORs the entries of a route's `match`, and ANDs the conditions inside one
// entry). A route matching several methods or several callers therefore becomes one entry per
// method and caller, each carrying every other condition.
import { compareStrings } from '../../../diagnostics/types.js';
import { qualify, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';
import { normalizePathMatch, normalizeValueMatch, type PathCondition } from '../../../model/route-match.js';
import type { ServiceSpecT } from '../../../schema/resources.js';
import type { RouteMatchSpec } from '../../../schema/traffic.js';
import { workloadLabels } from '../common.js';
import type { IstioHttpMatchRequest, IstioL4MatchAttributes, IstioStringMatch } from './istio-types.js';
import {
  absentQueryParameterCondition,
  cookieCondition,
  toHeaderCondition,
  toHeaderMaps,
  toIstioStringMatch,
  type HeaderCondition,
} from './string-match.js';

/** The workloads of a calling service: Istio's `sourceLabels`, narrowed to the caller's namespace. */
export interface CallerMatch {
  readonly labels: Readonly<Record<string, string>>;
  readonly namespace: string;
}

/** One HTTPMatchRequest, before it is written: every condition must hold. */
export interface MatchEntry {
  readonly path?: Exclude<PathCondition, { kind: 'malformed' }>;
  readonly method?: string;
  readonly headers: readonly HeaderCondition[];
  /** Query parameters that must be present or match; absent ones are header conditions on `:path`. */
  readonly query: readonly (readonly [string, IstioStringMatch])[];
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
  const query: [string, IstioStringMatch][] = [];
  for (const [name, value] of sortedEntries(match.query)) {
    const condition = normalizeValueMatch(value);
    if (condition.kind === 'absent') headers.push(absentQueryParameterCondition(name));
    else query.push([name, toIstioStringMatch(condition)]);
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
 * A calling service's workloads. `sourceLabels` alone would match a workload with the same labels
 * in any namespace, so the caller's namespace is always stated too.
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

/** One HTTPMatchRequest. */
export function toIstioMatch(entry: MatchEntry): IstioHttpMatchRequest {
  const { headers, withoutHeaders } = toHeaderMaps(entry.headers);
  const queryParams = entry.query.length > 0 ? Object.fromEntries([...entry.query].sort(([a], [b]) => compareStrings(a, b))) : undefined;
  return {
    ...(entry.path ? { uri: { [entry.path.kind]: entry.path.value } as IstioStringMatch } : {}),
    ...(entry.method ? { method: { exact: entry.method } } : {}),
    ...(headers ? { headers } : {}),
    ...(queryParams ? { queryParams } : {}),
    ...(withoutHeaders ? { withoutHeaders } : {}),
    ...(entry.caller ? { sourceLabels: sortedRecord(entry.caller.labels), sourceNamespace: entry.caller.namespace } : {}),
  };
}

/** A route's `match` list; undefined (no `match`: every request) when any entry is unconditional. */
export function toIstioMatches(entries: readonly MatchEntry[] | undefined): IstioHttpMatchRequest[] | undefined {
  if (!entries || entries.some(isUnconditional)) return undefined;
  if (entries.length === 0) throw new Error('a route with no match entries would match nothing');
  const seen = new Set<string>();
  const matches: IstioHttpMatchRequest[] = [];
  for (const entry of entries) {
    const match = toIstioMatch(entry);
    const key = JSON.stringify(match);
    if (seen.has(key)) continue;
    seen.add(key);
    matches.push(match);
  }
  return matches;
}

/** The L4 match of a TCP route: only the caller can be told apart on a byte stream. */
export function toIstioL4Match(caller: CallerMatch): IstioL4MatchAttributes {
  return { sourceLabels: sortedRecord(caller.labels), sourceNamespace: caller.namespace };
}

/** A map of the mesh file in name order: the order it was written in carries no meaning. */
function sortedEntries<T>(record: Readonly<Record<string, T>> | undefined): [string, T][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => compareStrings(a, b));
}

export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}

function definedPath(path: PathCondition, service: ServiceNode): Exclude<PathCondition, { kind: 'malformed' }> {
  if (path.kind === 'malformed') throw new Error(`${service.key}: a malformed path match reached the compiler; validation should have refused it`);
  return path;
}

// Route matches in one normalized form, and when one match covers another: the basis of the
// shadowed-route check, of the order the compiler emits routes in, and of the review command's
// "this route can never be reached" notes. Istio and Envoy try routes in order and stop at the
// first match, so a route whose every request an earlier route also matches is dead.
//
// Coverage is only claimed when it is provable. Regexes are compared only with exact values they
// fully match (run through RE2) and with the identical regex; anything else is "not covered".
import { qualify } from './mesh-model.js';
import { re2FullMatch } from '../common/re2-regex.js';
import type { StringMatchSpec, ValueMatchSpec } from '../schema/primitives.js';
import type { PathMatchSpec, RouteMatchSpec } from '../schema/traffic.js';

export type ValueCondition =
  | { readonly kind: 'exact' | 'prefix' | 'regex'; readonly value: string }
  | { readonly kind: 'present' | 'absent' }
  /** A match object with zero or several keys: reported elsewhere, never proven to cover anything. */
  | { readonly kind: 'malformed' };

export type PathCondition = { readonly kind: 'exact' | 'prefix' | 'regex'; readonly value: string } | { readonly kind: 'malformed' };

export interface NormalizedRouteMatch {
  /** Undefined: every path. */
  readonly path?: PathCondition;
  /** Undefined: every method. */
  readonly methods?: ReadonlySet<string>;
  /** Keyed by lower-case name: HTTP header names are case-insensitive. */
  readonly headers: ReadonlyMap<string, ValueCondition>;
  readonly query: ReadonlyMap<string, ValueCondition>;
  readonly cookies: ReadonlyMap<string, ValueCondition>;
  /** Qualified `namespace/name` of the calling services; undefined: any caller. */
  readonly from?: ReadonlySet<string>;
}

export const STRING_MATCH_KINDS = ['exact', 'prefix', 'regex', 'present', 'absent'] as const;
export const PATH_MATCH_KINDS = ['exact', 'prefix', 'regex'] as const;

/** The keys set on a match object, in the schema's order. */
export function setMatchKeys<K extends string>(match: Partial<Record<K, unknown>>, kinds: readonly K[]): K[] {
  return kinds.filter((kind) => match[kind] !== undefined);
}

export function normalizeValueMatch(match: ValueMatchSpec): ValueCondition {
  if (typeof match === 'string') return { kind: 'exact', value: match };
  const keys = setMatchKeys<keyof StringMatchSpec>(match, STRING_MATCH_KINDS);
  if (keys.length !== 1) return { kind: 'malformed' };
  const kind = keys[0]!;
  if (kind === 'present' || kind === 'absent') return { kind };
  return { kind, value: match[kind]! };
}

/** A plain string is a prefix, as in the schema. */
export function normalizePathMatch(path: string | PathMatchSpec): PathCondition {
  if (typeof path === 'string') return { kind: 'prefix', value: path };
  const keys = setMatchKeys<keyof PathMatchSpec>(path, PATH_MATCH_KINDS);
  if (keys.length !== 1) return { kind: 'malformed' };
  const kind = keys[0]!;
  return { kind, value: path[kind]! };
}

// Most routes have no header, query or cookie conditions; they share this one (read-only) map.
const NO_CONDITIONS: ReadonlyMap<string, ValueCondition> = new Map();

/** `match` as written on a route of a service in `namespace`; no match means every request. */
export function normalizeRouteMatch(match: RouteMatchSpec | undefined, namespace: string): NormalizedRouteMatch {
  const conditions = (record: Record<string, ValueMatchSpec> | undefined, foldCase: boolean): ReadonlyMap<string, ValueCondition> =>
    record === undefined
      ? NO_CONDITIONS
      : new Map(Object.entries(record).map(([name, value]) => [foldCase ? name.toLowerCase() : name, normalizeValueMatch(value)] as const));
  return {
    path: match?.path === undefined ? undefined : normalizePathMatch(match.path),
    methods: match?.methods ? new Set(match.methods) : undefined,
    headers: conditions(match?.headers, true),
    query: conditions(match?.query, false),
    cookies: conditions(match?.cookies, false),
    from: match?.from ? new Set(match.from.map((ref) => qualify(ref, namespace))) : undefined,
  };
}

/** True when the match accepts every request: no conditions, or only a path prefix of "" or "/". */
export function matchesEverything(match: NormalizedRouteMatch): boolean {
  return (
    (match.path === undefined || pathCoversAll(match.path)) &&
    match.methods === undefined &&
    match.headers.size === 0 &&
    match.query.size === 0 &&
    match.cookies.size === 0 &&
    match.from === undefined
  );
}

/**
 * True when every request that `later` accepts is also accepted by `earlier`, so a route with
 * `later` placed after a route with `earlier` is never reached. Each condition of `earlier` must
 * be implied by a condition of `later` on the same thing.
 */
export function coversMatch(earlier: NormalizedRouteMatch, later: NormalizedRouteMatch): boolean {
  if (earlier.path && !pathCovers(earlier.path, later.path)) return false;
  if (earlier.methods && !(later.methods && isSubset(later.methods, earlier.methods))) return false;
  if (earlier.from && !(later.from && isSubset(later.from, earlier.from))) return false;
  return conditionsCovered(earlier.headers, later.headers) && conditionsCovered(earlier.query, later.query) && conditionsCovered(earlier.cookies, later.cookies);
}

/** True when the two matches accept exactly the same requests as far as can be shown. */
export function sameMatch(a: NormalizedRouteMatch, b: NormalizedRouteMatch): boolean {
  return coversMatch(a, b) && coversMatch(b, a);
}

function pathCoversAll(path: PathCondition): boolean {
  // Every request path starts with "/", so these prefixes match them all.
  return path.kind === 'prefix' && (path.value === '' || path.value === '/');
}

function pathCovers(earlier: PathCondition, later: PathCondition | undefined): boolean {
  if (pathCoversAll(earlier)) return true;
  // A path condition is a value condition on the path: the same covering rules apply.
  return later !== undefined && valueConditionCovers(earlier, later);
}

function conditionsCovered(earlier: ReadonlyMap<string, ValueCondition>, later: ReadonlyMap<string, ValueCondition>): boolean {
  for (const [name, condition] of earlier) {
    const narrower = later.get(name);
    if (!narrower || !valueConditionCovers(condition, narrower)) return false;
  }
  return true;
}

/** True when every value that satisfies `later` also satisfies `earlier`. */
export function valueConditionCovers(earlier: ValueCondition, later: ValueCondition): boolean {
  if (earlier.kind === 'malformed' || later.kind === 'malformed') return false;
  switch (earlier.kind) {
    case 'absent':
      return later.kind === 'absent';
    case 'present':
      return later.kind !== 'absent';
    case 'exact':
      return later.kind === 'exact' && later.value === earlier.value;
    // Istio's and Envoy's prefix is a plain string prefix: /api also matches /apiary.
    case 'prefix':
      return (later.kind === 'exact' || later.kind === 'prefix') && later.value.startsWith(earlier.value);
    case 'regex':
      return provenByRegex(earlier.value, later);
  }
}

function provenByRegex(regex: string, later: { kind: string; value?: string }): boolean {
  if (later.value === undefined) return false;
  if (later.kind === 'regex') return later.value === regex;
  return later.kind === 'exact' && re2FullMatch(regex, later.value) === true;
}

function isSubset<T>(subset: ReadonlySet<T>, superset: ReadonlySet<T>): boolean {
  for (const item of subset) if (!superset.has(item)) return false;
  return true;
}

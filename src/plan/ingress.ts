// What a gateway lets through of a service's routes: each route narrowed to the paths the service
// is exposed on at one host (prefixes and exact paths). Routes by caller (`from`) never match at a
// gateway (its callers are the gateway itself) and are left out. Both targets' gateways read this.
import type { ExposedPathMatch } from '../model/gateway-hosts.js';
import { PATH_HEADER } from '../model/conditions.js';
import { isUnconditional, type MatchEntry } from './match.js';
import type { PlannedHttpRoute } from './routes.js';

/**
 * The route's match entries narrowed to the exposed paths (undefined: every request on the host),
 * or null when no request under them can match the route.
 */
export function narrowToExposedPaths(planned: PlannedHttpRoute, paths: readonly ExposedPathMatch[]): MatchEntry[] | undefined | null {
  const entries: readonly MatchEntry[] = planned.entries ?? [{ headers: [], query: [] }];
  // The mesh route's rewrite, whatever the action: narrowing keeps the same meaning for every route.
  const rewritesPrefix = planned.route?.rewrite?.prefix !== undefined && planned.route.rewrite.uri === undefined;
  const narrowed: MatchEntry[] = [];
  for (const path of paths) {
    for (const entry of entries) {
      if (entry.caller) continue;
      const underPath = path.kind === 'prefix' ? narrowToPrefix(entry, path.value, rewritesPrefix) : narrowToExact(entry, path.value, rewritesPrefix);
      if (underPath) narrowed.push(underPath);
    }
  }
  if (narrowed.length === 0) return null;
  return narrowed.some(isUnconditional) ? undefined : narrowed;
}

/**
 * The entry limited to paths starting with `prefix`, or null when its path cannot start with it.
 * The prefix goes into the entry's path when that keeps its meaning; otherwise (a regex path, or a
 * prefix rewrite that must keep replacing the route's own prefix) it is a `:path` prefix condition.
 */
function narrowToPrefix(entry: MatchEntry, prefix: string, rewritesPrefix: boolean): MatchEntry | null {
  if (prefix === '' || prefix === '/') return entry;
  const asPathCondition = (): MatchEntry => ({ ...entry, headers: [...entry.headers, { name: PATH_HEADER, match: { kind: 'prefix', value: prefix }, negated: false }] });
  const path = entry.path;
  if (path === undefined) return rewritesPrefix ? asPathCondition() : { ...entry, path: { kind: 'prefix', value: prefix } };
  switch (path.kind) {
    case 'exact':
      return path.value.startsWith(prefix) ? entry : null;
    case 'prefix':
      if (path.value.startsWith(prefix)) return entry;
      if (!prefix.startsWith(path.value)) return null;
      return rewritesPrefix ? asPathCondition() : { ...entry, path: { kind: 'prefix', value: prefix } };
    case 'regex':
      return asPathCondition();
  }
}

/**
 * The entry limited to the one path `exact`, or null when its path cannot be it. The exact path
 * goes into the entry's path when that keeps its meaning; otherwise (a regex path, or a prefix
 * rewrite that must keep replacing the route's own prefix) it is a `:path` condition, a regex
 * since `:path` carries the query string too.
 */
function narrowToExact(entry: MatchEntry, exact: string, rewritesPrefix: boolean): MatchEntry | null {
  const asPathCondition = (): MatchEntry => ({ ...entry, headers: [...entry.headers, { name: PATH_HEADER, match: { kind: 'regex', value: `${escapeRegex(exact)}(\\?.*)?` }, negated: false }] });
  const path = entry.path;
  if (path === undefined) return rewritesPrefix ? asPathCondition() : { ...entry, path: { kind: 'exact', value: exact } };
  switch (path.kind) {
    case 'exact':
      return path.value === exact ? entry : null;
    case 'prefix':
      if (!exact.startsWith(path.value)) return null;
      return rewritesPrefix ? asPathCondition() : { ...entry, path: { kind: 'exact', value: exact } };
    case 'regex':
      return asPathCondition();
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** True when every request `entry` matches is matched by `before`: a path condition at most, covering the entry's path. */
export function takesAllOf(before: MatchEntry, entry: MatchEntry): boolean {
  if (before.method !== undefined || before.headers.length > 0 || before.query.length > 0 || before.caller !== undefined) return false;
  const outer = before.path;
  const inner = entry.path;
  if (outer === undefined) return true;
  if (inner === undefined || inner.kind === 'regex') return false;
  if (outer.kind === 'prefix') return inner.value.startsWith(outer.value);
  return outer.kind === 'exact' && inner.kind === 'exact' && inner.value === outer.value;
}

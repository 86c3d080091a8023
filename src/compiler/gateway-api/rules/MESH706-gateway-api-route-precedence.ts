// The mesh file's routes are tried in order, the first match wins. Gateway API routes are ranked
// instead, and istiod ranks them (per match) by path (an exact path, then the longest prefix, then a
// regular expression), then a method, then more header matches, then more query matches, keeping
// the written order only among equals; a rule that matches every request comes last. So a later
// route that ranks higher than an earlier one it may overlap takes the requests both match, which
// the mesh file gives to the earlier one. Overlap is assumed unless the two matches provably exclude
// each other (different exact paths, paths under different prefixes, different methods, different
// exact values of one header or query parameter).
import { defineRule } from '../../../validators/rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import { leftOutBecause } from '../expressible.js';
import { writtenRoutes, type WrittenRoute } from './routes.js';
import { routeName } from '../../../model/names.js';
import { type MatchEntry } from '../../../plan/match.js';
import type { StringCondition } from '../../../model/conditions.js';

/** istiod's ranking key of one match: larger sorts first. */
function rank(entry: MatchEntry): [number, number, number, number, number] {
  const path = entry.path;
  const [kind, length] =
    path === undefined || (path.kind === 'prefix' && (path.value === '/' || path.value === '')) ? [2, 1]
    : path.kind === 'exact' ? [3, path.value.length]
    : path.kind === 'prefix' ? [2, path.value.endsWith('/') ? path.value.length - 1 : path.value.length]
    : [1, path.value.length];
  return [kind, length, entry.method !== undefined ? 1 : 0, entry.headers.length, entry.query.length];
}

function ranksAbove(a: MatchEntry, b: MatchEntry): boolean {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! > rb[i]!;
  return false;
}

const segmentPrefix = (value: string) => (value.endsWith('/') && value !== '/' ? value.slice(0, -1) : value);
const underPrefix = (path: string, prefix: string) => prefix === '/' || path === segmentPrefix(prefix) || path.startsWith(`${segmentPrefix(prefix)}/`);

function exclusive(a: MatchEntry, b: MatchEntry): boolean {
  const pa = a.path;
  const pb = b.path;
  if (pa && pb) {
    if (pa.kind === 'exact' && pb.kind === 'exact' && pa.value !== pb.value) return true;
    if (pa.kind === 'exact' && pb.kind === 'prefix' && !underPrefix(pa.value, pb.value)) return true;
    if (pb.kind === 'exact' && pa.kind === 'prefix' && !underPrefix(pb.value, pa.value)) return true;
    if (pa.kind === 'prefix' && pb.kind === 'prefix' && !underPrefix(pa.value, pb.value) && !underPrefix(pb.value, pa.value)) return true;
  }
  if (a.method !== undefined && b.method !== undefined && a.method !== b.method) return true;
  const exactValue = (condition: StringCondition) => (condition.kind === 'exact' ? condition.value : undefined);
  const exact = (entry: MatchEntry) => new Map(entry.headers.flatMap((h) => (!h.negated && exactValue(h.match) !== undefined ? [[h.name, exactValue(h.match)!] as const] : [])));
  const ea = exact(a);
  for (const [name, value] of exact(b)) if (ea.has(name) && ea.get(name) !== value) return true;
  const qa = new Map(a.query.flatMap(([n, m]) => (exactValue(m) !== undefined ? [[n, exactValue(m)!] as const] : [])));
  for (const [name, m] of b.query) if (exactValue(m) !== undefined && qa.has(name) && qa.get(name) !== exactValue(m)) return true;
  return false;
}

const label = (written: WrittenRoute) => (written.index !== undefined ? routeName(written.service.resource.spec.routes![written.index]!, written.index) : written.planned.name);

export default defineRule({
  code: 'MESH706',
  name: 'gateway-api-route-precedence',
  level: 'warning',
  category: 'gateway-api',
  target: 'gateway-api',
  description: 'A route that the Gateway API ranks above an earlier route it may overlap: it takes requests the mesh file gives the earlier one.',
  messages: {
    precedence: 'route "{route}" ranks above the earlier route "{earlier}" under the Gateway API ({where}: a longer or exact path, a method or more header or query matches come first), so requests both match go to "{route}", not to "{earlier}" as the file\'s order says',
  },
  check(context) {
    const groups = new Map<string, WrittenRoute[]>();
    for (const written of writtenRoutes(context.model)) {
      if (written.family !== 'http' || leftOutBecause(written.planned, written.entries, written.family) !== undefined) continue;
      const key = written.where === 'mesh' ? `mesh ${written.service.key}` : written.where;
      groups.set(key, [...(groups.get(key) ?? []), written]);
    }
    const seen = new Set<string>();
    for (const [key, routes] of groups) {
      routes.forEach((later, j) => {
        if (!later.entries?.length) return; // a catch-all comes last
        for (const earlier of routes.slice(0, j)) {
          const entries = earlier.entries ?? [{ headers: [], query: [] }];
          // A later match wins a request both may take when it ranks above every match of the
          // earlier route that may take it too (istiod ranks each match on its own).
          const overlapping = (b: MatchEntry) => entries.filter((a) => !exclusive(a, b));
          const inverted = later.entries!.some((b) => overlapping(b).length > 0 && overlapping(b).every((a) => ranksAbove(b, a)));
          if (!inverted || earlier.entries === undefined) continue;
          const path: PathSegment[] = later.index !== undefined ? ['spec', 'routes', later.index] : ['spec', 'abTest'];
          const id = `${later.service.key} ${path.join('.')} ${label(earlier)} ${key}`;
          if (seen.has(id)) continue;
          seen.add(id);
          const where = later.where === 'mesh' ? 'the service\'s route' : `at gateway ${later.where}`;
          context.report('precedence', { route: label(later), earlier: label(earlier), where }, later.service.keyAt(...path));
        }
      });
    }
  },
});

// Which route of the base is which route of the head, and what reordering them does. A route is
// the same route when it keeps its name (given in the mesh file), or, for routes named by their
// position (route-0, route-1...), when it accepts the same requests; a route whose match changed
// and that has no name is a removed route and an added one.
import { coversMatch, type NormalizedRouteMatch, type PathCondition, type ValueCondition } from '../model/route-match.js';
import type { RouteBehaviour } from './service-behaviour.js';

export interface RoutePairing {
  readonly pairs: readonly (readonly [RouteBehaviour, RouteBehaviour])[];
  readonly removed: readonly RouteBehaviour[];
  readonly added: readonly RouteBehaviour[];
}

export function pairRoutes(before: readonly RouteBehaviour[], after: readonly RouteBehaviour[]): RoutePairing {
  const unmatchedAfter = new Set(after);
  const pairs: [RouteBehaviour, RouteBehaviour][] = [];
  const removed: RouteBehaviour[] = [];
  const take = (predicate: (route: RouteBehaviour) => boolean) => {
    for (const candidate of unmatchedAfter) {
      if (predicate(candidate)) {
        unmatchedAfter.delete(candidate);
        return candidate;
      }
    }
    return undefined;
  };
  const pending: RouteBehaviour[] = [];
  for (const route of before) {
    const partner = route.named ? take((other) => other.named && other.name === route.name && other.cohort === route.cohort) : undefined;
    if (partner) pairs.push([route, partner]);
    else pending.push(route);
  }
  for (const route of pending) {
    const partner = take((other) => !(other.named && route.named) && other.cohort === route.cohort && other.matchKey === route.matchKey);
    if (partner) pairs.push([route, partner]);
    else removed.push(route);
  }
  return { pairs, removed, added: after.filter((route) => unmatchedAfter.has(route)) };
}

export type WinnerChange = 'none' | 'shadowed' | 'unshadowed' | 'overlap';

export interface Reorder {
  /** The route that is now tried first of the two. */
  readonly nowFirst: RouteBehaviour;
  readonly nowSecond: RouteBehaviour;
  readonly effect: WinnerChange;
}

/** Every pair of routes whose order flipped, with what that does to the requests both match. */
export function findReorders(pairing: RoutePairing, before: readonly RouteBehaviour[], after: readonly RouteBehaviour[]): Reorder[] {
  const reorders: Reorder[] = [];
  const pairs = [...pairing.pairs];
  for (let i = 0; i < pairs.length; i++) {
    for (let j = i + 1; j < pairs.length; j++) {
      const [a, a2] = pairs[i]!;
      const [b, b2] = pairs[j]!;
      const beforeOrder = before.indexOf(a) < before.indexOf(b);
      const afterOrder = after.indexOf(a2) < after.indexOf(b2);
      if (beforeOrder === afterOrder) continue;
      const [first, second] = afterOrder ? [a2, b2] : [b2, a2];
      reorders.push({ nowFirst: first, nowSecond: second, effect: reorderEffect(first.match, second.match) });
    }
  }
  return reorders;
}

function reorderEffect(nowFirst: NormalizedRouteMatch, nowSecond: NormalizedRouteMatch): WinnerChange {
  if (coversMatch(nowFirst, nowSecond)) return 'shadowed';
  if (coversMatch(nowSecond, nowFirst)) return 'unshadowed';
  return provablyDisjoint(nowFirst, nowSecond) ? 'none' : 'overlap';
}

/** True when no request can satisfy both matches (conservative: false unless a condition rules it out). */
export function provablyDisjoint(a: NormalizedRouteMatch, b: NormalizedRouteMatch): boolean {
  if (a.path && b.path && pathsDisjoint(a.path, b.path)) return true;
  if (a.methods && b.methods && ![...a.methods].some((method) => b.methods!.has(method))) return true;
  if (a.from && b.from && ![...a.from].some((caller) => b.from!.has(caller))) return true;
  for (const [left, right] of [
    [a.headers, b.headers],
    [a.query, b.query],
    [a.cookies, b.cookies],
  ] as const) {
    for (const [name, condition] of left) {
      const other = right.get(name);
      if (other && valuesDisjoint(condition, other)) return true;
    }
  }
  return false;
}

function pathsDisjoint(a: PathCondition, b: PathCondition): boolean {
  return valuesDisjoint(a, b);
}

function valuesDisjoint(a: ValueCondition, b: ValueCondition): boolean {
  if (a.kind === 'absent') return b.kind !== 'absent';
  if (b.kind === 'absent') return true;
  const x = literal(a);
  const y = literal(b);
  if (!x || !y) return false;
  if (x.kind === 'exact' && y.kind === 'exact') return x.value !== y.value;
  if (x.kind === 'exact') return !x.value.startsWith(y.value);
  if (y.kind === 'exact') return !y.value.startsWith(x.value);
  return !x.value.startsWith(y.value) && !y.value.startsWith(x.value);
}

/** An exact or prefix condition; regexes and presence tests are not compared. */
function literal(condition: ValueCondition): { kind: 'exact' | 'prefix'; value: string } | undefined {
  return condition.kind === 'exact' || condition.kind === 'prefix' ? { kind: condition.kind, value: condition.value } : undefined;
}

// The change in one service's behaviour between two revisions: traffic shares per route, the A/B
// test's cohort routes, routes added / removed / reordered, and the settings of routes and of the
// service (timeouts, retries, faults, rate limits, load balancing, circuit breaking).
import { describeFieldChanges, fieldChanges, sameValue, showValue } from './field-diff.js';
import { findReorders, pairRoutes, type Reorder } from './route-pairing.js';
import { describeCohort, type RouteBehaviour, type ServiceBehaviour, type TrafficShare } from './service-behaviour.js';
import type { BehaviourChange, ChangeCategory } from './types.js';

/** A destination whose share rises by more than this many percentage points in one change is risky (unless it already had that traffic as part of a whole service). */
export const RISKY_SHARE_RISE = 25;

export function diffServiceBehaviour(before: ServiceBehaviour, after: ServiceBehaviour): BehaviourChange[] {
  const changes: BehaviourChange[] = [];
  const pairing = pairRoutes(before.routes, after.routes);
  // Reported in the order the head tries its routes.
  const pairs = [...pairing.pairs].sort(([, a], [, b]) => after.routes.indexOf(a) - after.routes.indexOf(b));

  changes.push(...shareChanges(pairs.map(([b, a]) => [b.shares, a.shares, a.name] as const)));
  changes.push(...shareChanges(tcpPairs(before, after)).map((change) => ({ ...change, message: `${change.message} (TCP)` })));
  changes.push(...canaryChanges(before, after));
  changes.push(...abTestChanges(before, after));

  for (const route of pairing.removed) changes.push(routePresence(route, 'removed'));
  for (const route of pairing.added) changes.push(routePresence(route, 'added'));
  changes.push(...reorderChanges(findReorders(pairing, before.routes, after.routes)));

  for (const [b, a] of pairs) changes.push(...routeSettingChanges(b, a));

  changes.push(...groupChanges('rate-limit', 'rate limit', before.rateLimit, after.rateLimit));
  const [rb, ra] = [before.resilience ?? {}, after.resilience ?? {}];
  changes.push(...groupChanges('load-balancing', 'load balancing', pick(rb, 'loadBalancer', 'localityFailover'), pick(ra, 'loadBalancer', 'localityFailover')));
  for (const field of ['circuitBreaker', 'outlierDetection'] as const) {
    const [x, y] = [rb[field], ra[field]];
    if (sameValue(x, y)) continue;
    const label = field === 'circuitBreaker' ? 'circuit breaker' : 'outlier detection';
    if (y === undefined) changes.push({ category: 'circuit-breaker', message: `${label} removed (was ${showValue(x)})`, risk: `${label} removed` });
    else changes.push(...groupChanges('circuit-breaker', label, x, y));
  }
  const other = fieldChanges(before.other, after.other);
  if (other.length > 0) changes.push({ category: 'other', message: describeFieldChanges(other) });
  return changes;
}

function pick<T extends object, K extends keyof T>(value: T, ...keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/** Share changes per route, one line per distinct change (routes that moved alike are listed together). */
function shareChanges(pairs: readonly (readonly [readonly TrafficShare[], readonly TrafficShare[], string])[]): BehaviourChange[] {
  const byMessage = new Map<string, { routes: string[]; risk?: string }>();
  for (const [before, after, route] of pairs) {
    const delta = shareDelta(before, after);
    if (!delta) continue;
    const entry = byMessage.get(delta.message) ?? { routes: [], ...(delta.risk ? { risk: delta.risk } : {}) };
    entry.routes.push(route);
    byMessage.set(delta.message, entry);
  }
  return [...byMessage].map(([message, { routes, risk }]) => ({
    category: 'traffic' as const,
    message: `${message} (${routes.length === 1 ? 'route' : 'routes'} ${routes.join(', ')})`,
    ...(risk ? { risk: `${risk} (${routes.join(', ')})` } : {}),
  }));
}

export function shareDelta(before: readonly TrafficShare[], after: readonly TrafficShare[]): { message: string; risk?: string } | undefined {
  const percent = (shares: readonly TrafficShare[]) => {
    const map = new Map<string, number>();
    for (const share of shares) map.set(share.destination, (map.get(share.destination) ?? 0) + share.percent);
    return map;
  };
  const [x, y] = [percent(before), percent(after)];
  // Destinations in the order the head lists them, then those it dropped.
  const names = [...new Set([...y.keys(), ...x.keys()])];
  const parts: string[] = [];
  const rises: string[] = [];
  for (const name of names) {
    const [from, to] = [x.get(name) ?? 0, y.get(name) ?? 0];
    if (from === to) continue;
    parts.push(`${name} ${from}% → ${to}%`);
    const share = after.find((candidate) => candidate.destination === name);
    const wasPartOfWhole = share !== undefined && before.some((whole) => whole.percent > 0 && isPartOf(share, whole));
    if (to - from > RISKY_SHARE_RISE && !wasPartOfWhole) rises.push(`${name} +${to - from} points`);
  }
  if (parts.length === 0) return undefined;
  return { message: parts.join(', '), ...(rises.length > 0 ? { risk: `traffic shifted by more than ${RISKY_SHARE_RISE} points: ${rises.join(', ')}` } : {}) };
}

/**
 * True when traffic to `part` already went to `whole` before: a version of a service is part of
 * the whole service. Pinning traffic that was spread over all versions to one of them is not a
 * shift to something new.
 */
function isPartOf(part: TrafficShare, whole: TrafficShare): boolean {
  return whole.version === undefined && part.target === whole.target;
}

function tcpPairs(before: ServiceBehaviour, after: ServiceBehaviour): [readonly TrafficShare[], readonly TrafficShare[], string][] {
  const pairs: [readonly TrafficShare[], readonly TrafficShare[], string][] = [];
  for (const route of after.tcpRoutes) {
    const old = before.tcpRoutes.find((candidate) => candidate.callers === route.callers);
    if (old) pairs.push([old.shares, route.shares, route.callers]);
  }
  return pairs;
}

function canaryChanges(before: ServiceBehaviour, after: ServiceBehaviour): BehaviourChange[] {
  const [x, y] = [before.canary, after.canary];
  if (sameValue(x, y)) return [];
  if (!x && y) return [{ category: 'traffic', message: `canary started: ${y.canary} at ${y.weight}% beside ${y.stable}${y.steps ? `, steps ${showValue(y.steps)}` : ''}` }];
  if (x && !y) return [{ category: 'traffic', message: `canary of ${x.canary} ended (was ${x.weight}% beside ${x.stable})` }];
  // The weight shows in the shares above; the rest of the plan is said here.
  const rest = fieldChanges({ ...x, weight: undefined }, { ...y, weight: undefined }, 'canary');
  return rest.length > 0 ? [{ category: 'traffic', message: describeFieldChanges(rest) }] : [];
}

function abTestChanges(before: ServiceBehaviour, after: ServiceBehaviour): BehaviourChange[] {
  const [x, y] = [before.abTest, after.abTest];
  if (sameValue(x, y)) return [];
  const describe = (test: NonNullable<ServiceBehaviour['abTest']>) =>
    `${test.name ? `A/B test ${test.name}` : 'A/B test'}: ${describeCohort(test.cohort)} → ${test.variant}, everyone else → ${test.control ?? 'the default split'}`;
  if (!x && y) return [{ category: 'cohort', message: `${describe(y)} (added)` }];
  if (x && !y) return [{ category: 'cohort', message: `${describe(x)} (removed)` }];
  return [{ category: 'cohort', message: `${describe(x!)} → ${describe(y!)}` }];
}

function routePresence(route: RouteBehaviour, status: 'added' | 'removed'): BehaviourChange {
  const category: ChangeCategory = route.cohort ? 'cohort' : 'routes';
  const what = route.cohort ? 'cohort route' : 'route';
  return { category, message: `${what} ${route.name} ${status}: ${route.matchText} → ${describeAction(route)}` };
}

function describeAction(route: RouteBehaviour): string {
  if (route.action === 'redirect') return 'redirect';
  if (route.action === 'direct-response') return 'direct response';
  return route.shares.map((share) => (route.shares.length === 1 ? share.destination : `${share.destination} ${share.percent}%`)).join(', ');
}

function reorderChanges(reorders: readonly Reorder[]): BehaviourChange[] {
  return reorders.map(({ nowFirst, nowSecond, effect }) => {
    const moved = `route ${nowFirst.name} now comes before ${nowSecond.name}`;
    switch (effect) {
      case 'none':
        return { category: 'routes', message: `${moved}: no request matches both, so no request changes route` };
      case 'shadowed':
        return { category: 'routes', message: `${moved} and matches every request ${nowSecond.name} does: ${nowSecond.name} is never reached any more`, risk: `route ${nowSecond.name} is no longer reached` };
      case 'unshadowed':
        return { category: 'routes', message: `${moved}: ${nowFirst.name} now wins the requests it matches (${nowSecond.name} took all of them before)` };
      case 'overlap':
        return { category: 'routes', message: `${moved}: requests that match both now take ${nowFirst.name} (before: ${nowSecond.name})` };
    }
  });
}

function routeSettingChanges(before: RouteBehaviour, after: RouteBehaviour): BehaviourChange[] {
  const changes: BehaviourChange[] = [];
  const route = `route ${after.name}`;
  if (before.action !== after.action) changes.push({ category: 'routes', message: `${route}: ${describeActionKind(before)} → ${describeActionKind(after)}` });
  if (before.matchText !== after.matchText && before.matchKey !== after.matchKey) {
    changes.push({ category: 'routes', message: `${route}: match ${before.matchText} → ${after.matchText}` });
  }
  if (before.timeout !== after.timeout) {
    if (after.timeout === undefined) changes.push({ category: 'timeouts', message: `${route}: timeout ${before.timeout} removed`, risk: `timeout removed from ${route}` });
    else changes.push({ category: 'timeouts', message: `${route}: timeout ${before.timeout ?? '(none)'} → ${after.timeout}` });
  }
  if (!sameValue(before.retries, after.retries)) {
    const removed = retryAttempts(before) > 0 && retryAttempts(after) === 0;
    changes.push({
      category: 'retries',
      message: `${route}: retries ${describeRetries(before.retries)} → ${describeRetries(after.retries)}`,
      ...(removed ? { risk: `retries removed from ${route}` } : {}),
    });
  }
  if (!sameValue(before.fault, after.fault)) {
    const introduced = before.fault === undefined;
    changes.push({
      category: 'faults',
      message: `${route}: fault injection ${describeFault(before.fault)} → ${describeFault(after.fault)}`,
      ...(introduced ? { risk: `fault injection introduced on ${route}` } : {}),
    });
  }
  changes.push(...groupChanges('rate-limit', `${route}: rate limit`, before.rateLimit, after.rateLimit));
  const settings = fieldChanges(before.settings, after.settings);
  if (settings.length > 0) changes.push({ category: 'other', message: `${route}: ${describeFieldChanges(settings)}` });
  return changes;
}

function describeActionKind(route: RouteBehaviour): string {
  return route.action === 'forward' ? 'forwards' : route.action === 'redirect' ? 'redirects' : 'answers directly';
}

function retryAttempts(route: RouteBehaviour): number {
  return route.retries?.attempts ?? 0;
}

export function describeRetries(retries: RouteBehaviour['retries']): string {
  if (retries === undefined) return '(Istio default)';
  if (retries.attempts === 0) return 'off';
  const parts = [`${retries.attempts} ${retries.attempts === 1 ? 'attempt' : 'attempts'}`];
  if (retries.perTryTimeout) parts.push(`${retries.perTryTimeout} per try`);
  if (retries.on) parts.push(`on ${retries.on.join(',')}`);
  return parts.join(', ');
}

export function describeFault(fault: RouteBehaviour['fault']): string {
  if (!fault) return 'none';
  const parts: string[] = [];
  if (fault.delay) parts.push(`delay ${fault.delay.duration} for ${fault.delay.percent}%`);
  if (fault.abort) parts.push(`abort ${fault.abort.status} for ${fault.abort.percent}%`);
  return parts.join(', ') || 'none';
}

/** A setting that is a group of values: added, removed, or its fields changed. */
function groupChanges(category: ChangeCategory, label: string, before: unknown, after: unknown): BehaviourChange[] {
  const empty = (value: unknown) => value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  if (sameValue(before, after) || (empty(before) && empty(after))) return [];
  if (empty(before)) return [{ category, message: `${label} added: ${showValue(after)}` }];
  if (empty(after)) return [{ category, message: `${label} removed (was ${showValue(before)})` }];
  return [{ category, message: `${label}: ${describeFieldChanges(fieldChanges(before, after))}` }];
}

/** Categories in the order a review lists them. */
export const CATEGORY_ORDER: readonly ChangeCategory[] = ['service', 'traffic', 'cohort', 'routes', 'timeouts', 'retries', 'faults', 'rate-limit', 'load-balancing', 'circuit-breaker', 'other'];

export function sortChanges(changes: readonly BehaviourChange[]): BehaviourChange[] {
  // A stable sort: within a category, the order the changes were found in (route order).
  return [...changes].sort((a, b) => CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category));
}

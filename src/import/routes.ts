// VirtualServices of services' in-mesh traffic -> `routes`, `canary` and `abTest`. The inverse of
// src/compiler/istio/traffic/route-plan.ts: meshctl writes a service's routes in order, each route
// that follows the default split twice when there is an A/B test (first narrowed to the cohort and
// sent to the variant, named `<route>-<test>`), and ends with a generated route `default` (and the
// cohort's `<test>` before it) unless a route matches every request. Reading that back:
// - the last route, when it matches every request, gives the default split: two versions of the
//   service with weights summing to 100 are a canary, the whole service is no canary;
// - a cohort copy right before its route, narrowed by one more header or cookie condition, is the
//   A/B test; the control is where everyone else goes when that is one version;
// - a route sending where the default split (or the A/B test) sends follows it: no `to`;
// - the generated default route is dropped: compiling the mesh file writes it again.
// Istio ORs the entries of a route's `match`; meshctl ANDs a route's conditions, with lists of
// methods and callers. Entries that differ only by method and caller, as a full cross product, are
// one mesh match; any other list becomes consecutive routes with the same actions (IMP007).
import type { ImportContext, ServiceDraft, Target } from './model.js';
import type { InputObject } from './read-objects.js';
import { isRecord, meshDuration, meshValueMatch, parseAbsentQueryRegex, parseCookieRegex, sameJson, type StringMatchValue } from './values.js';
import { sortedRecord } from '../common/sorted-record.js';

interface Condition {
  /** header, cookie, query parameter, or the absence of a query parameter. */
  readonly on: 'header' | 'cookie' | 'query';
  readonly name: string;
  readonly value: StringMatchValue;
}

interface Entry {
  path?: string | { exact?: string; prefix?: string; regex?: string };
  method?: string;
  conditions: Condition[];
  caller?: string;
}

interface Destination {
  target: Target;
  version?: string;
  port?: number;
  weight?: number;
}

export interface DraftRoute {
  name?: string;
  entries?: Entry[];
  destinations?: Destination[];
  /** Settings and redirect/direct response, in mesh form. */
  settings: Record<string, unknown>;
  index: number;
}

const MATCH_FIELDS = new Set(['uri', 'method', 'headers', 'queryParams', 'withoutHeaders', 'sourceLabels', 'sourceNamespace', 'name']);
const ROUTE_FIELDS = new Set(['name', 'match', 'route', 'redirect', 'directResponse', 'rewrite', 'timeout', 'retries', 'fault', 'mirror', 'mirrorPercentage', 'mirror_percent', 'corsPolicy', 'headers']);
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

type Report = (field: string, path: (string | number)[], why?: string) => void;

function conditionKey(condition: Condition): string {
  return JSON.stringify([condition.on, condition.name, condition.value]);
}

function entryKeyWithout(entry: Entry, omit: 'method+caller' | 'none'): string {
  const conditions = entry.conditions.map(conditionKey).sort();
  return JSON.stringify([entry.path, conditions, omit === 'none' ? [entry.method, entry.caller] : []]);
}

/** The entries of one Istio match request; undefined (with a finding) when it has no mesh form. */
function readMatch(context: ImportContext, object: InputObject, match: Record<string, unknown>, at: (string | number)[], report: Report): Entry | undefined {
  const entry: Entry = { conditions: [] };
  let ok = true;
  for (const field of Object.keys(match)) {
    if (!MATCH_FIELDS.has(field)) {
      report(`match.${field}`, [...at, field], field === 'gateways' || field === 'port' ? '' : '');
      ok = false;
    }
  }
  if (isRecord(match.uri)) {
    const value = meshValueMatch(match.uri);
    if (typeof value === 'string') entry.path = { exact: value };
    else if (value && 'prefix' in value) entry.path = value.prefix!;
    else if (value && 'regex' in value) entry.path = { regex: value.regex! };
    else {
      report('match.uri', [...at, 'uri']);
      ok = false;
    }
  }
  if (isRecord(match.method)) {
    const method = match.method.exact;
    if (typeof method === 'string' && METHODS.has(method)) entry.method = method;
    else {
      report('match.method (other than one exact method)', [...at, 'method']);
      ok = false;
    }
  }
  const headerConditions = (map: unknown, negated: boolean, key: string) => {
    if (!isRecord(map)) return;
    for (const [rawName, rawMatch] of Object.entries(map)) {
      const name = rawName.toLowerCase();
      if (name === 'cookie' && isRecord(rawMatch) && typeof rawMatch.regex === 'string') {
        const cookie = parseCookieRegex(rawMatch.regex);
        if (cookie && !negated) {
          entry.conditions.push({ on: 'cookie', name: cookie.name, value: cookie.value });
          continue;
        }
        if (cookie && negated && sameJson(cookie.value, { present: true })) {
          entry.conditions.push({ on: 'cookie', name: cookie.name, value: { absent: true } });
          continue;
        }
      }
      if (name === ':path' && negated && isRecord(rawMatch) && typeof rawMatch.regex === 'string') {
        const parameter = parseAbsentQueryRegex(rawMatch.regex);
        if (parameter !== undefined) {
          entry.conditions.push({ on: 'query', name: parameter, value: { absent: true } });
          continue;
        }
      }
      const value = meshValueMatch(rawMatch);
      if (negated) {
        if (value && typeof value !== 'string' && value.present) entry.conditions.push({ on: 'header', name, value: { absent: true } });
        else {
          report(`match.withoutHeaders["${rawName}"] (a header that must not match a value)`, [...at, key, rawName]);
          ok = false;
        }
        continue;
      }
      if (!value) {
        report(`match.headers["${rawName}"]`, [...at, key, rawName]);
        ok = false;
        continue;
      }
      entry.conditions.push({ on: 'header', name, value });
    }
  };
  headerConditions(match.headers, false, 'headers');
  headerConditions(match.withoutHeaders, true, 'withoutHeaders');
  if (isRecord(match.queryParams)) {
    for (const [name, rawMatch] of Object.entries(match.queryParams)) {
      const value = meshValueMatch(rawMatch);
      if (!value) {
        report(`match.queryParams["${name}"]`, [...at, 'queryParams', name]);
        ok = false;
      } else entry.conditions.push({ on: 'query', name, value });
    }
  }
  if (isRecord(match.sourceLabels)) {
    const labels = sortedRecord(match.sourceLabels) as Record<string, string>;
    const namespace = typeof match.sourceNamespace === 'string' ? match.sourceNamespace : undefined;
    const caller = context.serviceWithSelector(labels, namespace ?? object.namespace);
    if (!caller) {
      context.report('unknownCaller', { labels: JSON.stringify(labels), what: 'the route', feature: 'request routing' }, object, [...at, 'sourceLabels']);
      ok = false;
    } else {
      entry.caller = context.reference({ kind: 'Service', draft: caller }, object.namespace);
      if (namespace === undefined) context.report('reshapedMatch', { route: String(at[2]), how: `matched workloads labelled ${JSON.stringify(labels)} in any namespace; the mesh file names the service ${entry.caller}, whose workloads in ${caller.namespace} those are` }, object, [...at, 'sourceLabels']);
    }
  } else if (match.sourceNamespace !== undefined) {
    report('match.sourceNamespace without sourceLabels', [...at, 'sourceNamespace']);
    ok = false;
  }
  return ok ? entry : undefined;
}

/** Entries in mesh form: one AND of conditions, with lists of methods and callers. */
function meshMatch(entries: readonly Entry[]): Record<string, unknown> | undefined {
  const first = entries[0]!;
  const methods = [...new Set(entries.map((e) => e.method).filter((m): m is string => m !== undefined))];
  const callers = [...new Set(entries.map((e) => e.caller).filter((c): c is string => c !== undefined))];
  const match: Record<string, unknown> = {};
  if (first.path !== undefined) match.path = first.path;
  if (methods.length > 0) match.methods = methods;
  const headers = first.conditions.filter((c) => c.on === 'header');
  const query = first.conditions.filter((c) => c.on === 'query');
  const cookies = first.conditions.filter((c) => c.on === 'cookie');
  if (headers.length > 0) match.headers = Object.fromEntries(headers.map((c) => [c.name, c.value]));
  if (query.length > 0) match.query = Object.fromEntries(query.map((c) => [c.name, c.value]));
  if (cookies.length > 0) match.cookies = Object.fromEntries(cookies.map((c) => [c.name, c.value]));
  if (callers.length > 0) match.from = callers;
  return Object.keys(match).length > 0 ? match : undefined;
}

/** Groups of entries each of which is one mesh match: same conditions, methods × callers complete. */
function groupEntries(entries: readonly Entry[]): Entry[][] {
  const groups: Entry[][] = [];
  const byRest = new Map<string, Entry[]>();
  for (const entry of entries) {
    const key = entryKeyWithout(entry, 'method+caller');
    const group = byRest.get(key);
    if (group) group.push(entry);
    else {
      const created = [entry];
      byRest.set(key, created);
      groups.push(created);
    }
  }
  return groups.flatMap((group) => {
    const methods = [...new Set(group.map((e) => e.method ?? ''))];
    const callers = [...new Set(group.map((e) => e.caller ?? ''))];
    const seen = new Set(group.map((e) => `${e.method ?? ''} ${e.caller ?? ''}`));
    const complete = seen.size === group.length && methods.length * callers.length === group.length && !(methods.includes('') && methods.length > 1) && !(callers.includes('') && callers.length > 1);
    return complete ? [group] : group.map((entry) => [entry]);
  });
}

function readDestination(context: ImportContext, object: InputObject, raw: unknown, at: (string | number)[], report: Report): Destination | undefined {
  if (!isRecord(raw) || typeof raw.host !== 'string') return undefined;
  const target = context.resolveHost(raw.host, object.namespace);
  if (!target) {
    context.report('unknownHost', { host: raw.host, what: 'the route', feature: 'request routing' }, object, [...at, 'host']);
    return undefined;
  }
  const destination: Destination = { target };
  if (typeof raw.subset === 'string') {
    if (target.kind !== 'Service' || !isRecord(target.draft.spec.versions) || !(raw.subset in target.draft.spec.versions)) {
      report(`destination subset "${raw.subset}"`, [...at, 'subset'], ': no DestinationRule of the input defines it');
      return undefined;
    }
    destination.version = raw.subset;
  }
  if (isRecord(raw.port) && typeof raw.port.number === 'number') destination.port = raw.port.number;
  return destination;
}

/** One Istio HTTP route (or TCP route) as a draft. */
function readRoute(context: ImportContext, object: InputObject, raw: Record<string, unknown>, index: number, section: 'http' | 'tcp', report: Report): DraftRoute[] | undefined {
  const at: (string | number)[] = ['spec', section, index];
  for (const field of Object.keys(raw)) {
    if (!ROUTE_FIELDS.has(field) || (section === 'tcp' && !['match', 'route'].includes(field))) {
      report(`${section}[${index}].${field}`, [...at, field]);
      return undefined;
    }
  }
  let entries: Entry[] | undefined;
  if (Array.isArray(raw.match) && raw.match.length > 0) {
    entries = [];
    for (const [m, match] of raw.match.entries()) {
      if (!isRecord(match)) continue;
      const entry = readMatch(context, object, match, [...at, 'match', m], report);
      if (!entry) return undefined;
      entries.push(entry);
    }
    if (entries.some((e) => e.path === undefined && e.method === undefined && e.conditions.length === 0 && e.caller === undefined)) entries = undefined;
  }
  const settings: Record<string, unknown> = {};
  let destinations: Destination[] | undefined;
  if (Array.isArray(raw.route)) {
    destinations = [];
    for (const [d, item] of raw.route.entries()) {
      if (!isRecord(item)) continue;
      for (const field of Object.keys(item)) if (!['destination', 'weight'].includes(field)) report(`route[${d}].${field}`, [...at, 'route', d, field]);
      const destination = readDestination(context, object, item.destination, [...at, 'route', d, 'destination'], report);
      if (!destination) return undefined;
      if (typeof item.weight === 'number' && raw.route.length > 1) destination.weight = item.weight;
      destinations.push(destination);
    }
    if (destinations.length > 1 && destinations.some((d) => d.weight === undefined)) {
      report('a split without weights', [...at, 'route']);
      return undefined;
    }
  } else if (isRecord(raw.redirect)) {
    const redirect: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw.redirect)) {
      if (key === 'uri' || key === 'authority') redirect[key] = value;
      else if (key === 'scheme' && (value === 'http' || value === 'https')) redirect.scheme = value;
      else if (key === 'port' && typeof value === 'number') redirect.port = value;
      else if (key === 'redirectCode' && typeof value === 'number') redirect.status = value;
      else report(`redirect.${key}`, [...at, 'redirect', key]);
    }
    if (redirect.status === undefined) redirect.status = 301;
    settings.redirect = redirect;
  } else if (isRecord(raw.directResponse)) {
    const body = isRecord(raw.directResponse.body) ? raw.directResponse.body : undefined;
    if (body && typeof body.string !== 'string') report('directResponse.body.bytes', [...at, 'directResponse', 'body']);
    settings.directResponse = { status: raw.directResponse.status, ...(body && typeof body.string === 'string' ? { body: body.string } : {}) };
  } else {
    report('a route that neither forwards, redirects nor answers', at);
    return undefined;
  }
  if (isRecord(raw.rewrite)) {
    const rewrite: Record<string, unknown> = {};
    const exactOnly = entries !== undefined && entries.every((e) => isRecord(e.path) && 'exact' in e.path);
    for (const [key, value] of Object.entries(raw.rewrite)) {
      if (key === 'uri' && typeof value === 'string') rewrite[exactOnly ? 'uri' : 'prefix'] = value;
      else if (key === 'authority') rewrite.authority = value;
      else if (key === 'uriRegexRewrite' && isRecord(value) && value.match === '^.*$' && typeof value.rewrite === 'string' && !/\\[0-9]/.test(value.rewrite.replace(/\\\\/g, ''))) rewrite.uri = value.rewrite.replace(/\\\\/g, '\\');
      else report(`rewrite.${key}`, [...at, 'rewrite', key]);
    }
    if (Object.keys(rewrite).length > 0) settings.rewrite = rewrite;
  }
  if (raw.timeout !== undefined) {
    const timeout = meshDuration(raw.timeout);
    if (timeout) settings.timeout = timeout;
    else report('timeout', [...at, 'timeout']);
  }
  if (isRecord(raw.retries)) {
    const retries: Record<string, unknown> = { attempts: typeof raw.retries.attempts === 'number' ? raw.retries.attempts : 0 };
    for (const [key, value] of Object.entries(raw.retries)) {
      if (key === 'attempts') continue;
      if (key === 'perTryTimeout' && meshDuration(value)) retries.perTryTimeout = meshDuration(value);
      else if (key === 'retryOn' && typeof value === 'string') retries.on = value.split(',').map((v) => v.trim()).filter(Boolean);
      else report(`retries.${key}`, [...at, 'retries', key]);
    }
    settings.retries = retries;
  }
  if (isRecord(raw.fault)) {
    const fault: Record<string, unknown> = {};
    const percentOf = (value: Record<string, unknown>) => (isRecord(value.percentage) && typeof value.percentage.value === 'number' ? value.percentage.value : typeof value.percent === 'number' ? value.percent : 100);
    if (isRecord(raw.fault.delay)) {
      const duration = meshDuration(raw.fault.delay.fixedDelay);
      if (duration) fault.delay = { duration, percent: percentOf(raw.fault.delay) };
      else report('fault.delay (other than a fixed delay)', [...at, 'fault', 'delay']);
    }
    if (isRecord(raw.fault.abort)) {
      if (typeof raw.fault.abort.httpStatus === 'number') fault.abort = { status: raw.fault.abort.httpStatus, percent: percentOf(raw.fault.abort) };
      else report('fault.abort (other than an HTTP status)', [...at, 'fault', 'abort']);
    }
    if (Object.keys(fault).length > 0) settings.fault = fault;
  }
  if (isRecord(raw.mirror)) {
    const mirror = readDestination(context, object, raw.mirror, [...at, 'mirror'], report);
    if (mirror) {
      const percent = isRecord(raw.mirrorPercentage) && typeof raw.mirrorPercentage.value === 'number' ? raw.mirrorPercentage.value : 100;
      settings.mirror = { service: mirror.target, ...(mirror.version !== undefined ? { version: mirror.version } : {}), percent };
      // meshctl names the mirror's first HTTP port when the caller's port would lead nowhere there.
      const firstHttp = mirror.target.draft.spec.ports.find((p) => ['http', 'http2', 'grpc'].includes(p.protocol)) ?? mirror.target.draft.spec.ports[0];
      if (mirror.port !== undefined && mirror.port !== firstHttp?.port) report('mirror.port', [...at, 'mirror', 'port'], ': a mirror goes to the port the request came to, or the first HTTP port of the mirror\'s service');
    }
  }
  if (isRecord(raw.corsPolicy)) {
    const cors: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw.corsPolicy)) {
      if (key === 'allowOrigins' && Array.isArray(value)) cors.allowOrigins = value.map((origin) => meshValueMatch(origin)).filter((v) => v !== undefined);
      else if (['allowMethods', 'allowHeaders', 'exposeHeaders'].includes(key) && Array.isArray(value)) cors[key] = value;
      else if (key === 'maxAge' && meshDuration(value)) cors.maxAge = meshDuration(value);
      else if (key === 'allowCredentials' && typeof value === 'boolean') cors.allowCredentials = value;
      else report(`corsPolicy.${key}`, [...at, 'corsPolicy', key]);
    }
    if (Array.isArray(cors.allowOrigins) && cors.allowOrigins.length > 0) settings.cors = Object.fromEntries(['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials'].filter((k) => k in cors).map((k) => [k, cors[k]]));
  }
  if (isRecord(raw.headers)) {
    const headers: Record<string, unknown> = {};
    for (const [side, operations] of Object.entries(raw.headers)) {
      if ((side !== 'request' && side !== 'response') || !isRecord(operations)) {
        report(`headers.${side}`, [...at, 'headers', side]);
        continue;
      }
      const changes: Record<string, unknown> = {};
      for (const [op, value] of Object.entries(operations)) {
        if ((op === 'set' || op === 'add') && isRecord(value)) changes[op] = value;
        else if (op === 'remove' && Array.isArray(value)) changes.remove = value;
        else report(`headers.${side}.${op}`, [...at, 'headers', side, op]);
      }
      headers[side] = changes;
    }
    settings.headers = headers;
  }
  const name = typeof raw.name === 'string' ? raw.name : undefined;
  if (!entries) return [{ ...(name !== undefined ? { name } : {}), destinations, settings, index } as DraftRoute];
  const groups = groupEntries(entries);
  if (groups.length > 1) {
    context.report('reshapedMatch', { route: name ?? `${section}[${index}]`, how: `matches requests that meet any of ${entries.length} conditions, which one mesh match (all conditions hold) cannot say; it became ${groups.length} consecutive routes with the same actions` }, object, [...at, 'match']);
  }
  return groups.map((group, g) => ({ ...(name !== undefined ? { name: g === 0 ? name : `${name}-${g + 1}` } : {}), entries: group, ...(destinations ? { destinations } : {}), settings, index }));
}

function sameDestinations(a: readonly Destination[] | undefined, b: readonly Destination[] | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return a.every((d, i) => d.target.draft === b[i]!.target.draft && d.version === b[i]!.version && d.port === b[i]!.port && d.weight === b[i]!.weight);
}

const isUnconditional = (route: DraftRoute) => route.entries === undefined;
const GENERATED_DEFAULT = /^default(-\d+)?$/;

/** The cohort condition: `cohort` has the entries of `route` each with exactly one more condition, the same one. */
function cohortConditionOf(cohort: DraftRoute, route: DraftRoute | undefined): Condition | undefined {
  const routeEntries = route?.entries ?? [{ conditions: [] } as Entry];
  const cohortEntries = cohort.entries;
  if (!cohortEntries || cohortEntries.length !== routeEntries.length) return undefined;
  let found: Condition | undefined;
  for (let i = 0; i < cohortEntries.length; i++) {
    const inner = routeEntries[i]!;
    const outer = cohortEntries[i]!;
    if (!sameJson(inner.path, outer.path) || inner.method !== outer.method || inner.caller !== outer.caller) return undefined;
    const innerKeys = inner.conditions.map(conditionKey);
    const extra = outer.conditions.filter((c) => !innerKeys.includes(conditionKey(c)));
    if (extra.length !== 1 || outer.conditions.length !== inner.conditions.length + 1) return undefined;
    if (found && conditionKey(found) !== conditionKey(extra[0]!)) return undefined;
    found = extra[0];
  }
  return found && found.on !== 'query' ? found : undefined;
}

/** A service's VirtualService routes as `routes`, `canary` and `abTest`. */
export function assembleRoutes(context: ImportContext, service: ServiceDraft, drafts: DraftRoute[], object: InputObject, section: 'http' | 'tcp' = 'http'): void {
  const self = (d: Destination) => d.target.kind === 'Service' && d.target.draft === service;
  let routes = [...drafts];
  const last = routes[routes.length - 1];
  const defaultDestinations = last && isUnconditional(last) ? last.destinations : undefined;

  // The A/B test: cohort copies `<route>-<label>` right before their route.
  let abTest: { label: string; condition: Condition; variant: string } | undefined;
  const cohortIndexes = new Set<number>();
  for (let i = 0; i + 1 < routes.length; i++) {
    const cohort = routes[i]!;
    const next = routes[i + 1]!;
    if (!cohort.name || !next.name || !cohort.name.startsWith(`${next.name}-`)) continue;
    const variant = cohort.destinations?.length === 1 && self(cohort.destinations[0]!) ? cohort.destinations[0]!.version : undefined;
    if (variant === undefined || cohort.destinations![0]!.port !== undefined || !sameJson(cohort.settings, next.settings)) continue;
    const condition = cohortConditionOf(cohort, next);
    if (!condition) continue;
    const label = cohort.name.slice(next.name.length + 1);
    if (abTest && (abTest.label !== label || conditionKey(abTest.condition) !== conditionKey(condition) || abTest.variant !== variant)) continue;
    abTest = { label, condition, variant };
    cohortIndexes.add(i);
  }
  // The generated cohort route `<label>` before the generated default.
  if (routes.length >= 2) {
    const i = routes.length - 2;
    const cohort = routes[i]!;
    const variant = cohort.destinations?.length === 1 && self(cohort.destinations[0]!) ? cohort.destinations[0]!.version : undefined;
    const condition = variant !== undefined && Object.keys(cohort.settings).length === 0 && cohort.entries?.length === 1 ? cohortConditionOf(cohort, undefined) : undefined;
    const generatedDefault = routes[i + 1]!;
    const controlVersion = generatedDefault.destinations?.length === 1 ? generatedDefault.destinations[0]!.version : undefined;
    if (condition && variant !== undefined && cohort.name && isUnconditional(generatedDefault) && generatedDefault.name !== undefined && GENERATED_DEFAULT.test(generatedDefault.name) && Object.keys(generatedDefault.settings).length === 0 && controlVersion !== variant && (!abTest || (abTest.label === cohort.name && conditionKey(abTest.condition) === conditionKey(condition) && abTest.variant === variant))) {
      abTest = { label: cohort.name, condition, variant };
      cohortIndexes.add(i);
    }
  }

  // The default split, and where everyone outside the cohort goes.
  let split: Destination[] = [{ target: { kind: 'Service', draft: service } }];
  let control: string | undefined;
  if (defaultDestinations && defaultDestinations.every(self) && defaultDestinations.every((d) => d.port === undefined)) {
    const versions = defaultDestinations.map((d) => d.version);
    if (defaultDestinations.length === 2 && versions.every((v) => v !== undefined) && versions[0] !== versions[1] && (defaultDestinations[0]!.weight ?? 0) + (defaultDestinations[1]!.weight ?? 0) === 100 && defaultDestinations[1]!.weight! > 0 && defaultDestinations[0]!.weight! > 0) {
      service.spec.canary = { stable: versions[0], canary: versions[1], weight: defaultDestinations[1]!.weight };
      split = defaultDestinations;
    } else if (abTest && defaultDestinations.length === 1 && versions[0] !== undefined) {
      control = versions[0];
    }
  }
  const everyoneElse = control !== undefined ? [{ target: { kind: 'Service', draft: service } as Target, version: control }] : split;

  // Routes following the default split lose their `to`; with an A/B test, only those with a cohort copy do.
  const follows = (route: DraftRoute, position: number) => {
    if (!sameDestinations(route.destinations, everyoneElse)) return false;
    return abTest ? cohortIndexes.has(position - 1) : true;
  };
  const kept: { route: DraftRoute; follows: boolean }[] = [];
  routes.forEach((route, position) => {
    if (cohortIndexes.has(position)) return;
    kept.push({ route, follows: route.destinations !== undefined && follows(route, position) });
  });
  if (abTest && !kept.some((k) => k.follows) && !(kept.length > 0 && isUnconditional(kept[kept.length - 1]!.route))) abTest = undefined;

  // The generated default route: unconditional, named default, nothing but the default split.
  const final = kept[kept.length - 1];
  const catchAllBefore = kept.slice(0, -1).some((k) => isUnconditional(k.route));
  if (final && isUnconditional(final.route) && (section === 'tcp' ? final.route.name === undefined : final.route.name !== undefined && GENERATED_DEFAULT.test(final.route.name)) && Object.keys(final.route.settings).length === 0 && sameDestinations(final.route.destinations, everyoneElse) && !catchAllBefore) {
    kept.pop();
  } else if (!final || !isUnconditional(final.route)) {
    // Istio answers 404 to a request no route matches; meshctl would add a route to the default split.
    kept.push({ route: { name: 'no-route', settings: { directResponse: { status: 404 } }, index: -1 }, follows: false });
    context.report('reshapedMatch', { route: 'no-route', how: 'was added: Istio answers 404 to requests that match no route of the VirtualService, and without it meshctl would send them to the service' }, object, ['spec']);
  }
  routes = kept.map((k) => k.route);

  const meshRoutes = kept.map(({ route, follows: followsSplit }) => {
    const out: Record<string, unknown> = {};
    if (route.name !== undefined) out.name = route.name;
    const match = route.entries ? meshMatch(route.entries) : undefined;
    if (match) out.match = match;
    if (route.destinations && !followsSplit) out.to = route.destinations.map((d) => meshDestination(context, service, d));
    return { ...out, ...withMirrorReference(context, service, route.settings) };
  });
  if (meshRoutes.length > 0) service.spec.routes = meshRoutes;
  if (abTest) {
    const cohort = abTest.condition.on === 'cookie' ? { cookie: { name: abTest.condition.name, value: abTest.condition.value } } : { header: { name: abTest.condition.name, value: abTest.condition.value } };
    service.spec.abTest = { ...(abTest.label !== 'cohort' ? { name: abTest.label } : {}), cohort, variant: abTest.variant, ...(control !== undefined ? { control } : {}) };
  }
}

function meshDestination(context: ImportContext, service: ServiceDraft, destination: Destination): Record<string, unknown> {
  const other = destination.target.draft !== service;
  return {
    ...(other ? { service: context.reference(destination.target, service.namespace) } : {}),
    ...(destination.version !== undefined ? { version: destination.version } : {}),
    ...(destination.port !== undefined ? { port: destination.port } : {}),
    ...(destination.weight !== undefined ? { weight: destination.weight } : {}),
  };
}

function withMirrorReference(context: ImportContext, service: ServiceDraft, settings: Record<string, unknown>): Record<string, unknown> {
  if (!isRecord(settings.mirror)) return settings;
  const mirror = settings.mirror as { service: Target; version?: string; percent: number };
  const reference = mirror.service.draft === service ? {} : { service: context.reference(mirror.service, service.namespace) };
  return { ...settings, mirror: { ...reference, ...(mirror.version !== undefined ? { version: mirror.version } : {}), percent: mirror.percent } };
}

/** The mesh VirtualServices (no gateways, or `mesh` among them): routes of the services they name. */
export function importMeshVirtualServices(context: ImportContext, objects: readonly InputObject[]): InputObject[] {
  const ingress: InputObject[] = [];
  const seen = new Map<ServiceDraft, InputObject>();
  for (const object of objects.filter((o) => o.kind === 'VirtualService')) {
    const spec = object.spec;
    const gateways = Array.isArray(spec.gateways) ? spec.gateways.map(String) : [];
    const forMesh = gateways.length === 0 || gateways.includes('mesh');
    if (gateways.some((g) => g !== 'mesh')) ingress.push(object);
    if (!forMesh) continue;
    for (const field of Object.keys(spec)) if (!['hosts', 'gateways', 'http', 'tcp'].includes(field)) context.report('unsupportedField', { field: `spec.${field}`, feature: field === 'tls' ? 'TLS routing' : 'request routing' }, object, ['spec', field]);
    const hosts = Array.isArray(spec.hosts) ? spec.hosts.map(String) : [];
    hosts.forEach((host, h) => {
      const target = context.resolveHost(host, object.namespace);
      if (!target || target.kind !== 'Service') {
        context.report('unknownHost', { host, what: 'its routes', feature: 'request routing' }, object, ['spec', 'hosts', h], hosts.length === 1);
        return;
      }
      const service = target.draft;
      const earlier = seen.get(service);
      if (earlier) {
        context.report('conflictingObjects', { what: 'routes', target: service.name, other: `VirtualService ${earlier.namespace}/${earlier.name}`, feature: 'request routing' }, object, ['spec', 'hosts', h]);
        return;
      }
      seen.set(service, object);
      const report: Report = (field, path, why = '') => context.report('unsupportedField', { field, feature: 'request routing', why: why || ': the route was left out' }, object, path);
      const httpPorts = service.spec.ports.some((p) => ['http', 'http2', 'grpc'].includes(p.protocol));
      const section = httpPorts ? 'http' : 'tcp';
      const raws = Array.isArray(spec[section]) ? (spec[section] as unknown[]) : [];
      const drafts: DraftRoute[] = [];
      raws.forEach((raw, index) => {
        if (!isRecord(raw)) return;
        const read = readRoute(context, object, raw, index, section, report);
        if (read) drafts.push(...read);
      });
      if (drafts.length > 0) assembleRoutes(context, service, drafts, object, section);
      const other = httpPorts ? 'tcp' : 'http';
      if (httpPorts && Array.isArray(spec.tcp) && service.spec.ports.some((p) => p.protocol === 'tcp' || p.protocol === 'tls')) {
        checkDerivedTcpRoutes(context, object, service, spec.tcp);
      } else if (Array.isArray(spec[other]) && (spec[other] as unknown[]).length > 0) {
        context.report('unsupportedField', { field: `spec.${other}`, feature: 'request routing', why: `: ${service.name} has no ${other === 'http' ? 'HTTP' : 'TCP'} ports` }, object, ['spec', other]);
      }
    });
  }
  return ingress;
}

/**
 * A service with HTTP and stream ports: meshctl derives its TCP routes from its routes (those that
 * match every request, or only by caller). TCP routes that send elsewhere than some HTTP route
 * does are not carried.
 */
function checkDerivedTcpRoutes(context: ImportContext, object: InputObject, service: ServiceDraft, tcp: unknown[]): void {
  const httpTargets = new Set<string>();
  for (const route of (service.spec.routes as Record<string, unknown>[] | undefined) ?? []) httpTargets.add(JSON.stringify(route.to ?? null));
  tcp.forEach((raw, index) => {
    if (!isRecord(raw) || !Array.isArray(raw.route)) return;
    const destinations = raw.route.filter(isRecord).map((item) => (isRecord(item.destination) ? item.destination : {}));
    const toSelf = destinations.every((d) => typeof d.host === 'string' && context.resolveHost(d.host, object.namespace)?.draft === service);
    if (!toSelf) context.report('unsupportedField', { field: `tcp[${index}]`, feature: 'request routing', why: ': on a service with HTTP ports, meshctl derives the TCP routes from the HTTP ones' }, object, ['spec', 'tcp', index]);
  });
}

// What a planned route does with the requests it matches, fully resolved: where it forwards them
// (weighted destinations), or the redirect or direct response it answers with, and the settings of
// the mesh route (rewrite, timeout, retries, fault, mirror, CORS, header changes) with durations in
// milliseconds, references resolved and value matches normalised. Every target writes these in its
// own vocabulary and derives nothing from the mesh file again.
import { compareStrings } from '../diagnostics/types.js';
import { toStringCondition, type StringCondition } from '../model/conditions.js';
import { durationMs } from '../model/duration.js';
import type { MeshModel, ServiceNode } from '../model/mesh-model.js';
import { normalizeValueMatch } from '../model/route-match.js';
import type { RouteSpec } from '../schema/traffic.js';
import { resolveDestination, type PlannedDestination } from './destinations.js';
import type { MatchEntry } from './match.js';

export type RouteAction = ForwardAction | RedirectAction | DirectResponseAction;

export interface ForwardAction {
  readonly kind: 'forward';
  readonly destinations: readonly PlannedDestination[];
  readonly rewrite?: RewriteIntent;
  /** Undefined: no timeout. */
  readonly timeoutMs?: number;
  /** Undefined: the mesh's default retries (Istio's default policy). */
  readonly retries?: RetryPlan;
  readonly fault?: FaultPlan;
  readonly mirror?: MirrorPlan;
}

export interface RedirectAction {
  readonly kind: 'redirect';
  readonly uri?: string;
  readonly authority?: string;
  readonly scheme?: string;
  readonly port?: number;
  /** The HTTP status: 301, 302, 303, 307 or 308. */
  readonly status: number;
}

export interface DirectResponseAction {
  readonly kind: 'direct-response';
  readonly status: number;
  readonly body?: string;
}

/** The rewrite as the route asks for it; what it becomes depends on the match entries it is written with (resolveRewrite). */
export interface RewriteIntent {
  /** Replace the whole path. Wins over `prefix`. */
  readonly uri?: string;
  /** Replace the matched path prefix. */
  readonly prefix?: string;
  readonly authority?: string;
}

/** A rewrite as a proxy applies it. */
export interface ResolvedRewrite {
  readonly path?: { readonly kind: 'prefix'; readonly value: string } | { readonly kind: 'regex'; readonly pattern: string; readonly substitution: string };
  readonly authority?: string;
}

export interface RetryPlan {
  /** 0 switches retries off. */
  readonly attempts: number;
  readonly perTryTimeoutMs?: number;
  /** The retry conditions as written (Envoy's retry_on names, or status codes); undefined: the default ones. */
  readonly on?: readonly string[];
}

export interface FaultPlan {
  readonly delay?: { readonly ms: number; readonly percent: number };
  readonly abort?: { readonly status: number; readonly percent: number };
}

export interface MirrorPlan {
  readonly destination: Pick<PlannedDestination, 'node' | 'version'>;
  readonly percent: number;
}

/** A CORS policy with at least one origin. An origin that must merely be present is any origin (`.*`). */
export interface CorsPlan {
  readonly origins: readonly Exclude<StringCondition, { kind: 'present' }>[];
  readonly allowMethods?: readonly string[];
  readonly allowHeaders?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAgeMs?: number;
  readonly allowCredentials?: boolean;
}

/** Header changes of one direction; each list in name order, none empty. */
export interface HeaderOperations {
  readonly set?: readonly (readonly [string, string])[];
  readonly add?: readonly (readonly [string, string])[];
  readonly remove?: readonly string[];
}

export interface HeaderChanges {
  readonly request?: HeaderOperations;
  readonly response?: HeaderOperations;
}

/**
 * The action of a mesh route: its redirect or direct response, else forwarding to `destinations`
 * with the route's settings. Rewrite, fault and mirror act only on forwarded requests (MESH303
 * reports them on other routes), so only a forwarding route carries them.
 */
export function routeAction(model: MeshModel, service: ServiceNode, route: RouteSpec | undefined, destinations: readonly PlannedDestination[] | undefined): RouteAction {
  if (route?.redirect) {
    const redirect = route.redirect;
    return {
      kind: 'redirect',
      ...(redirect.uri !== undefined ? { uri: redirect.uri } : {}),
      ...(redirect.authority !== undefined ? { authority: redirect.authority } : {}),
      ...(redirect.scheme !== undefined ? { scheme: redirect.scheme } : {}),
      ...(redirect.port !== undefined ? { port: redirect.port } : {}),
      status: redirect.status,
    };
  }
  if (route?.directResponse) {
    const response = route.directResponse;
    return { kind: 'direct-response', status: response.status, ...(response.body !== undefined ? { body: response.body } : {}) };
  }
  if (!destinations?.length) throw new Error(`${service.key}: a route forwards nowhere`);
  const retries = route?.retries;
  const fault = route?.fault ? faultPlan(route.fault) : undefined;
  const mirror = route?.mirror;
  return {
    kind: 'forward',
    destinations,
    ...(route?.rewrite ? { rewrite: route.rewrite } : {}),
    ...(route?.timeout !== undefined ? { timeoutMs: durationMs(route.timeout) } : {}),
    ...(retries
      ? {
          retries: {
            attempts: retries.attempts,
            ...(retries.perTryTimeout !== undefined ? { perTryTimeoutMs: durationMs(retries.perTryTimeout) } : {}),
            ...(retries.on !== undefined ? { on: [...retries.on] } : {}),
          },
        }
      : {}),
    ...(fault ? { fault } : {}),
    ...(mirror
      ? {
          mirror: {
            destination: {
              node: mirror.service === undefined ? service : resolveDestination(model, mirror.service, service),
              ...(mirror.version !== undefined ? { version: mirror.version } : {}),
            },
            percent: mirror.percent,
          },
        }
      : {}),
  };
}

function faultPlan(fault: NonNullable<RouteSpec['fault']>): FaultPlan | undefined {
  if (!fault.delay && !fault.abort) return undefined;
  return {
    ...(fault.delay ? { delay: { ms: durationMs(fault.delay.duration), percent: fault.delay.percent } } : {}),
    ...(fault.abort ? { abort: { status: fault.abort.status, percent: fault.abort.percent } } : {}),
  };
}

/**
 * `prefix` replaces the matched path prefix (on an exact match the whole path is the prefix).
 * `uri` replaces the whole path: a prefix rewrite too when every entry matches an exact path, else
 * a regex rewrite of the whole path (the query string is kept either way). `uri` wins when both
 * are written.
 */
export function resolveRewrite(rewrite: RewriteIntent, entries: readonly MatchEntry[] | undefined): ResolvedRewrite | undefined {
  let path: ResolvedRewrite['path'];
  if (rewrite.uri !== undefined) {
    const everyPathExact = entries !== undefined && entries.length > 0 && entries.every((entry) => entry.path?.kind === 'exact');
    path = everyPathExact ? { kind: 'prefix', value: rewrite.uri } : { kind: 'regex', pattern: '^.*$', substitution: rewrite.uri.replace(/\\/g, '\\\\') };
  } else if (rewrite.prefix !== undefined) {
    path = { kind: 'prefix', value: rewrite.prefix };
  }
  if (path === undefined && rewrite.authority === undefined) return undefined;
  return { ...(path ? { path } : {}), ...(rewrite.authority !== undefined ? { authority: rewrite.authority } : {}) };
}

/**
 * An origin that must merely be present matches any origin; one that must be absent matches none
 * (a CORS request always has an Origin) and is left out. Without any origin left the policy would
 * allow nothing: undefined.
 */
export function corsPlan(cors: NonNullable<RouteSpec['cors']>): CorsPlan | undefined {
  const origins: Exclude<StringCondition, { kind: 'present' }>[] = [];
  for (const origin of cors.allowOrigins) {
    const condition = normalizeValueMatch(origin);
    if (condition.kind === 'absent') continue;
    const match = toStringCondition(condition);
    origins.push(match.kind === 'present' ? { kind: 'regex', value: '.*' } : match);
  }
  if (origins.length === 0) return undefined;
  return {
    origins,
    ...(cors.allowMethods?.length ? { allowMethods: [...cors.allowMethods] } : {}),
    ...(cors.allowHeaders?.length ? { allowHeaders: [...cors.allowHeaders] } : {}),
    ...(cors.exposeHeaders?.length ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
    ...(cors.maxAge !== undefined ? { maxAgeMs: durationMs(cors.maxAge) } : {}),
    ...(cors.allowCredentials !== undefined ? { allowCredentials: cors.allowCredentials } : {}),
  };
}

export function headerChanges(headers: NonNullable<RouteSpec['headers']>): HeaderChanges | undefined {
  const request = headers.request ? headerOperations(headers.request) : undefined;
  const response = headers.response ? headerOperations(headers.response) : undefined;
  if (!request && !response) return undefined;
  return { ...(request ? { request } : {}), ...(response ? { response } : {}) };
}

function headerOperations(changes: NonNullable<NonNullable<RouteSpec['headers']>['request']>): HeaderOperations | undefined {
  const sorted = (record: Record<string, string> | undefined) => {
    const entries = Object.entries(record ?? {}).sort(([a], [b]) => compareStrings(a, b));
    return entries.length > 0 ? entries : undefined;
  };
  const set = sorted(changes.set);
  const add = sorted(changes.add);
  const remove = changes.remove?.length ? [...changes.remove] : undefined;
  if (!set && !add && !remove) return undefined;
  return { ...(set ? { set } : {}), ...(add ? { add } : {}), ...(remove ? { remove } : {}) };
}

// One planned route as an Istio HTTPRoute: its matches, where it sends requests (route, redirect
// or direct response) and the settings of the mesh route (rewrite, timeout, retries, fault,
// mirror, CORS, header changes). Each piece is a small function so the Envoy target can mirror it.
import { compareStrings } from '../../../diagnostics/types.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { normalizeValueMatch } from '../../../model/route-match.js';
import type { RouteSpec } from '../../../schema/traffic.js';
import { resolveDestination, toIstioDestination, toIstioRouteDestinations, type PortPolicy } from './destinations.js';
import { toIstioDuration } from './duration.js';
import type {
  IstioCorsPolicy,
  IstioHeaderOperations,
  IstioHeaders,
  IstioHttpFault,
  IstioHttpRedirect,
  IstioHttpRetry,
  IstioHttpRewrite,
  IstioHttpRoute,
  IstioStringMatch,
} from './istio-types.js';
import { toIstioMatches, type MatchEntry } from './match.js';
import type { PlannedHttpRoute } from './route-plan.js';
import { toIstioStringMatch } from './string-match.js';

export interface HttpRouteContext {
  readonly model: MeshModel;
  readonly service: ServiceNode;
  readonly ports: PortPolicy;
}

/**
 * The HTTPRoute for a planned route whose match entries are `entries` (the planned ones, or the
 * ones an ingress VirtualService narrowed them to).
 */
export function toIstioHttpRoute(planned: PlannedHttpRoute, entries: readonly MatchEntry[] | undefined, context: HttpRouteContext): IstioHttpRoute {
  const route = planned.route;
  const match = toIstioMatches(entries);
  const out: IstioHttpRoute = { name: planned.name, ...(match ? { match } : {}) };
  if (route?.redirect) {
    out.redirect = toIstioRedirect(route.redirect);
  } else if (route?.directResponse) {
    out.directResponse = toIstioDirectResponse(route.directResponse);
  } else {
    if (!planned.destinations?.length) throw new Error(`${context.service.key}: route "${planned.name}" forwards nowhere`);
    out.route = toIstioRouteDestinations(planned.destinations, context.ports, context.service);
    // Istio rejects a rewrite or a fault next to a redirect, and none of these act on a request
    // that is not forwarded (MESH303 reports them), so they are written for forwarding routes only.
    if (route?.rewrite) {
      const rewrite = toIstioRewrite(route.rewrite, entries);
      if (rewrite) out.rewrite = rewrite;
    }
    if (route?.timeout !== undefined) out.timeout = toIstioDuration(route.timeout);
    if (route?.retries) out.retries = toIstioRetries(route.retries);
    if (route?.fault) {
      const fault = toIstioFault(route.fault);
      if (fault) out.fault = fault;
    }
    if (route?.mirror) {
      const mirror = route.mirror;
      const node = mirror.service === undefined ? context.service : resolveDestination(context.model, mirror.service, context.service);
      out.mirror = toIstioDestination({ node, ...(mirror.version !== undefined ? { version: mirror.version } : {}) }, context.ports, context.service);
      out.mirrorPercentage = { value: mirror.percent };
    }
  }
  if (route?.cors) {
    const cors = toIstioCors(route.cors);
    if (cors) out.corsPolicy = cors;
  }
  if (route?.headers) {
    const headers = toIstioHeaders(route.headers);
    if (headers) out.headers = headers;
  }
  return out;
}

export function toIstioRedirect(redirect: NonNullable<RouteSpec['redirect']>): IstioHttpRedirect {
  return {
    ...(redirect.uri !== undefined ? { uri: redirect.uri } : {}),
    ...(redirect.authority !== undefined ? { authority: redirect.authority } : {}),
    ...(redirect.scheme !== undefined ? { scheme: redirect.scheme } : {}),
    ...(redirect.port !== undefined ? { port: redirect.port } : {}),
    redirectCode: redirect.status,
  };
}

export function toIstioDirectResponse(response: NonNullable<RouteSpec['directResponse']>): NonNullable<IstioHttpRoute['directResponse']> {
  return { status: response.status, ...(response.body !== undefined ? { body: { string: response.body } } : {}) };
}

/**
 * `prefix` replaces the matched path prefix: Istio's `rewrite.uri`, which Envoy applies as a
 * prefix rewrite (on an exact match the whole path is the prefix). `uri` replaces the whole path:
 * `rewrite.uri` too when every match is an exact path, else a regex rewrite of the whole path
 * (Envoy keeps the query string either way). `uri` wins when both are written.
 */
export function toIstioRewrite(rewrite: NonNullable<RouteSpec['rewrite']>, entries: readonly MatchEntry[] | undefined): IstioHttpRewrite | undefined {
  const out: IstioHttpRewrite = {};
  if (rewrite.uri !== undefined) {
    const everyPathExact = entries !== undefined && entries.length > 0 && entries.every((entry) => entry.path?.kind === 'exact');
    if (everyPathExact) out.uri = rewrite.uri;
    else out.uriRegexRewrite = { match: '^.*$', rewrite: rewrite.uri.replace(/\\/g, '\\\\') };
  } else if (rewrite.prefix !== undefined) {
    out.uri = rewrite.prefix;
  }
  if (rewrite.authority !== undefined) out.authority = rewrite.authority;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * `attempts: 0` switches retries off (without `retries` Istio applies its default of 2 attempts).
 * `on` becomes Envoy's comma-separated `retryOn`; status codes ("503") go in as written, which
 * Istio turns into retriable status codes. Without `on`, Istio's default conditions apply, which
 * are the format's documented default.
 */
export function toIstioRetries(retries: NonNullable<RouteSpec['retries']>): IstioHttpRetry {
  if (retries.attempts <= 0) return { attempts: 0 };
  return {
    attempts: retries.attempts,
    ...(retries.perTryTimeout !== undefined ? { perTryTimeout: toIstioDuration(retries.perTryTimeout) } : {}),
    ...(retries.on !== undefined && retries.on.length > 0 ? { retryOn: retries.on.join(',') } : {}),
  };
}

export function toIstioFault(fault: NonNullable<RouteSpec['fault']>): IstioHttpFault | undefined {
  const out: IstioHttpFault = {};
  if (fault.delay) out.delay = { fixedDelay: toIstioDuration(fault.delay.duration), percentage: { value: fault.delay.percent } };
  if (fault.abort) out.abort = { httpStatus: fault.abort.status, percentage: { value: fault.abort.percent } };
  return out.delay || out.abort ? out : undefined;
}

/**
 * Origins are StringMatches (a plain string is exact). An origin that must merely be present
 * matches any origin; one that must be absent matches none (a CORS request always has an Origin)
 * and is left out. Without any origin left the policy would allow nothing, so it is not written.
 */
export function toIstioCors(cors: NonNullable<RouteSpec['cors']>): IstioCorsPolicy | undefined {
  const allowOrigins: IstioStringMatch[] = [];
  for (const origin of cors.allowOrigins) {
    const condition = normalizeValueMatch(origin);
    if (condition.kind === 'absent') continue;
    allowOrigins.push(condition.kind === 'present' ? { regex: '.*' } : toIstioStringMatch(condition));
  }
  if (allowOrigins.length === 0) return undefined;
  return {
    allowOrigins,
    ...(cors.allowMethods?.length ? { allowMethods: [...cors.allowMethods] } : {}),
    ...(cors.allowHeaders?.length ? { allowHeaders: [...cors.allowHeaders] } : {}),
    ...(cors.exposeHeaders?.length ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
    ...(cors.maxAge !== undefined ? { maxAge: toIstioDuration(cors.maxAge) } : {}),
    ...(cors.allowCredentials !== undefined ? { allowCredentials: cors.allowCredentials } : {}),
  };
}

export function toIstioHeaders(headers: NonNullable<RouteSpec['headers']>): IstioHeaders | undefined {
  const request = headers.request ? toHeaderOperations(headers.request) : undefined;
  const response = headers.response ? toHeaderOperations(headers.response) : undefined;
  if (!request && !response) return undefined;
  return { ...(request ? { request } : {}), ...(response ? { response } : {}) };
}

function toHeaderOperations(changes: NonNullable<NonNullable<RouteSpec['headers']>['request']>): IstioHeaderOperations | undefined {
  const sorted = (record: Record<string, string> | undefined) => {
    const entries = Object.entries(record ?? {}).sort(([a], [b]) => compareStrings(a, b));
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  };
  const set = sorted(changes.set);
  const add = sorted(changes.add);
  const remove = changes.remove?.length ? [...changes.remove] : undefined;
  if (!set && !add && !remove) return undefined;
  return { ...(set ? { set } : {}), ...(add ? { add } : {}), ...(remove ? { remove } : {}) };
}

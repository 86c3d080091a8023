// One planned route (src/plan/routes.ts) as an Istio HTTPRoute: its matches, where it sends
// requests (route, redirect or direct response) and its settings (rewrite, timeout, retries,
// fault, mirror, CORS, header changes), all resolved by the plan.
import { toProtoDuration } from '../../../model/duration.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { MatchEntry } from '../../../plan/match.js';
import {
  resolveRewrite,
  type CorsPlan,
  type FaultPlan,
  type HeaderChanges,
  type HeaderOperations,
  type RedirectAction,
  type RetryPlan,
  type RewriteIntent,
} from '../../../plan/route-actions.js';
import type { PlannedHttpRoute } from '../../../plan/routes.js';
import { toIstioDestination, toIstioRouteDestinations, type PortPolicy } from './destinations.js';
import type {
  IstioCorsPolicy,
  IstioHeaderOperations,
  IstioHeaders,
  IstioHttpFault,
  IstioHttpRedirect,
  IstioHttpRetry,
  IstioHttpRewrite,
  IstioHttpRoute,
} from './istio-types.js';
import { toIstioMatches } from './match.js';
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
  const action = planned.action;
  const match = toIstioMatches(entries);
  const out: IstioHttpRoute = { name: planned.name, ...(match ? { match } : {}) };
  if (action.kind === 'redirect') {
    out.redirect = toIstioRedirect(action);
  } else if (action.kind === 'direct-response') {
    out.directResponse = { status: action.status, ...(action.body !== undefined ? { body: { string: action.body } } : {}) };
  } else {
    out.route = toIstioRouteDestinations(action.destinations, context.ports, context.service);
    if (action.rewrite) {
      const rewrite = toIstioRewrite(action.rewrite, entries);
      if (rewrite) out.rewrite = rewrite;
    }
    if (action.timeoutMs !== undefined) out.timeout = toProtoDuration(action.timeoutMs);
    if (action.retries) out.retries = toIstioRetries(action.retries);
    if (action.fault) out.fault = toIstioFault(action.fault);
    if (action.mirror) {
      out.mirror = toIstioDestination(action.mirror.destination, context.ports, context.service);
      out.mirrorPercentage = { value: action.mirror.percent };
    }
  }
  if (planned.cors) out.corsPolicy = toIstioCors(planned.cors);
  if (planned.headers) out.headers = toIstioHeaders(planned.headers);
  return out;
}

function toIstioRedirect(redirect: RedirectAction): IstioHttpRedirect {
  return {
    ...(redirect.uri !== undefined ? { uri: redirect.uri } : {}),
    ...(redirect.authority !== undefined ? { authority: redirect.authority } : {}),
    ...(redirect.scheme !== undefined ? { scheme: redirect.scheme } : {}),
    ...(redirect.port !== undefined ? { port: redirect.port } : {}),
    redirectCode: redirect.status,
  };
}

/** A prefix rewrite is Istio's `rewrite.uri` (Envoy applies it as a prefix rewrite); a whole-path one is `uriRegexRewrite`. */
function toIstioRewrite(intent: RewriteIntent, entries: readonly MatchEntry[] | undefined): IstioHttpRewrite | undefined {
  const rewrite = resolveRewrite(intent, entries);
  if (!rewrite) return undefined;
  const out: IstioHttpRewrite = {};
  if (rewrite.path?.kind === 'prefix') out.uri = rewrite.path.value;
  else if (rewrite.path?.kind === 'regex') out.uriRegexRewrite = { match: rewrite.path.pattern, rewrite: rewrite.path.substitution };
  if (rewrite.authority !== undefined) out.authority = rewrite.authority;
  return out;
}

/**
 * `attempts: 0` switches retries off (without `retries` Istio applies its default of 2 attempts).
 * `on` becomes Envoy's comma-separated `retryOn`; status codes ("503") go in as written, which
 * Istio turns into retriable status codes. Without `on`, Istio's default conditions apply, which
 * are the format's documented default.
 */
function toIstioRetries(retries: RetryPlan): IstioHttpRetry {
  if (retries.attempts <= 0) return { attempts: 0 };
  return {
    attempts: retries.attempts,
    ...(retries.perTryTimeoutMs !== undefined ? { perTryTimeout: toProtoDuration(retries.perTryTimeoutMs) } : {}),
    ...(retries.on !== undefined && retries.on.length > 0 ? { retryOn: retries.on.join(',') } : {}),
  };
}

function toIstioFault(fault: FaultPlan): IstioHttpFault {
  const out: IstioHttpFault = {};
  if (fault.delay) out.delay = { fixedDelay: toProtoDuration(fault.delay.ms), percentage: { value: fault.delay.percent } };
  if (fault.abort) out.abort = { httpStatus: fault.abort.status, percentage: { value: fault.abort.percent } };
  return out;
}

/** Origins are StringMatches (a plain string is exact). */
function toIstioCors(cors: CorsPlan): IstioCorsPolicy {
  return {
    allowOrigins: cors.origins.map(toIstioStringMatch),
    ...(cors.allowMethods ? { allowMethods: [...cors.allowMethods] } : {}),
    ...(cors.allowHeaders ? { allowHeaders: [...cors.allowHeaders] } : {}),
    ...(cors.exposeHeaders ? { exposeHeaders: [...cors.exposeHeaders] } : {}),
    ...(cors.maxAgeMs !== undefined ? { maxAge: toProtoDuration(cors.maxAgeMs) } : {}),
    ...(cors.allowCredentials !== undefined ? { allowCredentials: cors.allowCredentials } : {}),
  };
}

function toIstioHeaders(headers: HeaderChanges): IstioHeaders {
  return {
    ...(headers.request ? { request: toHeaderOperations(headers.request) } : {}),
    ...(headers.response ? { response: toHeaderOperations(headers.response) } : {}),
  };
}

function toHeaderOperations(operations: HeaderOperations): IstioHeaderOperations {
  return {
    ...(operations.set ? { set: Object.fromEntries(operations.set) } : {}),
    ...(operations.add ? { add: Object.fromEntries(operations.add) } : {}),
    ...(operations.remove ? { remove: [...operations.remove] } : {}),
  };
}

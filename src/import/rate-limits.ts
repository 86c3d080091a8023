// The rate-limit EnvoyFilters meshctl writes, read back. Local limits: the filter's own token
// bucket is the service-wide limit; descriptors keyed `route` are a route's bucket, with
// `header_<h>`/`no_header_<h>` entries when it keeps one bucket per value of a header. Global
// limits: the filter names the rate-limit service (its cluster, domain, timeout, failure mode),
// the virtual host's actions say what each descriptor counts by, and the rate-limit service's
// ConfigMap holds the numbers. Any other EnvoyFilter is reported (IMP011), never guessed at.
import { parse } from 'yaml';
import type { ImportContext, ServiceDraft } from './model.js';
import type { InputObject } from './read-objects.js';
import { isRecord, meshDuration, sameJson } from './values.js';

const LOCAL_FILTER = 'envoy.filters.http.local_ratelimit';
const GLOBAL_FILTER = 'envoy.filters.http.ratelimit';

interface Bucket {
  requests: number;
  per: string;
  burst?: number;
}

function bucket(raw: unknown): Bucket | undefined {
  if (!isRecord(raw) || typeof raw.tokens_per_fill !== 'number' || typeof raw.max_tokens !== 'number') return undefined;
  const per = meshDuration(raw.fill_interval);
  if (!per) return undefined;
  return { requests: raw.tokens_per_fill, per, ...(raw.max_tokens !== raw.tokens_per_fill ? { burst: raw.max_tokens } : {}) };
}

function selectedService(context: ImportContext, object: InputObject): ServiceDraft | undefined {
  const selector = isRecord(object.spec.workloadSelector) && isRecord(object.spec.workloadSelector.labels) ? (object.spec.workloadSelector.labels as Record<string, string>) : undefined;
  return selector ? context.serviceWithSelector(selector, object.namespace) : undefined;
}

function filterPatch(object: InputObject): { name: string; config: Record<string, unknown>; patches: Record<string, unknown>[] } | undefined {
  const patches = Array.isArray(object.spec.configPatches) ? object.spec.configPatches.filter(isRecord) : [];
  const filter = patches.find((p) => p.applyTo === 'HTTP_FILTER');
  const value = isRecord(filter?.patch) && isRecord(filter.patch.value) ? filter.patch.value : undefined;
  if (!value || typeof value.name !== 'string' || !isRecord(value.typed_config)) return undefined;
  return { name: value.name, config: value.typed_config, patches };
}

export function importRateLimitFilters(context: ImportContext, objects: readonly InputObject[]): void {
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
  for (const object of objects.filter((o) => o.kind === 'EnvoyFilter')) {
    const refuse = (why: string) => context.report('rateLimitShape', { object: `${object.namespace}/${object.name}`, why }, object, ['spec']);
    const service = selectedService(context, object);
    if (!service) {
      refuse('its workload selector is no service\'s workload labels');
      continue;
    }
    const filter = filterPatch(object);
    if (!filter) {
      refuse('no HTTP filter patch');
      continue;
    }
    const rateLimit = (service.spec.rateLimit as Record<string, unknown> | undefined) ?? {};
    if (filter.name === LOCAL_FILTER && filter.config.stat_prefix === 'local_rate_limit') {
      if (!importLocal(service, filter.config, rateLimit)) {
        refuse('its buckets are not the service-wide, per-header or per-route buckets meshctl writes');
        continue;
      }
    } else if (filter.name === GLOBAL_FILTER) {
      const why = importGlobal(context, service, filter.config, filter.patches, configMaps, rateLimit);
      if (why) {
        refuse(why);
        continue;
      }
    } else {
      refuse(`it patches ${filter.name}`);
      continue;
    }
    service.spec.rateLimit = { ...(rateLimit.local ? { local: rateLimit.local } : {}), ...(rateLimit.global ? { global: rateLimit.global } : {}) };
  }
  // The ConfigMap of a rate-limit service that no limit uses yet still says which service it is.
  for (const configMap of configMaps) {
    const text = isRecord(configMap.raw.data) ? configMap.raw.data['config.yaml'] : undefined;
    // Other ConfigMaps (kube-root-ca.crt in every namespace, applications' settings) carry nothing a mesh file says.
    if (typeof text !== 'string' || !configMap.name.endsWith('-ratelimit-config')) continue;
    const config = parse(text) as { domain?: unknown };
    if (context.mesh.rateLimitService || typeof config.domain !== 'string') continue;
    const candidates = [...context.services.values()].filter((s) => s.namespace === configMap.namespace && s.spec.ports.some((p) => p.protocol === 'grpc'));
    if (candidates.length !== 1) {
      context.report('unsupportedField', { field: 'the rate-limit service', feature: 'rate limits', why: ': no single gRPC service in the namespace is the one it configures' }, configMap, ['data']);
      continue;
    }
    context.mesh.rateLimitService = { service: `${candidates[0]!.namespace}/${candidates[0]!.name}`, port: candidates[0]!.spec.ports.find((p) => p.protocol === 'grpc')!.port, domain: config.domain };
  }
}

function importLocal(service: ServiceDraft, config: Record<string, unknown>, rateLimit: Record<string, unknown>): boolean {
  const shared = config.token_bucket !== undefined ? bucket(config.token_bucket) : undefined;
  if (config.token_bucket !== undefined && !shared) return false;
  const descriptors = Array.isArray(config.descriptors) ? config.descriptors.filter(isRecord) : [];
  const perRoute = new Map<string, { bucket: Bucket; header?: string }>();
  let serviceWide: { bucket: Bucket; header?: string } | undefined;
  for (const descriptor of descriptors) {
    const entries = (Array.isArray(descriptor.entries) ? descriptor.entries.filter(isRecord) : []).map((e) => [String(e.key), String(e.value)] as const);
    const limit = bucket(descriptor.token_bucket);
    if (!limit) return false;
    const route = entries.find(([key]) => key === 'route')?.[1];
    const header = entries.map(([key, value]) => (value === '' ? /^header_(.+)$/.exec(key)?.[1] : undefined)).find((h) => h !== undefined);
    if (entries.some(([key]) => !['route', 'not_route'].includes(key) && !/^(no_)?header_/.test(key))) return false;
    if (route !== undefined) {
      const earlier = perRoute.get(route);
      if (earlier && !sameJson(earlier.bucket, limit)) return false;
      perRoute.set(route, { bucket: limit, ...(header ?? earlier?.header ? { header: header ?? earlier?.header } : {}) });
    } else {
      if (serviceWide && !sameJson(serviceWide.bucket, limit)) return false;
      serviceWide = { bucket: limit, ...(header ?? serviceWide?.header ? { header: header ?? serviceWide?.header } : {}) };
    }
  }
  if (shared && serviceWide) return false;
  const local = shared ?? (serviceWide ? { ...serviceWide.bucket, ...(serviceWide.header ? { perHeader: serviceWide.header } : {}) } : undefined);
  if (local) rateLimit.local = local;
  const routes = (service.spec.routes as Record<string, unknown>[] | undefined) ?? [];
  for (const [name, limit] of perRoute) {
    const index = routes.findIndex((route, i) => (route.name ?? `route-${i}`) === name);
    if (index === -1) return false;
    routes[index] = { ...routes[index], rateLimit: { ...limit.bucket, ...(limit.header ? { perHeader: limit.header } : {}) } };
  }
  return true;
}

function importGlobal(context: ImportContext, service: ServiceDraft, config: Record<string, unknown>, patches: Record<string, unknown>[], configMaps: readonly InputObject[], rateLimit: Record<string, unknown>): string | undefined {
  const grpc = isRecord(config.rate_limit_service) && isRecord(config.rate_limit_service.grpc_service) && isRecord(config.rate_limit_service.grpc_service.envoy_grpc) ? config.rate_limit_service.grpc_service.envoy_grpc : undefined;
  const cluster = /^outbound\|(\d+)\|\|([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(String(grpc?.cluster_name ?? ''));
  if (!cluster || typeof config.domain !== 'string') return 'it names no rate-limit service cluster of the form outbound|<port>||<service host>';
  const settings = { service: `${cluster[3]}/${cluster[2]}`, port: Number(cluster[1]), domain: config.domain, failOpen: config.failure_mode_deny !== true, timeout: meshDuration(config.timeout) ?? '20ms' };
  if (context.mesh.rateLimitService && !sameJson(context.mesh.rateLimitService, settings)) return 'it names another rate-limit service than an earlier filter';
  context.mesh.rateLimitService = settings;
  const serviceValue = `${service.name}.${service.namespace}`;
  const configMap = configMaps.find((c) => c.namespace === cluster[3] && isRecord(c.raw.data) && typeof c.raw.data['config.yaml'] === 'string');
  const tree = configMap ? (parse(String((configMap.raw.data as Record<string, unknown>)['config.yaml'])) as { descriptors?: { key: string; value?: string; descriptors?: { key: string; value?: string; rate_limit?: { unit: string; requests_per_unit: number } }[] }[] }) : undefined;
  const limits = tree?.descriptors?.find((d) => d.key === 'service' && d.value === serviceValue)?.descriptors;
  if (!limits) return 'the rate-limit service\'s ConfigMap, which holds the limits, is not in the input';
  const actionsPatch = patches.find((p) => p.applyTo === 'VIRTUAL_HOST');
  const rateLimits = isRecord(actionsPatch?.patch) && isRecord(actionsPatch.patch.value) && Array.isArray(actionsPatch.patch.value.rate_limits) ? actionsPatch.patch.value.rate_limits.filter(isRecord) : [];
  const descriptors: Record<string, unknown>[] = [];
  for (const [index, entry] of rateLimits.entries()) {
    const actions = Array.isArray(entry.actions) ? entry.actions.filter(isRecord) : [];
    const [first, second] = actions;
    if (actions.length !== 2 || !sameJson(first, { generic_key: { descriptor_key: 'service', descriptor_value: serviceValue } }) || !second) return 'its actions are not the service entry and one key';
    let key: Record<string, unknown>;
    let configKey: { key: string; value?: string };
    if (isRecord(second.request_headers) && second.request_headers.header_name === ':path') [key, configKey] = [{ path: true }, { key: 'path' }];
    else if (isRecord(second.request_headers)) [key, configKey] = [{ header: String(second.request_headers.header_name) }, { key: String(second.request_headers.descriptor_key) }];
    else if (isRecord(second.remote_address)) [key, configKey] = [{ remoteAddress: true }, { key: 'remote_address' }];
    else if (isRecord(second.generic_key) && second.generic_key.descriptor_key === 'generic_key') [key, configKey] = [{ value: String(second.generic_key.descriptor_value) }, { key: 'generic_key', value: String(second.generic_key.descriptor_value) }];
    else return 'an action meshctl does not write';
    const limit = limits[index];
    if (!limit || limit.key !== configKey.key || limit.value !== configKey.value || !limit.rate_limit) return 'its actions and the ConfigMap\'s limits disagree';
    descriptors.push({ key, requests: limit.rate_limit.requests_per_unit, per: limit.rate_limit.unit });
  }
  if (descriptors.length === 0) return 'it has no descriptors';
  rateLimit.global = { descriptors };
  return undefined;
}

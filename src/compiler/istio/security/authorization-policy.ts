// AuthorizationPolicy: who may call a service. Istio evaluates DENY policies first (a match is
// refused whatever any ALLOW says), then, if any ALLOW policy applies to the workload, admits only
// requests that one of them matches. ALLOW policies add up across the root namespace, the
// namespace and the workload. So:
// - `access.deny` (and a required JWT) -> `<service>-deny`, action DENY;
// - `access.allow` -> `<service>-allow`, action ALLOW. A present but empty list means "allow
//   nothing", as the format reads (once a service lists allow rules, requests matching none of
//   them are refused): an ALLOW policy without rules, which Istio matches never;
// - deny-by-default -> `allow-nothing`, an ALLOW policy with an empty spec, in the root namespace
//   (the whole mesh) or in the namespace; and `<gateway>-allow` for each gateway it covers, which
//   lets requests from outside reach the gateway (the services' own policies then judge them);
// - a namespace that is allow-by-default inside a deny-by-default mesh: the root `allow-nothing`
//   still applies to its workloads, so each of its services without allow rules gets an ALLOW
//   policy with one empty rule (which matches every request). A namespace-wide one would also
//   admit everything to the services that do list their callers, since ALLOW policies add up.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, ROOT_NAMESPACE } from '../compiled-names.js';
import { effectiveAccessDefault } from '../../../model/effective-policy.js';
import type { GatewayNode, MeshModel, MeshNode, ServiceNode } from '../../../model/mesh-model.js';
import { API, objectMeta } from '../common.js';
import { requireTokenRule, toIstioRule, type IstioRule } from './access-rule.js';
import { policySelector } from './workload.js';
import { sortedRecord } from '../../../common/sorted-record.js';

export function compileAuthorizationPolicies(model: MeshModel): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  const mesh = model.mesh;
  if (mesh) {
    if (model.settings.access === 'deny-by-default') objects.push(allowNothing(mesh, ROOT_NAMESPACE));
    for (const namespace of Object.keys(model.settings.namespaces ?? {}).sort(compareStrings)) {
      if (model.settings.namespaces?.[namespace]?.access === 'deny-by-default') objects.push(allowNothing(mesh, namespace));
    }
  }
  for (const gateway of model.gateways) {
    if (effectiveAccessDefault(model, gateway.namespace).value === 'deny-by-default') objects.push(gatewayAllowPolicy(gateway));
  }
  for (const service of model.services) {
    const allow = allowPolicy(model, service);
    if (allow) objects.push(allow);
    const deny = denyPolicy(model, service);
    if (deny) objects.push(deny);
  }
  return objects;
}

/**
 * Lets every request reach the gateway's proxy. An allow-nothing policy in the root namespace or
 * the gateway's namespace applies to the gateway's pods as to any workload, and would refuse every
 * request from outside before routing. The gateway serves only the hosts and paths the mesh exposes
 * (anything else finds no route); who may reach each service is decided by the service's own
 * policy, which names the gateway by its service account (docs/istio.md).
 */
function gatewayAllowPolicy(gateway: GatewayNode): KubernetesObject {
  return {
    apiVersion: API.security,
    kind: 'AuthorizationPolicy',
    metadata: objectMeta(gateway, compiledName.gatewayAllowPolicy(gateway.name), gateway.namespace),
    // One empty rule matches every request.
    spec: { selector: { matchLabels: sortedRecord(gateway.resource.spec.selector) }, action: 'ALLOW', rules: [{}] },
  };
}

/** Istio's allow-nothing: an ALLOW policy (the default action) without rules matches nothing. */
function allowNothing(mesh: MeshNode, namespace: string): KubernetesObject {
  return { apiVersion: API.security, kind: 'AuthorizationPolicy', metadata: objectMeta(mesh, compiledName.denyByDefaultPolicy(), namespace), spec: {} };
}

/** True when the service's namespace is allow-by-default but the mesh-wide allow-nothing covers it. */
function reopensForNamespace(model: MeshModel, service: ServiceNode): boolean {
  return (
    model.mesh !== undefined &&
    service.resource.spec.access?.allow === undefined &&
    model.settings.access === 'deny-by-default' &&
    model.settings.namespaces?.[service.namespace]?.access === 'allow-by-default'
  );
}

function allowPolicy(model: MeshModel, service: ServiceNode): KubernetesObject | undefined {
  const allow = service.resource.spec.access?.allow;
  let rules: IstioRule[];
  if (allow) rules = allow.flatMap((rule) => toIstioRule(model, service, rule, 'allow') ?? []);
  else if (reopensForNamespace(model, service)) rules = [{}];
  else return undefined;
  return policy(service, compiledName.allowPolicy(service.name), 'ALLOW', rules);
}

function denyPolicy(model: MeshModel, service: ServiceNode): KubernetesObject | undefined {
  const spec = service.resource.spec;
  const deny = spec.access?.deny ?? [];
  const tokenRequired = spec.authentication?.jwt?.required === true;
  if (deny.length === 0 && !tokenRequired) return undefined;
  const rules = deny.flatMap((rule) => toIstioRule(model, service, rule, 'deny') ?? []);
  if (tokenRequired) {
    const rule = requireTokenRule(service);
    if (rule) rules.push(rule);
  }
  return policy(service, compiledName.denyPolicy(service.name), 'DENY', rules);
}

function policy(service: ServiceNode, name: string, action: 'ALLOW' | 'DENY', rules: IstioRule[]): KubernetesObject {
  return {
    apiVersion: API.security,
    kind: 'AuthorizationPolicy',
    metadata: objectMeta(service, name, service.namespace),
    // No `rules` key rather than an empty list: Istio reads both as "matches nothing".
    spec: { selector: policySelector(service), action, ...(rules.length > 0 ? { rules } : {}) },
  };
}

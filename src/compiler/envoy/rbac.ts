// A service's access rules as Envoy RBAC policies, one listener (one service port) at a time.
// The plan decides what each rule means (src/plan/access.ts: which callers it names, how services
// and service accounts become SPIFFE identities, and when a rule can match nobody); the policies
// are written as Istio translates an AuthorizationPolicy into Envoy RBAC, so both targets enforce
// alike: identities from the peer certificate's URI SAN, namespaces as a SPIFFE regex, ipBlocks as
// the direct peer address, paths on the URL path, methods on `:method`, JWT claims from the
// jwt_authn filter's metadata.
//
// Ports are decided here rather than in Envoy: a listener serves one port, so a rule that names
// other ports never matches on it and is left out, and one that names this port needs no port
// condition (Envoy's destination_port would be the proxy's inbound port, not the workload's).
// On TCP ports there is no path, method or token: such rules are left out, as Istio does.
import type { AccessRuleSpec } from '../../schema/policy.js';
import type { MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { accessDecision, type AccessDecision } from '../../plan/access.js';
import { re2Escape } from '../../model/conditions.js';
import { JWT_FILTER, type Json } from './types.js';

export const JWT_PAYLOAD_METADATA_KEY = 'jwt_payload';

export interface PortView {
  /** The workload port (targetPort ?? port), as access decisions name ports. */
  readonly workloadPort: number;
  readonly http: boolean;
}

/** The RBAC policies of one action for one listener, in rule order: `<action>-<index>`. */
export function rbacPolicies(model: MeshModel, service: ServiceNode, rules: readonly AccessRuleSpec[], action: 'allow' | 'deny', port: PortView): Record<string, Json> {
  const policies: Record<string, Json> = {};
  rules.forEach((rule, index) => {
    const decision = accessDecision(model, service, rule);
    if (!decision) return;
    const policy = toEnvoyPolicy(decision, port);
    if (policy) policies[`${action}-${index}`] = policy;
  });
  return policies;
}

function toEnvoyPolicy(decision: AccessDecision, port: PortView): Json | undefined {
  const operation = decision.requests;
  if (operation?.ports && !operation.ports.includes(port.workloadPort)) return undefined;
  const httpOnly = operation?.paths !== undefined || operation?.methods !== undefined || decision.claims !== undefined;
  if (httpOnly && !port.http) return undefined;

  const permissions: Json[] = [];
  if (operation?.paths) permissions.push(anyOf('or_rules', operation.paths.map((path) => (path === '*' ? { any: true } : { url_path: { path: patternMatcher(path) } }))));
  if (operation?.methods) permissions.push(anyOf('or_rules', operation.methods.map((method) => ({ header: { name: ':method', string_match: { exact: method } } }))));
  for (const { claim, values } of decision.claims ?? []) permissions.push(anyOf('or_rules', values.flatMap((value) => claimMatchers(claim, value))));

  const source = decision.callers;
  const principals: Json[] = [];
  if (source?.identities) principals.push(anyOf('or_ids', source.identities.map(principalMatcher)));
  if (source?.namespaces) principals.push(anyOf('or_ids', source.namespaces.map(namespaceMatcher)));
  if (source?.ipBlocks) principals.push(anyOf('or_ids', source.ipBlocks.map((block) => ({ direct_remote_ip: cidr(block) }))));

  return {
    permissions: [permissions.length === 0 ? { any: true } : permissions.length === 1 ? permissions[0]! : { and_rules: { rules: permissions } }],
    principals: [principals.length === 0 ? { any: true } : principals.length === 1 ? principals[0]! : { and_ids: { ids: principals } }],
  };
}

function anyOf(kind: 'or_rules' | 'or_ids', items: Json[]): Json {
  if (items.length === 1) return items[0]!;
  return kind === 'or_rules' ? { or_rules: { rules: items } } : { or_ids: { ids: items } };
}

/** An access pattern: exact, "prefix*", "*suffix", or "*". */
function patternMatcher(pattern: string, prefix = ''): Json {
  if (pattern === '*') return { safe_regex: { regex: '.+' } };
  if (pattern.endsWith('*')) return { prefix: prefix + pattern.slice(0, -1) };
  if (pattern.startsWith('*')) return prefix ? { safe_regex: { regex: `${re2Escape(prefix)}.*${re2Escape(pattern.slice(1))}` } } : { suffix: pattern.slice(1) };
  return { exact: prefix + pattern };
}

/** An identity (without the scheme) against the peer certificate's URI SAN. */
function principalMatcher(principal: string): Json {
  return { authenticated: { principal_name: patternMatcher(principal, 'spiffe://') } };
}

/** Any identity in the namespace: spiffe://<trust domain>/ns/<namespace>/sa/<account>. */
function namespaceMatcher(namespace: string): Json {
  const part = namespace === '*' ? '[^/]+' : namespace.endsWith('*') ? `${re2Escape(namespace.slice(0, -1))}[^/]*` : namespace.startsWith('*') ? `[^/]*${re2Escape(namespace.slice(1))}` : re2Escape(namespace);
  return { authenticated: { principal_name: { safe_regex: { regex: `spiffe://[^/]+/ns/${part}/sa/[^/]+` } } } };
}

function cidr(block: string): Json {
  const [address, length] = block.split('/');
  const prefixLength = length !== undefined ? Number(length) : address!.includes(':') ? 128 : 32;
  return { address_prefix: address, prefix_len: prefixLength };
}

/** A claim holds the value, or (a list claim such as groups) contains it. */
function claimMatchers(claim: string, value: string): Json[] {
  const path = [{ key: JWT_PAYLOAD_METADATA_KEY }, { key: claim }];
  const matcher = value === '*' ? { safe_regex: { regex: '.+' } } : { exact: value };
  return [
    { metadata: { filter: JWT_FILTER, path, value: { string_match: matcher } } },
    { metadata: { filter: JWT_FILTER, path, value: { list_match: { one_of: { string_match: matcher } } } } },
  ];
}

// One mesh access rule -> one AuthorizationPolicy rule. The mesh format and Istio agree on the
// shape (the fields of a rule must all hold, the values of one field are alternatives, an empty
// list is no condition), so most fields map one to one. Where they differ:
// - services, serviceAccounts and principals are three conditions in the mesh file but all
//   become Istio `principals`, one list whose values are alternatives: when a rule sets more than
//   one of them, the principals are their intersection, so the conditions still all hold.
// - access rules name the Service's ports; Envoy's inbound listener sees the workload's port.
// - on TCP ports Istio drops HTTP-only conditions (paths, methods, claims, request principals)
//   from DENY rules, which widens them to every connection: a deny of `/admin` on a service with
//   a TCP port would cut the TCP port off. Such rules always name the service's HTTP ports, where
//   their conditions can hold: also on a service without TCP ports, since Istio cannot know that
//   and warns about every DENY rule of HTTP-only conditions without ports (IST0133). (ALLOW rules
//   need nothing: Istio drops the whole rule, which is what the mesh rule means on TCP, where no
//   request has a path.)
import { compareStrings } from '../../../diagnostics/types.js';
import type { AccessRuleSpec, SourceSpec } from '../../../schema/policy.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { httpWorkloadPorts, istioPrincipal, serviceAccountsOf, workloadPort } from './workload.js';

export interface IstioSource {
  principals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  ipBlocks?: string[];
}

export interface IstioOperation {
  paths?: string[];
  methods?: string[];
  ports?: string[];
}

export interface IstioCondition {
  key: string;
  values: string[];
}

export interface IstioRule {
  from?: { source: IstioSource }[];
  to?: { operation: IstioOperation }[];
  when?: IstioCondition[];
}

export type RuleAction = 'allow' | 'deny';

const SPIFFE_SCHEME = 'spiffe://';

/**
 * The Istio rule for a mesh access rule of `service`, or undefined when the rule can match no
 * request at all (e.g. `services` and `principals` that no caller satisfies together): an
 * omitted ALLOW rule admits nobody and an omitted DENY rule refuses nobody, as meant.
 */
export function toIstioRule(model: MeshModel, service: ServiceNode, rule: AccessRuleSpec, action: RuleAction): IstioRule | undefined {
  const source = toIstioSource(model, service, rule.from);
  if (source === 'nobody') return undefined;
  const istioRule: IstioRule = {};
  if (source) istioRule.from = [{ source }];
  const operation = toIstioOperation(service, rule);
  if (operation) istioRule.to = [{ operation }];
  const when = toIstioConditions(rule);
  if (when.length > 0) istioRule.when = when;
  return action === 'deny' ? limitToHttpPorts(service, istioRule) : istioRule;
}

/**
 * The DENY rule that makes a JWT mandatory, Istio's documented pattern: deny every request that
 * has no request principal (no valid token). Limited to the HTTP ports, since a TCP connection
 * can carry no token and Istio would otherwise deny all of it.
 */
export function requireTokenRule(service: ServiceNode): IstioRule | undefined {
  return limitToHttpPorts(service, { from: [{ source: { notRequestPrincipals: ['*'] } }] });
}

function nonEmpty<T>(values: readonly T[] | undefined): readonly T[] | undefined {
  return values && values.length > 0 ? values : undefined;
}

function unique(values: Iterable<string>): string[] {
  return [...new Set(values)];
}

/** The `source` of the rule; undefined when it admits every caller, 'nobody' when none. */
function toIstioSource(model: MeshModel, service: ServiceNode, from: SourceSpec | undefined): IstioSource | 'nobody' | undefined {
  if (!from) return undefined;
  const trustDomain = model.settings.trustDomain;
  // Each present identity field is one condition; each is a list of principal patterns.
  const identityConditions: string[][] = [];
  const services = nonEmpty(from.services);
  if (services) {
    identityConditions.push(
      unique(
        services.flatMap((ref) => {
          const caller = model.findService(ref, service.namespace);
          return caller ? serviceAccountsOf(caller).map((account) => istioPrincipal(trustDomain, caller.namespace, account)) : [];
        }),
      ),
    );
  }
  const accounts = nonEmpty(from.serviceAccounts);
  if (accounts) {
    identityConditions.push(
      unique(
        accounts.map((account) => {
          const slash = account.indexOf('/');
          return slash === -1 ? istioPrincipal(trustDomain, service.namespace, account) : istioPrincipal(trustDomain, account.slice(0, slash), account.slice(slash + 1));
        }),
      ),
    );
  }
  const principals = nonEmpty(from.principals);
  if (principals) {
    // Istio matches principals without the scheme: "cluster.local/ns/shop/sa/web".
    identityConditions.push(unique(principals.map((principal) => (principal.startsWith(SPIFFE_SCHEME) ? principal.slice(SPIFFE_SCHEME.length) : principal))));
  }

  const source: IstioSource = {};
  if (identityConditions.length > 0) {
    const matching = intersectPrincipals(identityConditions);
    if (matching.length === 0) return 'nobody';
    source.principals = matching;
  }
  const namespaces = nonEmpty(from.namespaces);
  if (namespaces) source.namespaces = unique(namespaces);
  const ipBlocks = nonEmpty(from.ipBlocks);
  if (ipBlocks) source.ipBlocks = unique(ipBlocks);
  // `anyone: true` adds no condition: it is the absence of one.
  return Object.keys(source).length > 0 ? source : undefined;
}

/**
 * The principals every condition admits. Only `principals` may hold wildcards, and it comes last,
 * so the first condition is a list of exact identities whenever there is more than one.
 */
function intersectPrincipals(conditions: readonly string[][]): string[] {
  const [first, ...others] = conditions;
  if (!first) return [];
  return first.filter((principal) => others.every((patterns) => patterns.some((pattern) => istioPatternMatches(pattern, principal))));
}

/** Istio string matching: exact, "prefix*", "*suffix", or "*" for any non-empty value. */
function istioPatternMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return value.length > 0;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function toIstioOperation(service: ServiceNode, rule: AccessRuleSpec): IstioOperation | undefined {
  const to = rule.to;
  if (!to) return undefined;
  const operation: IstioOperation = {};
  const paths = nonEmpty(to.paths);
  if (paths) operation.paths = unique(paths);
  const methods = nonEmpty(to.methods);
  if (methods) operation.methods = unique(methods);
  const ports = nonEmpty(to.ports);
  if (ports) operation.ports = unique(ports.map((port) => String(workloadPort(service, port))));
  return Object.keys(operation).length > 0 ? operation : undefined;
}

/** JWT claims, sorted by name: `request.auth.claims[<claim>]` holds one of the values. */
function toIstioConditions(rule: AccessRuleSpec): IstioCondition[] {
  const claims = rule.when?.claims ?? {};
  return Object.keys(claims)
    .sort(compareStrings)
    .map((claim) => {
      const values = claims[claim]!;
      return { key: `request.auth.claims[${claim}]`, values: typeof values === 'string' ? [values] : unique(values) };
    });
}

function usesHttpAttributes(rule: IstioRule): boolean {
  const operation = rule.to?.[0]?.operation;
  const source = rule.from?.[0]?.source;
  return operation?.paths !== undefined || operation?.methods !== undefined || rule.when !== undefined || source?.notRequestPrincipals !== undefined;
}

/**
 * A DENY rule with HTTP conditions, limited to the service's HTTP ports; undefined when none of
 * the ports it names is an HTTP port (it can never match).
 */
function limitToHttpPorts(service: ServiceNode, rule: IstioRule): IstioRule | undefined {
  if (!usesHttpAttributes(rule)) return rule;
  const httpPorts = httpWorkloadPorts(service).map(String);
  const operation = rule.to?.[0]?.operation ?? {};
  const ports = operation.ports ? operation.ports.filter((port) => httpPorts.includes(port)) : httpPorts;
  if (ports.length === 0) return undefined;
  return { ...rule, to: [{ operation: { ...operation, ports } }] };
}

// One access decision of the plan (src/plan/access.ts) -> one AuthorizationPolicy rule: caller
// identities are Istio `principals` (Istio's form of a SPIFFE ID, without the scheme), workload
// ports are `ports`, claims are `request.auth.claims[<claim>]` conditions. Istio's own twist:
// - on TCP ports Istio drops HTTP-only conditions (paths, methods, claims, request principals)
//   from DENY rules, which widens them to every connection: a deny of `/admin` on a service with
//   a TCP port would cut the TCP port off. Such rules always name the service's HTTP ports, where
//   their conditions can hold: also on a service without TCP ports, since Istio cannot know that
//   and warns about every DENY rule of HTTP-only conditions without ports (IST0133). (ALLOW rules
//   need nothing: Istio drops the whole rule, which is what the mesh rule means on TCP, where no
//   request has a path.)
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { accessDecision } from '../../../plan/access.js';
import type { AccessRuleSpec } from '../../../schema/policy.js';
import { httpWorkloadPorts } from './workload.js';

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

/**
 * The Istio rule for a mesh access rule of `service`, or undefined when the rule can match no
 * request at all: an omitted ALLOW rule admits nobody and an omitted DENY rule refuses nobody.
 */
export function toIstioRule(model: MeshModel, service: ServiceNode, rule: AccessRuleSpec, action: RuleAction): IstioRule | undefined {
  const decision = accessDecision(model, service, rule);
  if (!decision) return undefined;
  const istioRule: IstioRule = {};
  const callers = decision.callers;
  if (callers) {
    const source: IstioSource = {
      ...(callers.identities ? { principals: [...callers.identities] } : {}),
      ...(callers.namespaces ? { namespaces: [...callers.namespaces] } : {}),
      ...(callers.ipBlocks ? { ipBlocks: [...callers.ipBlocks] } : {}),
    };
    istioRule.from = [{ source }];
  }
  const requests = decision.requests;
  if (requests) {
    const operation: IstioOperation = {
      ...(requests.paths ? { paths: [...requests.paths] } : {}),
      ...(requests.methods ? { methods: [...requests.methods] } : {}),
      ...(requests.ports ? { ports: requests.ports.map(String) } : {}),
    };
    istioRule.to = [{ operation }];
  }
  if (decision.claims) istioRule.when = decision.claims.map(({ claim, values }) => ({ key: `request.auth.claims[${claim}]`, values: [...values] }));
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

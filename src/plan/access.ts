// One mesh access rule as a target-neutral decision: which callers it names (as SPIFFE identities,
// namespaces and address blocks), which requests (paths, methods, workload ports) and which JWT
// claims. The mesh format's rule and the decision agree on the shape (the fields of a rule must all
// hold, the values of one field are alternatives, an empty list is no condition). Where they differ:
// - services, serviceAccounts and principals are three conditions in the mesh file but all name
//   caller identities: when a rule sets more than one of them, the identities are their
//   intersection, so the conditions still all hold; a rule no identity satisfies matches nobody.
// - access rules name the Service's ports; a proxy's inbound side sees the workload's port.
import { compareStrings } from '../diagnostics/types.js';
import type { MeshModel, ServiceNode } from '../model/mesh-model.js';
import { serviceAccountsOf } from '../model/workload-identity.js';
import type { AccessRuleSpec, SourceSpec } from '../schema/policy.js';

export interface AccessDecision {
  /** Undefined: any caller. */
  readonly callers?: CallerIdentities;
  /** Undefined: any request. */
  readonly requests?: RequestSelection;
  /** JWT claims, by claim name: each holds (or, a list claim, contains) one of the values. */
  readonly claims?: readonly { readonly claim: string; readonly values: readonly string[] }[];
}

/** Who calls, each field a condition of alternatives; at least one field is set. */
export interface CallerIdentities {
  /**
   * SPIFFE identities without the `spiffe://` scheme (`<trust domain>/ns/<namespace>/sa/<account>`);
   * a pattern may end in `*` (prefix), start with it (suffix), or be `*` (any identity).
   */
  readonly identities?: readonly string[];
  /** Namespaces of the caller's identity; `*` patterns as for identities. */
  readonly namespaces?: readonly string[];
  /** CIDR blocks of the direct peer's address. */
  readonly ipBlocks?: readonly string[];
}

/** Which requests, each field a condition of alternatives; at least one field is set. */
export interface RequestSelection {
  /** `*` patterns as for identities. */
  readonly paths?: readonly string[];
  readonly methods?: readonly string[];
  /** Workload ports (a port's targetPort, else the port): the port the inbound proxy sees. */
  readonly ports?: readonly number[];
}

const SPIFFE_SCHEME = 'spiffe://';

/** A SPIFFE identity in the decision's form: without the scheme. */
export function identityOf(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The decision of a mesh access rule of `service`, or undefined when the rule can match no request
 * at all (e.g. `services` and `principals` that no caller satisfies together): an omitted allow
 * rule admits nobody and an omitted deny rule refuses nobody, as meant.
 */
export function accessDecision(model: MeshModel, service: ServiceNode, rule: AccessRuleSpec): AccessDecision | undefined {
  const callers = callerIdentities(model, service, rule.from);
  if (callers === 'nobody') return undefined;
  const requests = requestSelection(service, rule);
  const claims = claimConditions(rule);
  return { ...(callers ? { callers } : {}), ...(requests ? { requests } : {}), ...(claims.length > 0 ? { claims } : {}) };
}

/** The port a request reaches the workload's proxy on: the port's targetPort, else the port (a number not of the service is kept). */
export function workloadPortOf(service: ServiceNode, port: number): number {
  const declared = service.resource.spec.ports.find((candidate) => candidate.port === port);
  return declared?.targetPort ?? port;
}

function nonEmpty<T>(values: readonly T[] | undefined): readonly T[] | undefined {
  return values && values.length > 0 ? values : undefined;
}

function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** The callers of the rule; undefined when it admits every caller, 'nobody' when none. */
function callerIdentities(model: MeshModel, service: ServiceNode, from: SourceSpec | undefined): CallerIdentities | 'nobody' | undefined {
  if (!from) return undefined;
  const trustDomain = model.settings.trustDomain;
  // Each present identity field is one condition; each is a list of identity patterns.
  const identityConditions: string[][] = [];
  const services = nonEmpty(from.services);
  if (services) {
    identityConditions.push(
      unique(
        services.flatMap((ref) => {
          const caller = model.findService(ref, service.namespace);
          return caller ? serviceAccountsOf(caller).map((account) => identityOf(trustDomain, caller.namespace, account)) : [];
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
          return slash === -1 ? identityOf(trustDomain, service.namespace, account) : identityOf(trustDomain, account.slice(0, slash), account.slice(slash + 1));
        }),
      ),
    );
  }
  const principals = nonEmpty(from.principals);
  if (principals) {
    identityConditions.push(unique(principals.map((principal) => (principal.startsWith(SPIFFE_SCHEME) ? principal.slice(SPIFFE_SCHEME.length) : principal))));
  }

  let identities: string[] | undefined;
  if (identityConditions.length > 0) {
    identities = intersectIdentities(identityConditions);
    if (identities.length === 0) return 'nobody';
  }
  const namespaces = nonEmpty(from.namespaces);
  const ipBlocks = nonEmpty(from.ipBlocks);
  // `anyone: true` adds no condition: it is the absence of one.
  if (!identities && !namespaces && !ipBlocks) return undefined;
  return {
    ...(identities ? { identities } : {}),
    ...(namespaces ? { namespaces: unique(namespaces) } : {}),
    ...(ipBlocks ? { ipBlocks: unique(ipBlocks) } : {}),
  };
}

/**
 * The identities every condition admits. Only `principals` may hold wildcards, and it comes last,
 * so the first condition is a list of exact identities whenever there is more than one.
 */
function intersectIdentities(conditions: readonly string[][]): string[] {
  const [first, ...others] = conditions;
  if (!first) return [];
  return first.filter((identity) => others.every((patterns) => patterns.some((pattern) => patternMatches(pattern, identity))));
}

/** Exact, "prefix*", "*suffix", or "*" for any non-empty value. */
function patternMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return value.length > 0;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

function requestSelection(service: ServiceNode, rule: AccessRuleSpec): RequestSelection | undefined {
  const to = rule.to;
  if (!to) return undefined;
  const paths = nonEmpty(to.paths);
  const methods = nonEmpty(to.methods);
  const ports = nonEmpty(to.ports);
  if (!paths && !methods && !ports) return undefined;
  return {
    ...(paths ? { paths: unique(paths) } : {}),
    ...(methods ? { methods: unique(methods) } : {}),
    ...(ports ? { ports: unique(ports.map((port) => workloadPortOf(service, port))) } : {}),
  };
}

/** JWT claims, sorted by name. */
function claimConditions(rule: AccessRuleSpec): { claim: string; values: string[] }[] {
  const claims = rule.when?.claims ?? {};
  return Object.keys(claims)
    .sort(compareStrings)
    .map((claim) => {
      const values = claims[claim]!;
      return { claim, values: typeof values === 'string' ? [values] : unique(values) };
    });
}

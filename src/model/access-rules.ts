// A service's access rules as the authorization layer sees them: which callers and requests a
// rule matches, and whether one rule matches every request another one does. Istio semantics:
// the fields of a rule must all hold, the values of one field are alternatives, an empty list
// is no condition, and string values may carry one "*" as a whole prefix or suffix wildcard.
import type { PathSegment } from '../diagnostics/types.js';
import type { AccessRuleSpec, SourceSpec } from '../schema/policy.js';
import { memoizeByObject } from './memoize.js';
import { qualify, type ServiceNode } from './mesh-model.js';

export type AccessAction = 'allow' | 'deny';

export interface AccessRuleEntry {
  readonly action: AccessAction;
  readonly index: number;
  readonly rule: AccessRuleSpec;
  /** Path of the rule inside its document: ['spec', 'access', action, index]. */
  readonly path: readonly PathSegment[];
}

/**
 * The service's allow rules, then its deny rules, each in file order. A dozen access rules walk
 * every service's entries: listed once per service. Shared: callers must treat the list as read-only.
 */
export const accessRules: (service: ServiceNode) => readonly AccessRuleEntry[] = memoizeByObject(accessRulesUncached);

function accessRulesUncached(service: ServiceNode): AccessRuleEntry[] {
  const access = service.resource.spec.access;
  const entries: AccessRuleEntry[] = [];
  for (const action of ['allow', 'deny'] as const) {
    (access?.[action] ?? []).forEach((rule, index) => entries.push({ action, index, rule, path: ['spec', 'access', action, index] }));
  }
  return entries;
}

/** Source fields that name callers by their mTLS identity. */
export const IDENTITY_FIELDS = ['services', 'serviceAccounts', 'namespaces', 'principals'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

const has = (values: readonly unknown[] | undefined): boolean => values !== undefined && values.length > 0;

/** The identity fields a source constrains, in a fixed order. */
export function identityFieldsOf(source: SourceSpec | undefined): IdentityField[] {
  return IDENTITY_FIELDS.filter((field) => has(source?.[field]));
}

/** True when the rule's `from` admits every caller, authenticated or not. */
export function admitsEveryCaller(rule: AccessRuleSpec): boolean {
  const from = rule.from;
  return from === undefined || (identityFieldsOf(from).length === 0 && !has(from.ipBlocks));
}

/** True when the rule restricts neither the request (`to`) nor its token (`when`). */
export function coversEveryOperation(rule: AccessRuleSpec): boolean {
  const to = rule.to;
  const claims = Object.keys(rule.when?.claims ?? {});
  return !has(to?.paths) && !has(to?.methods) && !has(to?.ports) && claims.length === 0;
}

/** True when the rule matches every request from every caller. */
export function matchesEveryRequest(rule: AccessRuleSpec): boolean {
  return admitsEveryCaller(rule) && coversEveryOperation(rule);
}

/**
 * Whether an Istio string pattern (exact, "prefix*", "*suffix" or "*") matches every string that
 * another pattern matches. Conservative: false unless provable.
 */
export function patternCovers(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  if (inner === '*') return false;
  if (outer.endsWith('*') && !outer.startsWith('*')) {
    const prefix = outer.slice(0, -1);
    if (inner.startsWith('*')) return false;
    return (inner.endsWith('*') ? inner.slice(0, -1) : inner).startsWith(prefix);
  }
  if (outer.startsWith('*')) {
    const suffix = outer.slice(1);
    if (inner.endsWith('*')) return false;
    return (inner.startsWith('*') ? inner.slice(1) : inner).endsWith(suffix);
  }
  return false;
}

/**
 * Whether a condition that accepts `outer` values holds whenever one accepting `inner` values
 * does. An absent or empty outer list is no condition; an absent inner one accepts anything.
 */
function conditionCovers(outer: readonly string[] | undefined, inner: readonly string[] | undefined, covers = patternCovers): boolean {
  if (!has(outer)) return true;
  if (!has(inner)) return false;
  return inner!.every((value) => outer!.some((pattern) => covers(pattern, value)));
}

/**
 * True when every request that `inner` matches is also matched by `outer`, for two rules of the
 * same service (service and service-account names are compared in its namespace).
 */
export function ruleCovers(outer: AccessRuleSpec, inner: AccessRuleSpec, namespace: string): boolean {
  const qualified = (values: readonly string[] | undefined) => values?.map((value) => qualify(value, namespace));
  const source = (rule: AccessRuleSpec) => rule.from;
  const [o, i] = [source(outer), source(inner)];
  if (!conditionCovers(qualified(o?.services), qualified(i?.services))) return false;
  if (!conditionCovers(qualified(o?.serviceAccounts), qualified(i?.serviceAccounts))) return false;
  if (!conditionCovers(o?.namespaces, i?.namespaces)) return false;
  if (!conditionCovers(o?.principals, i?.principals)) return false;
  if (!conditionCovers(o?.ipBlocks, i?.ipBlocks, (a, b) => a === b)) return false;
  if (!conditionCovers(outer.to?.paths, inner.to?.paths)) return false;
  if (!conditionCovers(outer.to?.methods, inner.to?.methods)) return false;
  const ports = (rule: AccessRuleSpec) => rule.to?.ports?.map(String);
  if (!conditionCovers(ports(outer), ports(inner), (a, b) => a === b)) return false;
  const innerClaims = inner.when?.claims ?? {};
  for (const [claim, values] of Object.entries(outer.when?.claims ?? {})) {
    // Claim names come from the mesh: "hasOwnProperty" is a claim, not a member of Object.prototype.
    const innerValues = Object.hasOwn(innerClaims, claim) ? innerClaims[claim] : undefined;
    if (innerValues === undefined) return false;
    if (!conditionCovers(asList(values), asList(innerValues))) return false;
  }
  return true;
}

function asList(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

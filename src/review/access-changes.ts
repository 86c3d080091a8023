// Who may call what, before and after, and whether each difference widens or narrows access.
// Judged on effective policy (src/model/effective-policy.ts): a service without allow rules admits
// every caller when its namespace (or, failing that, the mesh) is allow-by-default, and its mTLS
// mode comes from the port, the service, the namespace or the mesh, so a change to a Mesh default
// shows on every service it reaches.
//
// Widened: requests (or plain-text connections) get through that did not before — a caller newly
// allowed, a deny removed, an allow-everyone rule, mTLS relaxed, a JWT requirement dropped, an
// allow-by-default or allow-any egress default introduced, a new exposure through a gateway.
// Narrowed: the reverse. Coverage is judged with the access-rule logic the validator uses
// (ruleCovers): a rule is "new" only when no rule of the other side admits every request it admits.
import { compareStrings } from '../diagnostics/types.js';
import { matchesEveryRequest, ruleCovers } from '../model/access-rules.js';
import { effectiveAccessDefault, effectiveMtlsModes, type EffectiveValue, type MtlsMode } from '../model/effective-policy.js';
import type { MeshModel, ServiceNode } from '../model/mesh-model.js';
import type { AccessRuleSpec } from '../schema/policy.js';
import { describeExposedPath, exposedPathMatch } from '../model/gateway-hosts.js';
import { showValue } from './field-diff.js';
import type { AccessChange, AccessChangeKind, AccessClassification } from './types.js';

interface DescribedRule {
  readonly rule: AccessRuleSpec;
  readonly text: string;
  /** The allow-everything that an allow-by-default namespace gives a service without allow rules. */
  readonly byDefault?: string;
}

const MTLS_STRENGTH: Record<MtlsMode, number> = { strict: 2, permissive: 1, disabled: 0 };

export function diffAccess(before: MeshModel, after: MeshModel): AccessChange[] {
  const changes: AccessChange[] = [];
  changes.push(...meshDefaultChanges(before, after));
  changes.push(...namespaceDefaultChanges(before, after));
  const beforeServices = new Map(before.services.map((service) => [service.key, service]));
  for (const service of after.services) {
    const old = beforeServices.get(service.key);
    if (old) changes.push(...serviceAccessChanges(before, old, after, service));
    else changes.push(...addedServiceAccess(service));
  }
  return changes;
}

function change(scope: string, classification: AccessClassification, kind: AccessChangeKind, message: string): AccessChange {
  return { scope, classification, kind, message, securityRelevant: classification === 'widened' };
}

function meshDefaultChanges(before: MeshModel, after: MeshModel): AccessChange[] {
  const changes: AccessChange[] = [];
  const [x, y] = [before.settings, after.settings];
  if (x.mtls !== y.mtls) {
    changes.push(change('mesh', MTLS_STRENGTH[y.mtls] < MTLS_STRENGTH[x.mtls] ? 'widened' : 'narrowed', 'mtls', `mesh-wide mTLS default ${x.mtls} → ${y.mtls}`));
  }
  if (x.access !== y.access) {
    changes.push(change('mesh', y.access === 'allow-by-default' ? 'widened' : 'narrowed', 'access-default', `mesh-wide access default ${x.access} → ${y.access}`));
  }
  if (x.egress !== y.egress) {
    changes.push(change('mesh', y.egress === 'allow-any' ? 'widened' : 'narrowed', 'egress', `mesh-wide egress ${x.egress} → ${y.egress}${y.egress === 'allow-any' ? ': workloads may call any host outside the mesh' : ''}`));
  }
  return changes;
}

/** Namespace defaults whose effective value changed where a namespace sets its own. */
function namespaceDefaultChanges(before: MeshModel, after: MeshModel): AccessChange[] {
  const changes: AccessChange[] = [];
  const namespaces = [...new Set([...before.namespaces, ...after.namespaces])].sort(compareStrings);
  for (const namespace of namespaces) {
    const [ownBefore, ownAfter] = [before.settings.namespaces?.[namespace], after.settings.namespaces?.[namespace]];
    const scope = `namespace ${namespace}`;
    const access = [effectiveAccessDefault(before, namespace), effectiveAccessDefault(after, namespace)] as const;
    if (access[0].value !== access[1].value && (ownBefore?.access !== undefined || ownAfter?.access !== undefined)) {
      changes.push(change(scope, access[1].value === 'allow-by-default' ? 'widened' : 'narrowed', 'access-default', `access default ${access[0].value} → ${access[1].value} (${layerText(access[1], namespace)})`));
    }
    const egress = [before.settings.namespaces?.[namespace]?.egress ?? before.settings.egress, after.settings.namespaces?.[namespace]?.egress ?? after.settings.egress] as const;
    if (egress[0] !== egress[1] && (ownBefore?.egress !== undefined || ownAfter?.egress !== undefined)) {
      changes.push(change(scope, egress[1] === 'allow-any' ? 'widened' : 'narrowed', 'egress', `egress ${egress[0]} → ${egress[1]}${egress[1] === 'allow-any' ? ': workloads may call any host outside the mesh' : ''}`));
    }
    const mtls = [before.settings.namespaces?.[namespace]?.mtls ?? before.settings.mtls, after.settings.namespaces?.[namespace]?.mtls ?? after.settings.mtls] as const;
    if (mtls[0] !== mtls[1] && (ownBefore?.mtls !== undefined || ownAfter?.mtls !== undefined)) {
      changes.push(change(scope, MTLS_STRENGTH[mtls[1]] < MTLS_STRENGTH[mtls[0]] ? 'widened' : 'narrowed', 'mtls', `namespace mTLS default ${mtls[0]} → ${mtls[1]}`));
    }
  }
  return changes;
}

function serviceAccessChanges(beforeModel: MeshModel, before: ServiceNode, afterModel: MeshModel, after: ServiceNode): AccessChange[] {
  const scope = after.key;
  const namespace = after.namespace;
  const changes: AccessChange[] = [];
  const covered = (rule: DescribedRule, by: readonly DescribedRule[]) => by.some((other) => ruleCovers(other.rule, rule.rule, namespace));

  const [allowBefore, allowAfter] = [effectiveAllow(beforeModel, before), effectiveAllow(afterModel, after)];
  for (const rule of allowAfter) {
    if (covered(rule, allowBefore)) continue;
    if (rule.byDefault) changes.push(change(scope, 'widened', 'allow-everyone', `every caller may now call it: it has no allow rules and ${rule.byDefault}`));
    else if (matchesEveryRequest(rule.rule)) changes.push(change(scope, 'widened', 'allow-everyone', `allow rule admits every caller and every request: ${rule.text}`));
    else changes.push(change(scope, 'widened', 'caller-allowed', `now allows ${rule.text}`));
  }
  for (const rule of allowBefore) {
    if (covered(rule, allowAfter)) continue;
    const reason = after.resource.spec.access?.allow !== undefined ? 'it now lists the callers it allows' : 'its namespace is now deny-by-default';
    const message = rule.byDefault ? `no longer open to every caller: ${reason}` : `no longer allows ${rule.text}`;
    changes.push(change(scope, 'narrowed', 'caller-disallowed', message));
  }

  const [denyBefore, denyAfter] = [denyRules(before), denyRules(after)];
  for (const rule of denyBefore) if (!covered(rule, denyAfter)) changes.push(change(scope, 'widened', 'deny-removed', `deny removed: ${rule.text}`));
  for (const rule of denyAfter) if (!covered(rule, denyBefore)) changes.push(change(scope, 'narrowed', 'deny-added', `now denies ${rule.text}`));

  changes.push(...mtlsChanges(scope, effectiveMtlsModes(beforeModel, before), effectiveMtlsModes(afterModel, after), namespace));
  changes.push(...jwtChanges(scope, before, after));
  changes.push(...exposureChanges(scope, before, after));
  return changes;
}

/** A new service: only what opens it wider than a service normally starts. */
function addedServiceAccess(service: ServiceNode): AccessChange[] {
  const changes: AccessChange[] = [];
  for (const rule of service.resource.spec.access?.allow ?? []) {
    if (matchesEveryRequest(rule)) changes.push(change(service.key, 'widened', 'allow-everyone', `new service with an allow rule that admits every caller and every request: ${describeAccessRule(rule)}`));
  }
  for (const exposure of exposures(service)) changes.push(change(service.key, 'widened', 'exposure', `new service exposed through ${exposure}`));
  return changes;
}

function effectiveAllow(model: MeshModel, service: ServiceNode): DescribedRule[] {
  const allow = service.resource.spec.access?.allow;
  if (allow !== undefined) return allow.map((rule) => ({ rule, text: describeAccessRule(rule) }));
  const fallback = effectiveAccessDefault(model, service.namespace);
  if (fallback.value === 'deny-by-default') return [];
  return [{ rule: {}, text: 'every caller', byDefault: `its namespace is allow-by-default (${layerText(fallback, service.namespace)})` }];
}

function denyRules(service: ServiceNode): DescribedRule[] {
  return (service.resource.spec.access?.deny ?? []).map((rule) => ({ rule, text: describeAccessRule(rule) }));
}

function layerText(value: EffectiveValue<string>, namespace: string): string {
  switch (value.layer) {
    case 'port':
      return 'set on the port';
    case 'service':
      return 'set by the service';
    case 'namespace':
      return `set for namespace ${namespace} in the Mesh`;
    case 'mesh':
      return 'the Mesh default';
    case 'built-in':
      return 'the built-in default';
  }
}

function mtlsChanges(scope: string, before: Map<number, EffectiveValue<MtlsMode>>, after: Map<number, EffectiveValue<MtlsMode>>, namespace: string): AccessChange[] {
  // Ports that changed alike are reported together: a Mesh default change reads as one line.
  const groups = new Map<string, { from: MtlsMode; to: MtlsMode; layer: string; ports: number[] }>();
  for (const [port, mode] of after) {
    const old = before.get(port);
    if (!old || old.value === mode.value) continue;
    const layer = layerText(mode.layer === 'built-in' && old.layer !== 'built-in' ? old : mode, namespace);
    const key = `${old.value}|${mode.value}|${layer}`;
    const group = groups.get(key) ?? { from: old.value, to: mode.value, layer, ports: [] };
    group.ports.push(port);
    groups.set(key, group);
  }
  return [...groups.values()].map(({ from, to, layer, ports }) =>
    change(scope, MTLS_STRENGTH[to] < MTLS_STRENGTH[from] ? 'widened' : 'narrowed', 'mtls', `mTLS ${from} → ${to} on ${ports.length === 1 ? 'port' : 'ports'} ${ports.join(', ')} (${layer})`),
  );
}

function jwtChanges(scope: string, before: ServiceNode, after: ServiceNode): AccessChange[] {
  const [x, y] = [before.resource.spec.authentication?.jwt, after.resource.spec.authentication?.jwt];
  const changes: AccessChange[] = [];
  const [required, nowRequired] = [x?.required === true, y?.required === true];
  if (required && !nowRequired) changes.push(change(scope, 'widened', 'jwt', `JWT no longer required: requests without a token are let through${y ? '' : ' and tokens are no longer checked'}`));
  if (!required && nowRequired) changes.push(change(scope, 'narrowed', 'jwt', 'JWT now required: requests without a valid token are refused'));
  const [providers, nowProviders] = [new Set(x?.providers ?? []), new Set(y?.providers ?? [])];
  const added = [...nowProviders].filter((provider) => !providers.has(provider)).sort(compareStrings);
  const removed = [...providers].filter((provider) => !nowProviders.has(provider)).sort(compareStrings);
  // Adding the first provider only starts checking tokens; adding another accepts more issuers.
  if (added.length > 0 && providers.size > 0) changes.push(change(scope, 'widened', 'jwt', `accepts tokens from ${added.length === 1 ? 'provider' : 'providers'} ${added.join(', ')}`));
  if (removed.length > 0 && nowProviders.size > 0) changes.push(change(scope, 'narrowed', 'jwt', `no longer accepts tokens from ${removed.length === 1 ? 'provider' : 'providers'} ${removed.join(', ')}`));
  return changes;
}

function exposures(service: ServiceNode): string[] {
  const list: string[] = [];
  for (const exposure of service.resource.spec.expose ?? []) {
    for (const host of exposure.hosts) list.push(`gateway ${exposure.gateway} as ${host} (paths ${(exposure.paths ?? ['/']).map(describeWrittenPath).join(', ')})`);
  }
  return list.sort(compareStrings);
}

function exposureChanges(scope: string, before: ServiceNode, after: ServiceNode): AccessChange[] {
  const [x, y] = [new Set(exposures(before)), new Set(exposures(after))];
  return [
    ...[...y].filter((e) => !x.has(e)).map((e) => change(scope, 'widened', 'exposure', `now exposed through ${e}`)),
    ...[...x].filter((e) => !y.has(e)).map((e) => change(scope, 'narrowed', 'exposure', `no longer exposed through ${e}`)),
  ];
}

/** "from services productpage to GET port 9080 when claim role=admin". */
export function describeAccessRule(rule: AccessRuleSpec): string {
  const parts: string[] = [];
  const from = rule.from;
  const fromParts: string[] = [];
  if (from?.services?.length) fromParts.push(`services ${from.services.join(', ')}`);
  if (from?.serviceAccounts?.length) fromParts.push(`service accounts ${from.serviceAccounts.join(', ')}`);
  if (from?.namespaces?.length) fromParts.push(`namespaces ${from.namespaces.join(', ')}`);
  if (from?.principals?.length) fromParts.push(`principals ${from.principals.join(', ')}`);
  if (from?.ipBlocks?.length) fromParts.push(`addresses ${from.ipBlocks.join(', ')}`);
  parts.push(fromParts.length > 0 ? `from ${fromParts.join(' and ')}` : 'from anyone');
  const to = rule.to;
  const toParts: string[] = [];
  if (to?.methods?.length) toParts.push(to.methods.join('|'));
  if (to?.paths?.length) toParts.push(to.paths.join(', '));
  if (to?.ports?.length) toParts.push(`${to.ports.length === 1 ? 'port' : 'ports'} ${to.ports.join(', ')}`);
  parts.push(toParts.length > 0 ? `to ${toParts.join(' ')}` : 'to every request');
  const claims = Object.entries(rule.when?.claims ?? {});
  if (claims.length > 0) parts.push(`when ${claims.map(([claim, values]) => `${claim}=${showValue(values)}`).join(' and ')}`);
  return parts.join(' ');
}

/** An `expose.paths` entry as text: "/cart" for a prefix, "= /login" for an exact path. */
function describeWrittenPath(written: string | { readonly exact?: string | undefined; readonly prefix?: string | undefined }): string {
  const match = exposedPathMatch(written);
  return match ? describeExposedPath(match) : JSON.stringify(written);
}

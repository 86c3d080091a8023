// RequestAuthentication: which JWT issuers a service's proxy accepts. On its own it only rejects
// invalid tokens; a request without a token passes with no request principal. That is what
// `required: false` means. `required: true` also needs the DENY rule on `notRequestPrincipals`
// that the AuthorizationPolicy emitter adds to `<service>-deny` (Istio's documented way to make
// a token mandatory).
import type { KubernetesObject } from '../../../output/manifest.js';
import { compiledName } from '../compiled-names.js';
import type { MeshModel } from '../../../model/mesh-model.js';
import type { MeshResourceT } from '../../../schema/resources.js';
import { API, objectMeta } from '../common.js';
import { policySelector } from './workload.js';

type JwtProviderSpec = NonNullable<MeshResourceT['spec']['jwtProviders']>[string];

export function compileRequestAuthentications(model: MeshModel): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const service of model.services) {
    const jwt = service.resource.spec.authentication?.jwt;
    if (!jwt) continue;
    // Providers in the order the service lists them; an unknown name is a validation error.
    const jwtRules = [...new Set(jwt.providers)].flatMap((name) => {
      const provider = model.settings.jwtProviders?.[name];
      return provider ? [toJwtRule(provider)] : [];
    });
    objects.push({
      apiVersion: API.security,
      kind: 'RequestAuthentication',
      metadata: objectMeta(service, compiledName.requestAuthentication(service.name), service.namespace),
      spec: { selector: policySelector(service), ...(jwtRules.length > 0 ? { jwtRules } : {}) },
    });
  }
  return objects;
}

function toJwtRule(provider: JwtProviderSpec): Record<string, unknown> {
  const rule: Record<string, unknown> = { issuer: provider.issuer };
  if (provider.audiences?.length) rule.audiences = [...provider.audiences];
  // Istio accepts one of jwksUri and jwks; without either it discovers the JWKS from the issuer.
  if (provider.jwksUri !== undefined) rule.jwksUri = provider.jwksUri;
  else if (provider.jwks !== undefined) rule.jwks = provider.jwks;
  if (provider.fromHeaders?.length) {
    rule.fromHeaders = provider.fromHeaders.map((header) => ({ name: header.name, ...(header.prefix !== undefined ? { prefix: header.prefix } : {}) }));
  }
  if (provider.forwardOriginalToken !== undefined) rule.forwardOriginalToken = provider.forwardOriginalToken;
  return rule;
}

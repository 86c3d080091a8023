// ExternalService resolutions that do not fit the endpoints or hosts they come with. Istio's
// ServiceEntry validation rejects endpoints with resolution NONE (the proxy forwards to the
// address the caller dialled, so there is nothing to use them for; the emitter leaves them out),
// and DNS resolution without endpoints when a host is not a plain name it can look up, such as
// *.example.com. STATIC resolution without endpoints is accepted but has no address to send to,
// so every connection fails.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH231',
  name: 'external-resolution-mismatch',
  level: 'error',
  category: 'reference',
  description: 'An external service whose resolution does not fit its endpoints or hosts: none with endpoints, static without endpoints, or dns without endpoints for a wildcard host.',
  messages: {
    noneWithEndpoints:
      'resolution none forwards each connection to the address the caller dialled, so these endpoints would never be used, and Istio rejects endpoints with resolution none: remove endpoints, or use resolution static to send traffic to them',
    staticWithoutEndpoints:
      'resolution static sends traffic only to the listed endpoints, but there are none, so every connection to {host} fails: list the endpoints, or use resolution dns to look the hosts up',
    wildcardDns:
      'host "{host}" is a wildcard, which DNS cannot look up, and there are no endpoints: Istio rejects dns resolution without endpoints for it; use resolution none to forward to the address the caller dialled, or list endpoints',
  },
  check({ model, report }) {
    for (const external of model.externalServices) {
      const spec = external.resource.spec;
      const endpoints = spec.endpoints ?? [];
      if (spec.resolution === 'none') {
        if (endpoints.length > 0) {
          report('noneWithEndpoints', {}, external.keyAt('spec', 'endpoints'), [{ message: 'resolution none', location: external.at('spec', 'resolution') }]);
        }
      } else if (spec.resolution === 'static') {
        if (endpoints.length === 0) report('staticWithoutEndpoints', { host: spec.hosts[0]! }, external.at('spec', 'resolution'));
      } else if (endpoints.length === 0) {
        spec.hosts.forEach((host, index) => {
          if (host.startsWith('*')) report('wildcardDns', { host }, external.at('spec', 'hosts', index));
        });
      }
    }
  },
});

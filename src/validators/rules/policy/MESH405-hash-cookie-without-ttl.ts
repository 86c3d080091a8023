// A consistent hash on a cookie without a ttl: Envoy then only hashes requests that already carry
// the cookie and never sets it, so first requests (and clients that never get the cookie from the
// application) are spread at random. Often intended when the application sets the cookie itself,
// hence info.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH405',
  name: 'hash-cookie-without-ttl',
  level: 'info',
  category: 'resilience',
  description: 'A consistent hash on a cookie without ttl only sticks requests that already carry the cookie; the proxy never sets it.',
  messages: {
    noTtl: 'without a ttl the proxy never sets cookie "{cookie}", so only requests that already carry it are sticky: add ttl (e.g. 1h) if the application does not set the cookie itself',
  },
  check({ model, report }) {
    for (const node of [...model.services, ...model.externalServices]) {
      const balancer = node.resource.spec.resilience?.loadBalancer;
      if (balancer === undefined || typeof balancer === 'string') continue;
      const cookie = balancer.consistentHash.cookie;
      if (cookie && cookie.ttl === undefined) {
        report('noTtl', { cookie: cookie.name }, node.keyAt('spec', 'resilience', 'loadBalancer', 'consistentHash', 'cookie'));
      }
    }
  },
});

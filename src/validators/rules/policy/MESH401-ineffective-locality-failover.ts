// Locality failover entries that cannot move any traffic: a region failing over to itself, or
// an external service whose endpoints carry no locality (Envoy puts them all in one unnamed
// locality) or that is passed through without load balancing at all. Pods of a Service get
// their locality from node labels that meshctl cannot see, so Services are not judged here.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH401',
  name: 'ineffective-locality-failover',
  level: 'info',
  category: 'resilience',
  description: 'A locality failover entry that can never move traffic: from and to name the same region, or the endpoints have no locality.',
  messages: {
    sameRegion: 'locality failover from "{region}" to "{region}" moves no traffic: name a different region in "to", or remove the entry',
    noLocality: 'no endpoint of external service "{service}" has a locality, so there is no region to fail over from: add locality (region/zone) to its endpoints, or remove localityFailover',
    passthrough: 'external service "{service}" uses resolution none, so connections go to the original address and never fail over: remove localityFailover, or use dns or static resolution',
  },
  check({ model, report }) {
    for (const node of [...model.services, ...model.externalServices]) {
      const failover = node.resource.spec.resilience?.localityFailover;
      if (!failover) continue;
      failover.forEach((entry, index) => {
        if (entry.from === entry.to) report('sameRegion', { region: entry.from }, node.at('spec', 'resilience', 'localityFailover', index, 'to'));
      });
      if (node.kind !== 'ExternalService') continue;
      const spec = node.resource.spec;
      const at = node.keyAt('spec', 'resilience', 'localityFailover');
      if (spec.resolution === 'none') report('passthrough', { service: node.key }, at);
      else if (!(spec.endpoints ?? []).some((endpoint) => endpoint.locality)) report('noLocality', { service: node.key }, at);
    }
  },
});

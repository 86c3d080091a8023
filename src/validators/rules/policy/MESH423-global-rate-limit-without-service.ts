// Global rate limits are counted by a rate-limit service that the Mesh names in
// rateLimitService. Without one there is nothing to send descriptors to: the limits cannot be
// compiled, and a proxy pointed at a missing service would fail open or refuse everything.
import { defineRule } from '../../rule.js';
import { hasInvalidMesh } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH423',
  name: 'global-rate-limit-without-service',
  level: 'error',
  category: 'rate-limit',
  description: 'A global rate limit needs the Mesh to name a rate-limit service (spec.rateLimitService).',
  messages: {
    noService: 'global rate limits are counted by the mesh\'s rate-limit service, but the Mesh sets no rateLimitService: add spec.rateLimitService (service, domain) to the Mesh, or use rateLimit.local',
  },
  check({ model, report }) {
    if (model.settings.rateLimitService) return;
    // A Mesh document that does not load may well name the service: its own error is the one to fix.
    if (!model.mesh && hasInvalidMesh(model)) return;
    for (const service of model.services) {
      if (!service.resource.spec.rateLimit?.global) continue;
      const related = model.mesh ? [{ message: 'the Mesh', location: model.mesh.keyAt('spec') }] : undefined;
      report('noService', {}, service.keyAt('spec', 'rateLimit', 'global'), related);
    }
  },
});

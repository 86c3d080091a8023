// A canary at weight 0 sends the new version nothing, and at 100 it sends the stable version
// nothing: either way no comparison is running, and the canary block only hides which version
// really serves traffic. At 100 the rollout is done and the canary should be promoted.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH331',
  name: 'canary-not-running',
  level: 'info',
  category: 'routing',
  description: 'A canary at weight 0 (not started) or 100 (finished): no traffic is being compared.',
  messages: {
    notStarted: 'the canary {canary} gets no traffic at weight 0: raise weight to the first step to start the rollout, or remove the canary block',
    finished: 'the rollout of {canary} is done: it gets all traffic at weight 100; promote it by removing the canary block and the {stable} version, or start the next canary with stable: {canary}',
  },
  check(context) {
    for (const service of context.model.services) {
      const canary = service.resource.spec.canary;
      // The same version on both sides is MESH330's finding.
      if (!canary || canary.stable === canary.canary) continue;
      const location = service.at('spec', 'canary', 'weight');
      if (canary.weight === 0) context.report('notStarted', { canary: canary.canary }, location);
      else if (canary.weight === 100) context.report('finished', { canary: canary.canary, stable: canary.stable }, location);
    }
  },
});

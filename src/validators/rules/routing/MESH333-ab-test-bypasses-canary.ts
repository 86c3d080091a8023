// An A/B test whose variant is the version a canary is rolling out: the cohort reaches the canary
// whatever its weight, so the canary gets more traffic than its weight says, and a canary at a
// cautious 1% may in fact serve a whole customer segment.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH333',
  name: 'ab-test-bypasses-canary',
  level: 'warning',
  category: 'routing',
  description: 'An A/B test whose variant is the canary version, so the cohort bypasses the canary weight.',
  messages: {
    bypass: 'the A/B test sends its whole cohort to {version}, the version the canary rolls out at {weight}%: the canary gets more traffic than its weight; test another version, or finish the canary first',
  },
  check(context) {
    for (const service of context.model.services) {
      const { abTest, canary } = service.resource.spec;
      if (!abTest || !canary || abTest.variant !== canary.canary) continue;
      context.report('bypass', { version: abTest.variant, weight: canary.weight }, service.at('spec', 'abTest', 'variant'), [
        { message: 'the canary', location: service.at('spec', 'canary', 'canary') },
      ]);
    }
  },
});

// An A/B test compares two versions. With the variant equal to the control both groups see the
// same version, so the test measures nothing while looking like it runs.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH332',
  name: 'ab-test-variant-is-control',
  level: 'error',
  category: 'routing',
  description: 'An A/B test whose variant is also its control, so both groups see the same version.',
  messages: {
    same: 'the A/B test shows "{version}" to both the cohort and everyone else, so it compares nothing: set variant to the version under test',
  },
  check(context) {
    for (const service of context.model.services) {
      const test = service.resource.spec.abTest;
      if (!test || test.control === undefined || test.variant !== test.control) continue;
      context.report('same', { version: test.variant }, service.at('spec', 'abTest', 'variant'), [
        { message: 'the control version', location: service.at('spec', 'abTest', 'control') },
      ]);
    }
  },
});

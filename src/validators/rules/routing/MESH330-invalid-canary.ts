// Canary releases that cannot compile to the split they describe: the canary is the stable version
// itself, the weight is not a whole percentage, or the rollout plan (steps) is not a strictly
// increasing list of percentages that contains the current weight (0 is allowed: not started).
// The plan is what reviewers approve, so a weight off the plan is a change nobody agreed to.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH330',
  name: 'invalid-canary',
  level: 'error',
  category: 'routing',
  description: 'A canary whose stable and canary versions are the same, whose weight is not 0-100 or not on its steps, or whose steps are not strictly increasing within 1-100.',
  messages: {
    sameVersion: 'canary and stable are both "{version}": a canary release shifts traffic from one version to another; name the new version in canary',
    weightRange: 'weight {weight} is outside 0-100: it is the percentage of traffic the canary gets',
    weightFraction: 'weight {weight} is not a whole number: traffic is split in whole percents',
    stepRange: 'step {step} is outside 1-100: each step is a canary weight the rollout moves to, in percent',
    stepFraction: 'step {step} is not a whole number: traffic is split in whole percents',
    stepOrder: 'step {step} does not come after {previous}: list the steps in strictly increasing order',
    weightNotStep: 'weight {weight} is not one of the steps ({steps}): set weight to a step, or add it to the plan',
  },
  check(context) {
    for (const service of context.model.services) {
      const canary = service.resource.spec.canary;
      if (!canary) continue;
      if (canary.stable === canary.canary) {
        context.report('sameVersion', { version: canary.canary }, service.at('spec', 'canary', 'canary'), [
          { message: 'the stable version', location: service.at('spec', 'canary', 'stable') },
        ]);
      }
      const weightLocation = service.at('spec', 'canary', 'weight');
      if (canary.weight < 0 || canary.weight > 100) context.report('weightRange', { weight: canary.weight }, weightLocation);
      else if (!Number.isInteger(canary.weight)) context.report('weightFraction', { weight: canary.weight }, weightLocation);
      const weightValid = canary.weight >= 0 && canary.weight <= 100 && Number.isInteger(canary.weight);

      const steps = canary.steps;
      if (!steps) continue;
      let stepsValid = true;
      steps.forEach((step, index) => {
        const location = service.at('spec', 'canary', 'steps', index);
        const previous = steps[index - 1];
        if (step < 1 || step > 100) context.report('stepRange', { step }, location);
        else if (!Number.isInteger(step)) context.report('stepFraction', { step }, location);
        else if (previous !== undefined && step <= previous) context.report('stepOrder', { step, previous }, location);
        else return;
        stepsValid = false;
      });
      // With a broken plan, "not on the plan" would only repeat the problem. Weight 0 is the
      // rollout before its first step.
      if (weightValid && stepsValid && canary.weight !== 0 && !steps.includes(canary.weight)) {
        context.report('weightNotStep', { weight: canary.weight, steps: steps.join(', ') }, weightLocation, [
          { message: 'the rollout steps', location: service.at('spec', 'canary', 'steps') },
        ]);
      }
    }
  },
});

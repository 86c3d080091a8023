// An A/B test with a control on a service that also rolls out a canary. The A/B test decides where
// the default split goes: the cohort goes to the variant and, with a control, everyone else goes to
// the control. The canary split is then never used for HTTP requests, so the canary's weight
// decides nothing: the canary version gets no traffic from the split (only routes that name it
// reach it), all the rest when it is the control, or only the cohort when it is the variant.
import { defineRule } from '../../rule.js';

const HTTP_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'http2', 'grpc']);

export default defineRule({
  code: 'MESH335',
  name: 'ab-test-control-overrides-canary',
  level: 'warning',
  category: 'routing',
  description: 'An A/B test with a control on a service with a canary: everyone outside the cohort goes to the control, so the canary weight has no effect.',
  messages: {
    noTraffic:
      'the A/B test sends the cohort to "{variant}" and everyone else to its control "{control}", so canary version "{canary}" gets no traffic from the split{scope} and the canary weight of {weight}% has no effect: remove control so that everyone outside the cohort follows the canary split, or finish the canary first',
    controlIsCanary:
      'the A/B test\'s control is the canary version "{canary}", so everyone outside the cohort gets it{scope} and the canary weight of {weight}% has no effect: remove control so that everyone outside the cohort follows the canary split, or finish the canary first',
    variantIsCanary:
      'the A/B test sends everyone outside the cohort to its control "{control}", so canary version "{canary}" gets only the cohort{scope} and the canary weight of {weight}% has no effect: remove control so that everyone else follows the canary split, or finish the canary first',
  },
  check(context) {
    for (const service of context.model.services) {
      const { abTest, canary, versions, ports } = service.resource.spec;
      if (!abTest || !canary || abTest.control === undefined) continue;
      // The same version for both groups is MESH332's finding.
      if (abTest.control === abTest.variant) continue;
      // Without an HTTP port the A/B test does not apply at all (MESH340).
      if (!ports.some((port) => HTTP_PROTOCOLS.has(port.protocol))) continue;
      // Versions the service does not declare are MESH201's finding: there is no split to judge.
      const declared = (version: string) => versions !== undefined && Object.hasOwn(versions, version);
      if (![abTest.control, abTest.variant, canary.stable, canary.canary].every(declared)) continue;
      // TCP and TLS connections carry no cohort, so the canary split still applies to them.
      const scope = ports.some((port) => !HTTP_PROTOCOLS.has(port.protocol)) ? ' on the HTTP ports' : '';
      const messageId = abTest.control === canary.canary ? 'controlIsCanary' : abTest.variant === canary.canary ? 'variantIsCanary' : 'noTraffic';
      context.report(
        messageId,
        { variant: abTest.variant, control: abTest.control, canary: canary.canary, weight: canary.weight, scope },
        service.at('spec', 'abTest', 'control'),
        [{ message: 'the canary', location: service.at('spec', 'canary', 'canary') }],
      );
    }
  },
});

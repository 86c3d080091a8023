// Traffic splits whose weights Istio and Envoy cannot apply as written. meshctl's rule is simple
// and explicit: one destination may leave out its weight (it gets everything); in a split over
// several destinations every destination has a weight, each a whole number from 0 to 100, and the
// weights sum to 100. Guessing the missing weights (Istio spreads them evenly) hides mistakes.
import { defineRule } from '../../rule.js';
import { routeSites } from './sites.js';

export default defineRule({
  code: 'MESH300',
  name: 'invalid-split-weight',
  level: 'error',
  category: 'routing',
  description: 'A traffic split whose weights are missing, out of range, fractional or do not sum to 100.',
  messages: {
    outOfRange: 'weight {weight} is outside 0-100: a weight is a percentage of the route\'s traffic',
    fractional: 'weight {weight} is not a whole number: Istio and Envoy split traffic in whole percents',
    missing: 'destination {position} of a {count}-way split has no weight: give every destination of a split a weight, the weights summing to 100',
    allZero: 'every weight of this split is 0, so no destination gets traffic: give the destinations weights summing to 100',
    badSum: 'the weights of this split sum to {sum}, not 100: adjust them so they sum to 100',
    single: 'the only destination has weight {weight}, but it gets all of the route\'s traffic: remove the weight or set it to 100',
  },
  check(context) {
    for (const { service, route, path } of routeSites(context.model)) {
      if (!Array.isArray(route.to)) continue;
      const destinations = route.to;
      let complete = true;
      destinations.forEach((destination, index) => {
        const weight = destination.weight;
        if (weight === undefined) {
          if (destinations.length > 1) context.report('missing', { position: index + 1, count: destinations.length }, service.at(...path, 'to', index));
          complete = false;
        } else if (weight < 0 || weight > 100) {
          context.report('outOfRange', { weight }, service.at(...path, 'to', index, 'weight'));
          complete = false;
        } else if (!Number.isInteger(weight)) {
          context.report('fractional', { weight }, service.at(...path, 'to', index, 'weight'));
          complete = false;
        }
      });
      if (!complete) continue;
      const sum = destinations.reduce((total, destination) => total + destination.weight!, 0);
      if (destinations.length === 1) {
        if (sum !== 100) context.report('single', { weight: sum }, service.at(...path, 'to', 0, 'weight'));
      } else if (sum === 0) context.report('allZero', {}, service.keyAt(...path, 'to'));
      else if (sum !== 100) context.report('badSum', { sum }, service.keyAt(...path, 'to'));
    }
  },
});

// Match objects that must say one thing: a string match is exact, prefix, regex, present or absent;
// a path match is exact, prefix or regex, an exposed path exact or prefix; a cohort is a header or
// a cookie; a consistent hash keys on one property. The schema describes this but cannot enforce it, and with zero or several keys
// the compiled match would be empty (matching everything) or depend on which key the compiler
// reads first.
import { defineRule } from '../../rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import { PATH_MATCH_KINDS, STRING_MATCH_KINDS, setMatchKeys } from '../../../model/route-match.js';
import type { ValueMatchSpec } from '../../../schema/primitives.js';
import { consistentHashOf, routeSites, type Locatable } from './sites.js';

const COHORT = ['header', 'cookie'] as const;
const CONSISTENT_HASH = ['header', 'cookie', 'sourceIp', 'queryParameter'] as const;
const EXPOSED_PATH = ['exact', 'prefix'] as const;

export default defineRule({
  code: 'MESH305',
  name: 'exactly-one-field',
  level: 'error',
  category: 'routing',
  description: 'A string match, path match, exposed path, A/B cohort or consistent hash with zero or several of the fields of which it needs exactly one.',
  messages: {
    none: '{what} sets none of {options}: set exactly one',
    several: '{what} sets {given}: set exactly one of {options}',
  },
  check(context) {
    const checkObject = <K extends string>(node: Locatable, path: PathSegment[], value: Partial<Record<K, unknown>>, kinds: readonly K[], what: string) => {
      const given = setMatchKeys(value, kinds);
      if (given.length === 1) return;
      const options = kinds.join(', ');
      // The key names the object (the header name, `path`, `cohort`); list items have no key.
      const location = typeof path[path.length - 1] === 'number' ? node.at(...path) : node.keyAt(...path);
      if (given.length === 0) context.report('none', { what, options }, location);
      else context.report('several', { what, options, given: given.join(' and ') }, location);
    };
    const checkValueMatch = (node: Locatable, path: PathSegment[], match: ValueMatchSpec, what: string) => {
      if (typeof match !== 'string') checkObject(node, path, match, STRING_MATCH_KINDS, what);
    };

    for (const { service, route, path } of routeSites(context.model)) {
      const match = route.match;
      if (match?.path !== undefined && typeof match.path !== 'string') checkObject(service, [...path, 'match', 'path'], match.path, PATH_MATCH_KINDS, 'the path match');
      for (const [field, label] of [['headers', 'header'], ['query', 'query parameter'], ['cookies', 'cookie']] as const) {
        for (const [name, value] of Object.entries(match?.[field] ?? {})) checkValueMatch(service, [...path, 'match', field, name], value, `the match on ${label} "${name}"`);
      }
      route.cors?.allowOrigins.forEach((origin, index) => checkValueMatch(service, [...path, 'cors', 'allowOrigins', index], origin, 'the CORS origin'));
    }
    for (const service of context.model.services) {
      const cohort = service.resource.spec.abTest?.cohort;
      if (!cohort) continue;
      checkObject(service, ['spec', 'abTest', 'cohort'], cohort, COHORT, 'the A/B test cohort');
      for (const kind of COHORT) {
        const selector = cohort[kind];
        if (selector) checkValueMatch(service, ['spec', 'abTest', 'cohort', kind, 'value'], selector.value, `the cohort ${kind} value`);
      }
    }
    for (const service of context.model.services) {
      service.resource.spec.expose?.forEach((exposure, e) =>
        exposure.paths?.forEach((path, p) => {
          if (typeof path !== 'string') checkObject(service, ['spec', 'expose', e, 'paths', p], path, EXPOSED_PATH, 'the exposed path');
        }),
      );
    }
    for (const node of [...context.model.services, ...context.model.externalServices]) {
      const hash = consistentHashOf(node.resource.spec.resilience);
      if (hash) checkObject(node, ['spec', 'resilience', 'loadBalancer', 'consistentHash'], hash, CONSISTENT_HASH, 'the consistent hash');
    }
  },
});

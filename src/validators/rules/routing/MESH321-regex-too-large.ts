// Regexes that compile to a larger RE2 program than Envoy accepts. Envoy refuses any regex whose
// program size exceeds re2.max_program_size.error_level (100 by default) and with it the whole
// route configuration. The size is meshctl's estimate of C++ RE2's program (see
// src/common/re2-regex.ts): it errs low, so what is reported is too large.
//
// Cookie matches are measured as they are emitted, not as they are written: Istio has no cookie
// match, so every cookie condition (exact, prefix, present and absent included) becomes a regex on
// the whole `cookie` header that first finds the cookie among the others, which costs 35
// instructions or more (growing with the cookie's name) before the value's own pattern. A value
// regex well under the limit on its own can therefore compile to one Envoy refuses. The regex is
// built by the emitter's own builder, so the rule measures exactly what Envoy is sent.
import { defineRule } from '../../rule.js';
import { formatPath, type PathSegment } from '../../../diagnostics/types.js';
import { cookieCondition } from '../../../model/conditions.js';
import type { MeshModel } from '../../../model/mesh-model.js';
import { checkRe2, ENVOY_MAX_PROGRAM_SIZE } from '../../../common/re2-regex.js';
import { normalizeValueMatch, type ValueCondition } from '../../../model/route-match.js';
import type { ValueMatchSpec } from '../../../schema/primitives.js';
import { regexSites, routeSites, type Locatable } from './sites.js';

export default defineRule({
  code: 'MESH321',
  name: 'regex-too-large',
  level: 'error',
  category: 'routing',
  description: 'A regex whose compiled RE2 program exceeds Envoy\'s default limit of 100 instructions (cookie matches measured as the cookie-header regex they compile to), so Envoy rejects the route configuration.',
  messages: {
    tooLarge: 'the {subject} regex compiles to about {size} RE2 instructions, over Envoy\'s limit of {limit}, so Envoy would reject the routes: use ASCII classes such as [a-z0-9-] instead of ., [^/] or \\p{...} (8 or more instructions each) and fewer counted repeats, or split it over several routes',
    cookieRegex: 'the {subject} regex is about {own} RE2 instructions on its own, but a cookie is matched by a regex over the whole cookie header, and finding cookie "{cookie}" there adds about {overhead}: about {size} in all, over Envoy\'s limit of {limit}, so Envoy would reject the routes; keep the value\'s pattern under about {room} instructions (fewer counted repeats, ASCII classes), or match a header instead of a cookie',
    cookieValue: 'the {subject} match compiles to a regex over the whole cookie header of about {size} RE2 instructions, over Envoy\'s limit of {limit}, so Envoy would reject the routes: shorten the value or the cookie name, or match a header instead of a cookie',
  },
  check(context) {
    const cookies = cookieSites(context.model);
    // Cookie regexes are measured below, as emitted; measuring them bare as well would pass them.
    const cookiePaths = new Map<Locatable, Set<string>>();
    for (const site of cookies) {
      const paths = cookiePaths.get(site.node) ?? new Set<string>();
      paths.add(formatPath([...site.path, 'regex']));
      cookiePaths.set(site.node, paths);
    }
    for (const site of regexSites(context.model)) {
      if (cookiePaths.get(site.node)?.has(formatPath(site.path))) continue;
      const result = checkRe2(site.value);
      if (result.valid && result.programSize > ENVOY_MAX_PROGRAM_SIZE) {
        context.report('tooLarge', { subject: site.subject, size: result.programSize, limit: ENVOY_MAX_PROGRAM_SIZE }, site.node.at(...site.path));
      }
    }
    for (const site of cookies) {
      const condition = normalizeValueMatch(site.match);
      // Several keys or none is MESH305's finding; there is no single regex to measure.
      if (condition.kind === 'malformed') continue;
      let own: number | undefined;
      if (condition.kind === 'regex') {
        const alone = checkRe2(condition.value);
        // Invalid RE2 is MESH320's finding.
        if (!alone.valid) continue;
        own = alone.programSize;
      }
      const emitted = cookieCondition(...ofTheSameSize(site.cookie, condition)).match;
      if (emitted.kind !== 'regex') continue;
      const result = checkRe2(emitted.value);
      if (!result.valid || result.programSize <= ENVOY_MAX_PROGRAM_SIZE) continue;
      const at = typeof site.match === 'string' ? site.node.at(...site.path) : site.node.at(...site.path, condition.kind);
      if (own === undefined) {
        context.report('cookieValue', { subject: site.subject, size: result.programSize, limit: ENVOY_MAX_PROGRAM_SIZE }, at);
        continue;
      }
      const overhead = Math.max(0, result.programSize - own);
      context.report(
        'cookieRegex',
        {
          subject: site.subject,
          cookie: site.cookie,
          own,
          overhead,
          size: result.programSize,
          limit: ENVOY_MAX_PROGRAM_SIZE,
          room: Math.max(0, ENVOY_MAX_PROGRAM_SIZE - overhead),
        },
        at,
      );
    }
  },
});

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * A cookie name and condition whose cookie-header regex compiles to a program of the same size as
 * the given one's: the same when the value is a regex. A condition without one (exact, prefix,
 * present, absent) puts the name and value into the regex as literals, escaped where RE2 gives a
 * character a meaning; a printable ASCII character is then one one-byte instruction whatever it is,
 * and where it stands in the program does not depend on which it is. So every such name and value
 * is replaced by as many "a"s: the 931 cohort cookies of the 10,000-service bench mesh then
 * compile to 16 regexes instead of 491 (re2js compiling each was most of this rule's time).
 */
function ofTheSameSize(cookie: string, condition: ValueCondition): [string, ValueCondition] {
  if (condition.kind === 'regex' || condition.kind === 'malformed' || !PRINTABLE_ASCII.test(cookie)) return [cookie, condition];
  const name = 'a'.repeat(cookie.length);
  if (condition.kind !== 'exact' && condition.kind !== 'prefix') return [name, condition];
  return PRINTABLE_ASCII.test(condition.value) ? [name, { kind: condition.kind, value: 'a'.repeat(condition.value.length) }] : [cookie, condition];
}

interface CookieSite {
  readonly node: Locatable;
  /** The path of the value match: a string, or a StringMatch object. */
  readonly path: readonly PathSegment[];
  readonly cookie: string;
  readonly match: ValueMatchSpec;
  readonly subject: string;
}

/** Every cookie condition: route matches and A/B cohorts. */
function cookieSites(model: MeshModel): CookieSite[] {
  const sites: CookieSite[] = [];
  for (const { service, route, path } of routeSites(model)) {
    for (const [cookie, match] of Object.entries(route.match?.cookies ?? {})) {
      sites.push({ node: service, path: [...path, 'match', 'cookies', cookie], cookie, match, subject: `cookie ${cookie}` });
    }
  }
  for (const service of model.services) {
    const cookie = service.resource.spec.abTest?.cohort.cookie;
    if (cookie) sites.push({ node: service, path: ['spec', 'abTest', 'cohort', 'cookie', 'value'], cookie: cookie.name, match: cookie.value, subject: `cohort cookie ${cookie.name}` });
  }
  return sites;
}

// Conditions of the plan as Istio's HTTPMatchRequest can say them. Istio has no "present" or
// "absent" StringMatch, so those are built from what it has:
//
// - present: an empty StringMatch `{}` in `headers` or `queryParams`, which Istio translates to
//   Envoy's `present_match` (a regex such as ".*" would be a regex match, not a presence check).
// - a negated condition: the same StringMatch under `withoutHeaders`. For an empty one Istio writes
//   an inverted `present_match` (true exactly when the header is missing); for inverted value
//   matches it sets `treat_missing_header_as_empty`, so a request without the header matches too.
//
// Cookies and absent query parameters are header conditions already (src/model/conditions.ts).
import { compareStrings } from '../../../diagnostics/types.js';
import type { HeaderCondition, StringCondition } from '../../../model/conditions.js';
import type { IstioStringMatch } from './istio-types.js';

/** `exact`, `prefix` and `regex` as they are; `present` as Istio's empty match. */
export function toIstioStringMatch(condition: StringCondition): IstioStringMatch {
  switch (condition.kind) {
    case 'exact':
      return { exact: condition.value };
    case 'prefix':
      return { prefix: condition.value };
    case 'regex':
      return { regex: condition.value };
    case 'present':
      return {};
  }
}

/**
 * `headers` and `withoutHeaders` for a set of header conditions. Istio keys both by header name, so
 * two conditions on one header (two cookies, a cookie cohort on a route that matches a cookie) cannot
 * share a key. Envoy compares header names case-insensitively while Istio keeps the map keys as
 * written, so the second condition goes under `Cookie`, the third under `cOokie`, and so on: each
 * becomes its own Envoy header matcher on the same header, and a request must satisfy all of them.
 */
export function toHeaderMaps(conditions: readonly HeaderCondition[]): {
  headers?: Record<string, IstioStringMatch>;
  withoutHeaders?: Record<string, IstioStringMatch>;
} {
  const build = (negated: boolean) => {
    const selected = conditions.filter((condition) => condition.negated === negated);
    if (selected.length === 0) return undefined;
    const map: Record<string, IstioStringMatch> = {};
    const sorted = [...selected].sort((a, b) => compareStrings(a.name, b.name));
    for (const condition of sorted) {
      let variant = 0;
      let key = caseVariant(condition.name, variant);
      while (key in map) {
        if (sameMatch(map[key]!, toIstioStringMatch(condition.match))) break;
        key = caseVariant(condition.name, ++variant);
      }
      map[key] = toIstioStringMatch(condition.match);
    }
    return map;
  };
  const headers = build(false);
  const withoutHeaders = build(true);
  return { ...(headers ? { headers } : {}), ...(withoutHeaders ? { withoutHeaders } : {}) };
}

/** The name with the letters chosen by the bits of `variant` in upper case; variant 0 is the name itself. */
function caseVariant(name: string, variant: number): string {
  if (variant === 0) return name;
  const letters = [...name].map((character, index) => ({ character, index })).filter(({ character }) => /[a-z]/.test(character));
  if (variant >= 2 ** letters.length) {
    throw new Error(`header "${name}" carries more conditions than its letters give distinct spellings for`);
  }
  const characters = [...name];
  letters.forEach(({ index }, bit) => {
    if (variant & (1 << bit)) characters[index] = characters[index]!.toUpperCase();
  });
  return characters.join('');
}

function sameMatch(a: IstioStringMatch, b: IstioStringMatch): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

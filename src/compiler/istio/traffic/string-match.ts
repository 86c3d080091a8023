// Value matches as Istio's HTTPMatchRequest can say them. Istio has no "present" or "absent"
// StringMatch and no cookie or absent-query-parameter match, so those are built from what it has:
//
// - present: an empty StringMatch `{}` in `headers` or `queryParams`, which Istio translates to
//   Envoy's `present_match` (a regex such as ".*" would be a regex match, not a presence check).
// - absent: the same `{}` under `withoutHeaders`, which Istio translates to an inverted
//   `present_match`: true exactly when the header is missing.
// - cookies: a regex on the `cookie` header. Envoy joins the cookies of a request into one
//   `name=value; name=value` header (HTTP/2 cookie crumbs included), which the regex reads. An
//   absent cookie is that regex under `withoutHeaders`: for inverted value matches Istio sets
//   `treat_missing_header_as_empty`, so a request without any cookie header matches too.
// - an absent query parameter: `withoutHeaders` on `:path` with a regex that finds the parameter
//   in the query string; Envoy's query parameter matcher has no inverted form.
//
// Every regex is RE2 (what Envoy runs) and matched against the whole value.
import { compareStrings } from '../../../diagnostics/types.js';
import type { ValueCondition } from '../../../model/route-match.js';
import type { IstioStringMatch } from './istio-types.js';

/** A condition on one request header: matched (`negated` false) or required not to match. */
export interface HeaderCondition {
  /** Lower case: HTTP header names are case-insensitive and Istio wants them lower case. */
  readonly name: string;
  readonly match: IstioStringMatch;
  readonly negated: boolean;
}

/** The header Envoy carries cookies in. */
export const COOKIE_HEADER = 'cookie';
/** The pseudo-header holding the path and query string of a request. */
export const PATH_HEADER = ':path';

/** `exact`, `prefix` and `regex` as they are; `present` as Istio's empty match. Never `absent`: see toHeaderCondition. */
export function toIstioStringMatch(condition: ValueCondition): IstioStringMatch {
  switch (condition.kind) {
    case 'exact':
      return { exact: condition.value };
    case 'prefix':
      return { prefix: condition.value };
    case 'regex':
      return { regex: condition.value };
    case 'present':
      return {};
    case 'absent':
      throw new Error('an absent match has no StringMatch: it is a withoutHeaders entry');
    case 'malformed':
      throw new Error('a malformed value match reached the compiler; validation should have refused it');
  }
}

/** A header match; `absent` becomes a `withoutHeaders` presence check. */
export function toHeaderCondition(name: string, condition: ValueCondition): HeaderCondition {
  const header = name.toLowerCase();
  if (condition.kind === 'absent') return { name: header, match: {}, negated: true };
  return { name: header, match: toIstioStringMatch(condition), negated: false };
}

/** Characters RE2 treats as syntax; escaping them makes any text a literal (as Go's regexp.QuoteMeta). */
const RE2_SPECIAL = /[\\.+*?()|[\]{}^$]/g;

export function re2Escape(text: string): string {
  return text.replace(RE2_SPECIAL, '\\$&');
}

/**
 * The regex that finds cookie `name` with a value matching `value` in a `cookie` header: the cookie
 * is first or follows "; ", and its value ends at the next ";" or the end of the header. The
 * cookie's name is compared exactly (cookie names are case-sensitive).
 */
export function cookieRegex(name: string, value: Exclude<ValueCondition, { kind: 'absent' | 'malformed' }>): string {
  const valuePattern =
    value.kind === 'exact' ? re2Escape(value.value)
    : value.kind === 'prefix' ? `${re2Escape(value.value)}[^;]*`
    : value.kind === 'regex' ? value.value
    : '[^;]*';
  return `^(.*?;\\s*)?(${re2Escape(name)})=(${valuePattern})(;.*)?$`;
}

/** A cookie match, as a condition on the `cookie` header; `absent` requires the cookie not to be there. */
export function cookieCondition(name: string, condition: ValueCondition): HeaderCondition {
  if (condition.kind === 'malformed') return toHeaderCondition(COOKIE_HEADER, condition);
  if (condition.kind === 'absent') return { name: COOKIE_HEADER, match: { regex: cookieRegex(name, { kind: 'present' }) }, negated: true };
  return { name: COOKIE_HEADER, match: { regex: cookieRegex(name, condition) }, negated: false };
}

/**
 * True for a path whose query string carries the parameter, with or without a value:
 * `/p?name`, `/p?a=1&name=2`. Only the query string is searched (the part after the first "?").
 */
export function queryParameterPresentRegex(name: string): string {
  return `[^?]*\\?(.*&)?${re2Escape(name)}([=&].*)?`;
}

/** An absent query parameter, as a condition on `:path`. */
export function absentQueryParameterCondition(name: string): HeaderCondition {
  return { name: PATH_HEADER, match: { regex: queryParameterPresentRegex(name) }, negated: true };
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
        if (sameMatch(map[key]!, condition.match)) break;
        key = caseVariant(condition.name, ++variant);
      }
      map[key] = condition.match;
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

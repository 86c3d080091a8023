// Conditions on a request's values, in one target-neutral form: a string condition (exact, prefix,
// regex, or mere presence) and a condition on one header that must hold or must not. Every target
// writes them in its own vocabulary (Istio's StringMatch, Envoy's StringMatcher and HeaderMatcher).
//
// What has no direct form in the targets is built here from what they have, once for all of them:
// - cookies: a regex on the `cookie` header. Envoy joins the cookies of a request into one
//   `name=value; name=value` header (HTTP/2 cookie crumbs included), which the regex reads. An
//   absent cookie is that regex, required not to match: a request without any cookie header
//   counts as one with an empty header, so it matches too.
// - an absent header: a presence check, required not to hold.
// - an absent query parameter: a regex on `:path` that finds the parameter in the query string,
//   required not to match (Envoy's query parameter matcher has no inverted form).
//
// Every regex is RE2 (what Envoy runs) and matched against the whole value.
import type { ValueCondition } from './route-match.js';

/** A condition on one string: its value is, starts with or fully matches the text; or it is there at all. */
export type StringCondition = { readonly kind: 'exact' | 'prefix' | 'regex'; readonly value: string } | { readonly kind: 'present' };

/** A condition on one request header: matched (`negated` false) or required not to match. */
export interface HeaderCondition {
  /** Lower case: HTTP header names are case-insensitive. */
  readonly name: string;
  readonly match: StringCondition;
  readonly negated: boolean;
}

/** The header Envoy carries cookies in. */
export const COOKIE_HEADER = 'cookie';
/** The pseudo-header holding the path and query string of a request. */
export const PATH_HEADER = ':path';

/** A value match of the mesh file as a string condition. Never `absent`: see toHeaderCondition. */
export function toStringCondition(condition: ValueCondition): StringCondition {
  switch (condition.kind) {
    case 'exact':
    case 'prefix':
    case 'regex':
      return { kind: condition.kind, value: condition.value };
    case 'present':
      return { kind: 'present' };
    case 'absent':
      throw new Error('an absent match has no string condition: it is a negated presence check');
    case 'malformed':
      throw new Error('a malformed value match reached the compiler; validation should have refused it');
  }
}

/** A header match; `absent` becomes a negated presence check. */
export function toHeaderCondition(name: string, condition: ValueCondition): HeaderCondition {
  const header = name.toLowerCase();
  if (condition.kind === 'absent') return { name: header, match: { kind: 'present' }, negated: true };
  return { name: header, match: toStringCondition(condition), negated: false };
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
  if (condition.kind === 'absent') return { name: COOKIE_HEADER, match: { kind: 'regex', value: cookieRegex(name, { kind: 'present' }) }, negated: true };
  return { name: COOKIE_HEADER, match: { kind: 'regex', value: cookieRegex(name, condition) }, negated: false };
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
  return { name: PATH_HEADER, match: { kind: 'regex', value: queryParameterPresentRegex(name) }, negated: true };
}

// Small inversions shared by the importers: durations, string matches, and the regexes meshctl's
// Istio target builds for what Istio's StringMatch cannot say (cookies, absent query parameters).
// Each is the exact inverse of the encoding in src/compiler/istio/traffic/string-match.ts, which
// docs/istio.md describes; anything else is read as the regex it is.

export type StringMatchValue = string | { exact?: string; prefix?: string; regex?: string; present?: true; absent?: true };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const ISTIO_DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** An Istio duration ("0.6s", "2s", "1m30s") as a mesh duration ("600ms", "2s", "90s"); undefined when malformed. */
export function meshDuration(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ISTIO_DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  const milliseconds = Math.round(total);
  if (milliseconds % 1000 !== 0) return `${milliseconds}ms`;
  return `${milliseconds / 1000}s`;
}

/** Istio's StringMatch (exact, prefix, regex; `{}` is "present") as a mesh value match. */
export function meshValueMatch(match: unknown): StringMatchValue | undefined {
  if (!isRecord(match)) return undefined;
  const keys = Object.keys(match);
  if (keys.length === 0) return { present: true };
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  const value = match[key];
  if (typeof value !== 'string') return undefined;
  if (key === 'exact') return value;
  if (key === 'prefix') return { prefix: value };
  if (key === 'regex') return { regex: value };
  return undefined;
}

const RE2_ESCAPED = /\\([\\.+*?()|[\]{}^$])/g;
const RE2_SPECIAL = /[\\.+*?()|[\]{}^$]/;

/** The literal text of an RE2 pattern that only escapes special characters; undefined when it has syntax. */
export function re2Literal(pattern: string): string | undefined {
  const unescaped = pattern.replace(RE2_ESCAPED, '');
  if (RE2_SPECIAL.test(unescaped)) return undefined;
  return pattern.replace(RE2_ESCAPED, '$1');
}

/** A cookie condition as meshctl writes it: `^(.*?;\s*)?(NAME)=(VALUE)(;.*)?$`. */
const COOKIE_REGEX = /^\^\(\.\*\?;\\s\*\)\?\((.+?)\)=\((.*)\)\(;\.\*\)\?\$$/;

/** The cookie name and value match of a cookie-header regex meshctl wrote; undefined for any other regex. */
export function parseCookieRegex(regex: string): { name: string; value: StringMatchValue } | undefined {
  const match = COOKIE_REGEX.exec(regex);
  if (!match) return undefined;
  const name = re2Literal(match[1]!);
  if (name === undefined) return undefined;
  const valuePattern = match[2]!;
  if (valuePattern === '[^;]*') return { name, value: { present: true } };
  if (valuePattern.endsWith('[^;]*')) {
    const prefix = re2Literal(valuePattern.slice(0, -'[^;]*'.length));
    if (prefix !== undefined) return { name, value: { prefix } };
  }
  const exact = re2Literal(valuePattern);
  if (exact !== undefined) return { name, value: exact };
  return { name, value: { regex: valuePattern } };
}

/** An absent query parameter as meshctl writes it: withoutHeaders `:path` with this regex. */
const QUERY_PRESENT_REGEX = /^\[\^\?\]\*\\\?\(\.\*&\)\?(.+)\(\[=&\]\.\*\)\?$/;

export function parseAbsentQueryRegex(regex: string): string | undefined {
  const match = QUERY_PRESENT_REGEX.exec(regex);
  return match ? re2Literal(match[1]!) : undefined;
}

/** Code-point order. */


export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** True when every label of `subset` is in `labels` with the same value. */
export function labelsInclude(labels: Readonly<Record<string, string>>, subset: Readonly<Record<string, string>>): boolean {
  return Object.entries(subset).every(([key, value]) => labels[key] === value);
}

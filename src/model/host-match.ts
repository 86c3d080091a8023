// Host names as gateways and exposures write them: exact (shop.example.com), a leading wildcard
// (*.example.com, any name below example.com, however deep) or `*` (every host). Matching is
// case-insensitive, as DNS is.

/** True when some request host matches both patterns: the gateway serves at least part of the host. */
export function hostsOverlap(a: string, b: string): boolean {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  if (left === '*' || right === '*' || left === right) return true;
  const leftSuffix = wildcardSuffix(left);
  const rightSuffix = wildcardSuffix(right);
  if (leftSuffix !== undefined && rightSuffix !== undefined) return leftSuffix.endsWith(rightSuffix) || rightSuffix.endsWith(leftSuffix);
  if (leftSuffix !== undefined) return right.endsWith(leftSuffix);
  if (rightSuffix !== undefined) return left.endsWith(rightSuffix);
  return false;
}

/** `.example.com` for `*.example.com`; undefined for a host without a leading wildcard. */
function wildcardSuffix(host: string): string | undefined {
  return host.startsWith('*.') ? host.slice(1) : undefined;
}

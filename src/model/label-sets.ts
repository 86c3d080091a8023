// Label selectors compared as sets: which workloads one selector picks out relative to another.

type LabelSet = Readonly<Record<string, string>>;

export function sameLabels(a: LabelSet, b: LabelSet): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
}

/** True when every label of `a` is in `b` and `b` has more: `a` selects all that `b` selects. */
export function isStrictSubset(a: LabelSet, b: LabelSet): boolean {
  const keys = Object.keys(a);
  return keys.length < Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
}

// The label that marks an object as meshctl's: every compiled object carries it, and prune deletes
// only objects that carry it (src/cluster). Defined once so the two can never disagree.
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** Its value on meshctl's objects. */
export const MANAGED_BY = 'meshctl';

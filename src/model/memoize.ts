// Several rules derive the same lists from the model (every route, every regex, every compiled
// name). Computing each once per model keeps validation linear in the mesh's size rather than in
// mesh size times rule count. Results are shared: callers must treat them as read-only.
export function memoizePerModel<M extends object, R>(derive: (model: M) => R): (model: M) => R {
  const cache = new WeakMap<M, R>();
  return (model: M) => {
    let result = cache.get(model);
    if (result === undefined) {
      result = derive(model);
      cache.set(model, result);
    }
    return result;
  };
}

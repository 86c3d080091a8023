// Several rules derive the same lists from the model or from one service (every route, every regex,
// every compiled name, a service's access rules). Computing each once per model or service keeps
// validation linear in the mesh's size rather than in mesh size times rule count. Results are
// shared: callers must treat them as read-only.
export function memoizeByObject<K extends object, R>(derive: (key: K) => R): (key: K) => R {
  const cache = new WeakMap<K, R>();
  return (key: K) => {
    let result = cache.get(key);
    if (result === undefined) {
      result = derive(key);
      cache.set(key, result);
    }
    return result;
  };
}

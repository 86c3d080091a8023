// The plan's match entries (src/plan/match.ts) as Istio's list of HTTPMatchRequests: Istio ORs the
// entries of a route's `match`, and ANDs the conditions inside one entry.
import { compareStrings } from '../../../diagnostics/types.js';
import type { CallerMatch, MatchEntry } from '../../../plan/match.js';
import { isUnconditional } from '../../../plan/match.js';
import type { IstioHttpMatchRequest, IstioL4MatchAttributes, IstioStringMatch } from './istio-types.js';
import { toHeaderMaps, toIstioStringMatch } from './string-match.js';
import { sortedRecord } from '../../../common/sorted-record.js';

/** One HTTPMatchRequest. */
export function toIstioMatch(entry: MatchEntry): IstioHttpMatchRequest {
  const { headers, withoutHeaders } = toHeaderMaps(entry.headers);
  const queryParams = entry.query.length > 0 ? Object.fromEntries([...entry.query].sort(([a], [b]) => compareStrings(a, b)).map(([name, condition]) => [name, toIstioStringMatch(condition)])) : undefined;
  return {
    ...(entry.path ? { uri: { [entry.path.kind]: entry.path.value } as IstioStringMatch } : {}),
    ...(entry.method ? { method: { exact: entry.method } } : {}),
    ...(headers ? { headers } : {}),
    ...(queryParams ? { queryParams } : {}),
    ...(withoutHeaders ? { withoutHeaders } : {}),
    ...(entry.caller ? { sourceLabels: sortedRecord(entry.caller.labels), sourceNamespace: entry.caller.namespace } : {}),
  };
}

/** A route's `match` list; undefined (no `match`: every request) when any entry is unconditional. */
export function toIstioMatches(entries: readonly MatchEntry[] | undefined): IstioHttpMatchRequest[] | undefined {
  if (!entries || entries.some(isUnconditional)) return undefined;
  if (entries.length === 0) throw new Error('a route with no match entries would match nothing');
  const seen = new Set<string>();
  const matches: IstioHttpMatchRequest[] = [];
  for (const entry of entries) {
    const match = toIstioMatch(entry);
    const key = JSON.stringify(match);
    if (seen.has(key)) continue;
    seen.add(key);
    matches.push(match);
  }
  return matches;
}

/** The L4 match of a TCP route: only the caller can be told apart on a byte stream. */
export function toIstioL4Match(caller: CallerMatch): IstioL4MatchAttributes {
  return { sourceLabels: sortedRecord(caller.labels), sourceNamespace: caller.namespace };
}


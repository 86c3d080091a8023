// "Did you mean" suggestions for misspelt field names, kinds, commands and references: one
// suggester for all of them. A name is a plausible typo of a candidate when it is at most a third
// of the longer name's length in edits (at least one), compared case-insensitively; ties go to the
// smaller name.
//
// Names may be compared against thousands of candidates: a mesh with many unresolved references
// must not turn suggestions into quadratic work. The distance is bounded (it stops as soon as a
// candidate cannot beat the best one so far) and a suggester that serves many lookups has a budget
// of matrix cells; once spent, it suggests nothing rather than slowing the run down.
import { compareStrings } from '../diagnostics/types.js';

/** Matrix cells and candidates visited: a few hundred milliseconds at most. */
export const DEFAULT_SUGGESTION_BUDGET = 20_000_000;

export class NameSuggester {
  private remaining: number;

  constructor(budget = DEFAULT_SUGGESTION_BUDGET) {
    this.remaining = budget;
  }

  /** The closest candidate that is a plausible typo of the input; ties go to the smaller name. */
  nearest(input: string, candidates: Iterable<string>): string | undefined {
    const lowered = input.toLowerCase();
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
      if (--this.remaining <= 0) return undefined;
      const allowed = Math.max(1, Math.floor(Math.max(input.length, candidate.length) / 3));
      const limit = Math.min(allowed, bestDistance);
      if (Math.abs(candidate.length - input.length) > limit) continue;
      this.remaining -= (lowered.length + 1) * (candidate.length + 1);
      const distance = boundedDistance(lowered, candidate.toLowerCase(), limit);
      if (distance > limit) continue;
      if (distance < bestDistance || (best !== undefined && compareStrings(candidate, best) < 0)) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }
}

let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0), new Int32Array(0)];

/**
 * Damerau-Levenshtein (optimal string alignment) distance, or limit + 1 as soon as it is known to
 * exceed limit.
 */
export function boundedDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const width = b.length + 1;
  if (rows[0].length < width) rows = [new Int32Array(width), new Int32Array(width), new Int32Array(width)];
  let [before, previous, current] = rows;
  for (let j = 0; j < width; j++) previous[j] = j;
  let previousMin = 0;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j < width; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        value = Math.min(value, before[j - 2]! + 1);
      }
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    // Every later cell derives from the last two rows (a transposition reaches two rows back).
    if (rowMin > limit && previousMin > limit) return limit + 1;
    previousMin = rowMin;
    [before, previous, current] = [previous, current, before];
  }
  const distance = previous[b.length]!;
  return distance > limit ? limit + 1 : distance;
}

/** The closest candidate, if it is close enough to be a plausible typo. */
export function closestMatch(input: string, candidates: Iterable<string>): string | undefined {
  return new NameSuggester().nearest(input, candidates);
}

/** "; did you mean \"x\"?" or an empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = closestMatch(input, candidates);
  return match ? `; did you mean "${match}"?` : '';
}

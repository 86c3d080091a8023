// Diagnostics the head introduces and those it resolves. A diagnostic is the same one on both
// sides when its code, file and message agree: line numbers are left out, so an edit that shifts
// a known warning down the file does not make it "new". Repeats are counted, so a second copy of
// a finding is new even when the first was already there.
import type { Diagnostic } from '../diagnostics/types.js';
import { toReviewedDiagnostic, type ReviewedDiagnostic } from './types.js';

export function diffDiagnostics(before: readonly Diagnostic[], after: readonly Diagnostic[]): { new: ReviewedDiagnostic[]; resolved: ReviewedDiagnostic[] } {
  return { new: unmatched(after, before), resolved: unmatched(before, after) };
}

function identity(diagnostic: Diagnostic): string {
  return `${diagnostic.code}\u0000${diagnostic.span.file}\u0000${diagnostic.message}`;
}

/** The diagnostics of `side` left over once each is matched with one of `other`. */
function unmatched(side: readonly Diagnostic[], other: readonly Diagnostic[]): ReviewedDiagnostic[] {
  const available = new Map<string, number>();
  for (const diagnostic of other) available.set(identity(diagnostic), (available.get(identity(diagnostic)) ?? 0) + 1);
  const left: ReviewedDiagnostic[] = [];
  for (const diagnostic of side) {
    const count = available.get(identity(diagnostic)) ?? 0;
    if (count > 0) available.set(identity(diagnostic), count - 1);
    else left.push(toReviewedDiagnostic(diagnostic));
  }
  return left;
}

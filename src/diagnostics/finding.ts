// Typed construction of findings from a rule's own message table, so a message id that a rule
// does not define is a compile error rather than a blank message at run time.
import { renderMessage, type RuleMeta } from './rule.js';
import type { Finding, Location, RelatedLocation } from './types.js';

export function createFinding<M extends string>(
  rule: RuleMeta<M>,
  messageId: M,
  data: Record<string, string | number>,
  location: Location,
  related?: RelatedLocation[],
): Finding {
  const finding: Finding = {
    code: rule.code,
    messageId,
    data,
    message: renderMessage(rule.messages[messageId], data),
    location,
  };
  if (related && related.length > 0) finding.related = related;
  return finding;
}

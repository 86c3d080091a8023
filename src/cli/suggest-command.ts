// "Did you mean" for a mistyped command, with the same closeness rule as mesh-file suggestions.
import { closestMatch } from '../common/suggest.js';

/** The error text for a command meshctl does not have. */
export function suggestCommand(typed: string, commandIds: readonly string[]): string {
  const visible = commandIds.map((id) => id.replaceAll(':', ' ')).filter((id) => !id.startsWith('__'));
  const nearest = closestMatch(typed, visible);
  const known = [...visible].sort().join(', ');
  return nearest
    ? `unknown command "${typed}"; did you mean "${nearest}"?`
    : `unknown command "${typed}"; the commands are ${known}`;
}

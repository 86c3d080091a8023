// Finds version names that are not DNS labels. A version compiles to a DestinationRule subset of
// the same name, and Istio rejects subset names that are not DNS labels, so the whole
// DestinationRule, with every other version's subset, would be refused.
import { defineRule } from '../../../diagnostics/rule.js';
import { isDnsLabel, MAX_COMPILED_NAME_LENGTH } from '../../../model/names.js';

export default defineRule({
  code: 'MESH242',
  name: 'invalid-version-name',
  level: 'error',
  category: 'naming',
  description: 'A version name that is not a DNS label, which Istio refuses as a subset name.',
  messages: {
    invalid:
      'version name "{version}" is not a DNS label, and it becomes a subset name: use lowercase letters, digits and "-", starting and ending with a letter or digit, at most {limit} characters{hint}',
  },
  check(context) {
    for (const service of context.model.services) {
      for (const version of Object.keys(service.resource.spec.versions ?? {})) {
        if (isDnsLabel(version)) continue;
        const candidate = toDnsLabel(version);
        const hint = candidate ? `, e.g. "${candidate}"` : '';
        context.report('invalid', { version, limit: MAX_COMPILED_NAME_LENGTH, hint }, service.keyAt('spec', 'versions', version));
      }
    }
  },
});

/** The nearest DNS label, to suggest: v1.2 → v1-2, Canary_A → canary-a. */
function toDnsLabel(text: string): string | undefined {
  const label = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, MAX_COMPILED_NAME_LENGTH)
    .replace(/^-+|-+$/g, '');
  return isDnsLabel(label) ? label : undefined;
}

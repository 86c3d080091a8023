// The rules about the names of the Kubernetes objects the Istio target writes (too long, or one
// name for two sources). They read the target's naming (../compiled-names.ts), so they live with it.
// They carry no `target`: they run for every target, because the Gateway API target writes the
// same Istio objects beside its routes. Merged into the registry of all rules in src/targets/rules.ts.
import type { Rule } from '../../../validators/rule.js';
import compiledNameTooLong from './MESH240-compiled-name-too-long.js';
import compiledNameCollision from './MESH241-compiled-name-collision.js';

export const COMPILED_NAME_RULES: readonly Rule[] = [compiledNameTooLong, compiledNameCollision];

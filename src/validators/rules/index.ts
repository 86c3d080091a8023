// The target-neutral rules: the loader's, the schema's and the semantic rules that hold whatever
// the mesh is compiled to. A target's own rules live with the target (src/compiler/<target>/rules/);
// the registry of all rules is src/targets/rules.ts. Codes are stable and never reused; a retired
// rule stays listed with `retired: true` in its file.
import type { Rule } from '../rule.js';
import yamlSyntax from '../../loader/rules/MESH001-yaml-syntax.js';
import duplicateKey from '../../loader/rules/MESH002-duplicate-key.js';
import tabIndentation from '../../loader/rules/MESH003-tab-indentation.js';
import invalidEncoding from '../../loader/rules/MESH004-invalid-encoding.js';
import yamlTag from '../../loader/rules/MESH005-yaml-tag.js';
import aliasLimit from '../../loader/rules/MESH006-alias-limit.js';
import nestingTooDeep from '../../loader/rules/MESH007-nesting-too-deep.js';
import fileTooLarge from '../../loader/rules/MESH008-file-too-large.js';
import emptyFile from '../../loader/rules/MESH009-empty-file.js';
import notAMapping from '../../loader/rules/MESH010-not-a-mapping.js';
import skippedPath from '../../loader/rules/MESH016-skipped-path.js';
import suppression from '../../loader/rules/MESH017-suppression.js';
import foreignResource from '../../loader/rules/MESH011-foreign-resource.js';
import pathNotFound from '../../loader/rules/MESH012-path-not-found.js';
import unreadablePath from '../../loader/rules/MESH013-unreadable-path.js';
import noMeshFiles from '../../loader/rules/MESH014-no-mesh-files.js';
import symlinkLoop from '../../loader/rules/MESH015-symlink-loop.js';
import unknownField from './schema/MESH100-unknown-field.js';
import wrongType from './schema/MESH101-wrong-type.js';
import missingField from './schema/MESH102-missing-field.js';
import invalidValue from './schema/MESH103-invalid-value.js';
import unknownKind from './schema/MESH104-unknown-kind.js';
import unsupportedApiVersion from './schema/MESH105-unsupported-api-version.js';
import { REFERENCES_RULES } from './references/index.js';
import { ROUTING_RULES } from './routing/index.js';
import { POLICY_RULES } from './policy/index.js';

export const TARGET_NEUTRAL_RULES: readonly Rule[] = [
  yamlSyntax, duplicateKey, tabIndentation, invalidEncoding, yamlTag, aliasLimit, nestingTooDeep, fileTooLarge, emptyFile,
  notAMapping, foreignResource, pathNotFound, unreadablePath, noMeshFiles, symlinkLoop, skippedPath, suppression,
  unknownField, wrongType, missingField, invalidValue, unknownKind, unsupportedApiVersion,
  ...REFERENCES_RULES,
  ...ROUTING_RULES,
  ...POLICY_RULES,
];

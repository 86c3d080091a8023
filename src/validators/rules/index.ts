// Every rule meshctl knows, sorted by code. Codes are stable and never reused; a retired rule
// stays listed here with `retired: true` in its file.
import type { Rule } from '../../diagnostics/rule.js';
import { compareStrings } from '../../diagnostics/types.js';
import yamlSyntax from './load/MESH001-yaml-syntax.js';
import duplicateKey from './load/MESH002-duplicate-key.js';
import tabIndentation from './load/MESH003-tab-indentation.js';
import invalidEncoding from './load/MESH004-invalid-encoding.js';
import yamlTag from './load/MESH005-yaml-tag.js';
import aliasLimit from './load/MESH006-alias-limit.js';
import nestingTooDeep from './load/MESH007-nesting-too-deep.js';
import fileTooLarge from './load/MESH008-file-too-large.js';
import emptyFile from './load/MESH009-empty-file.js';
import notAMapping from './load/MESH010-not-a-mapping.js';
import skippedPath from './load/MESH016-skipped-path.js';
import suppression from './load/MESH017-suppression.js';
import foreignResource from './load/MESH011-foreign-resource.js';
import pathNotFound from './load/MESH012-path-not-found.js';
import unreadablePath from './load/MESH013-unreadable-path.js';
import noMeshFiles from './load/MESH014-no-mesh-files.js';
import symlinkLoop from './load/MESH015-symlink-loop.js';
import unknownField from './schema/MESH100-unknown-field.js';
import wrongType from './schema/MESH101-wrong-type.js';
import missingField from './schema/MESH102-missing-field.js';
import invalidValue from './schema/MESH103-invalid-value.js';
import unknownKind from './schema/MESH104-unknown-kind.js';
import unsupportedApiVersion from './schema/MESH105-unsupported-api-version.js';
import { REFERENCES_RULES } from './references/index.js';
import { ROUTING_RULES } from './routing/index.js';
import { POLICY_RULES } from './policy/index.js';
import { GATEWAY_API_RULES } from './gateway-api/index.js';

export const RULES: readonly Rule[] = [
  yamlSyntax, duplicateKey, tabIndentation, invalidEncoding, yamlTag, aliasLimit, nestingTooDeep, fileTooLarge, emptyFile,
  notAMapping, foreignResource, pathNotFound, unreadablePath, noMeshFiles, symlinkLoop, skippedPath, suppression,
  unknownField, wrongType, missingField, invalidValue, unknownKind, unsupportedApiVersion,
  ...REFERENCES_RULES,
  ...ROUTING_RULES,
  ...POLICY_RULES,
  ...GATEWAY_API_RULES,
].sort((a, b) => compareStrings(a.code, b.code));

export const RULES_BY_CODE: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.code, rule]));
export const RULES_BY_NAME: ReadonlyMap<string, Rule> = new Map(RULES.map((rule) => [rule.name, rule]));

export function findRule(codeOrName: string): Rule | undefined {
  return RULES_BY_CODE.get(codeOrName.toUpperCase()) ?? RULES_BY_NAME.get(codeOrName);
}

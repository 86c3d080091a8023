// check: loaded documents -> schema findings + semantic findings -> diagnostics with levels and
// exact spans. The model is built from the documents that passed the schema, so semantic rules
// never see malformed data. The rules come from the caller (the pipeline passes the registry of all
// rules, src/targets/rules.ts): this layer knows no target's rules.
import { UserError } from '../diagnostics/user-error.js';
import { createFinding } from '../diagnostics/finding.js';
import type { Rule, RuleContext } from './rule.js';
import { compareDiagnostics, formatPath, type Diagnostic, type Finding, type Level, type LevelSetting } from '../diagnostics/types.js';
import type { LoadedMesh } from '../loader/load-mesh.js';
import { buildMeshModel, type MeshModel } from '../model/mesh-model.js';
import type { RuleSet } from './rule-set.js';
import { checkDocuments } from './schema-check.js';
import { applySuppressions } from './suppressions.js';

export interface ValidateOptions {
  /** The rules to run and that level overrides and suppressions may name. */
  ruleSet: RuleSet;
  /** Level overrides by code or rule name. */
  rules?: Readonly<Record<string, LevelSetting>>;
  /** Keep only diagnostics located in these files (the mesh is still checked whole). */
  onlyFiles?: ReadonlySet<string>;
  /**
   * The targets to check for: the rules of these targets run, other targets' rules do not (rules
   * without a target always run). A function chooses them from the model once it is built (the
   * targets the mesh files configure). Default: none, only the target-neutral rules.
   */
  targets?: readonly string[] | ((model: MeshModel) => readonly string[]);
  /** The Gateway API target's portable mode (its portable-only rules run); default: the Mesh's gatewayApi.portable. */
  portable?: boolean;
}

export interface ValidationResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly model: MeshModel;
  /** The targets the mesh was checked for. */
  readonly targets: readonly string[];
  readonly errorCount: number;
  readonly warningCount: number;
  readonly infoCount: number;
  /** A loader problem that means the run itself failed (missing path, no mesh files). */
  readonly fatal: boolean;
  readonly fileCount: number;
  readonly documentCount: number;
}

export class UnknownRuleError extends UserError {}

export function validate(loaded: LoadedMesh, options: ValidateOptions): ValidationResult {
  const { ruleSet } = options;
  const levels = resolveLevels(options.rules ?? {}, ruleSet);
  const schema = checkDocuments(loaded.documents);
  const model = buildMeshModel(schema.valid, schema.invalid);
  const findings: Finding[] = [...loaded.findings, ...schema.findings];
  const targets = typeof options.targets === 'function' ? options.targets(model) : (options.targets ?? []);
  const checkedFor = new Set(targets);
  const portable = options.portable ?? model.settings.gatewayApi?.portable ?? false;
  for (const rule of ruleSet.rules) {
    if (!rule.check || levels.get(rule.code) === 'off') continue;
    if (rule.target !== undefined && !checkedFor.has(rule.target)) continue;
    if (rule.portableOnly && !portable) continue;
    findings.push(...runRule(rule, model, checkedFor));
  }

  let fatal = false;
  const toDiagnostics = (list: readonly Finding[]): Diagnostic[] => {
    const diagnostics: Diagnostic[] = [];
    for (const finding of list) {
      const level = levels.get(finding.code);
      if (level === 'off' || level === undefined) continue;
      const span = loaded.spans.resolve(finding.location);
      if (options.onlyFiles && !options.onlyFiles.has(span.file)) continue;
      if (ruleSet.find(finding.code)?.fatal) fatal = true;
      const diagnostic: Diagnostic = { code: finding.code, level, message: finding.message, messageId: finding.messageId, data: finding.data, span };
      if ('node' in finding.location && finding.location.node.path.length > 0) diagnostic.path = formatPath(finding.location.node.path);
      if (finding.related) diagnostic.related = finding.related.map((r) => ({ message: r.message, span: loaded.spans.resolve(r.location) }));
      diagnostics.push(diagnostic);
    }
    return diagnostics;
  };
  // Inline "# meshctl-disable-next-line" comments drop what they name; the comments themselves
  // are checked (a reason given, something suppressed).
  const suppressed = applySuppressions(toDiagnostics(findings), loaded.sources, ruleSet);
  const diagnostics = [...suppressed.kept, ...toDiagnostics(suppressed.findings)];
  diagnostics.sort(compareDiagnostics);
  const unique = diagnostics.filter((d, i) => i === 0 || compareDiagnostics(d, diagnostics[i - 1]!) !== 0);
  const count = (level: Level) => unique.filter((d) => d.level === level).length;
  return {
    diagnostics: unique,
    model,
    targets: [...targets],
    errorCount: count('error'),
    warningCount: count('warning'),
    infoCount: count('info'),
    fatal,
    fileCount: loaded.sources.size,
    documentCount: loaded.documents.length,
  };
}

function runRule(rule: Rule, model: MeshModel, targets: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  const context: RuleContext = {
    model,
    targets,
    report(messageId, data, location, related) {
      if (!(messageId in rule.messages)) throw new Error(`rule ${rule.code} has no message "${messageId}"`);
      findings.push(createFinding(rule, messageId, data, location, related));
    },
  };
  rule.check?.(context);
  return findings;
}

/** Every rule's level after the overrides; throws UnknownRuleError for a code or name the rule set does not have. */
export function resolveLevels(overrides: Readonly<Record<string, LevelSetting>>, ruleSet: RuleSet): Map<string, LevelSetting> {
  const levels = new Map<string, LevelSetting>(ruleSet.rules.map((rule) => [rule.code, rule.level]));
  for (const [key, level] of Object.entries(overrides)) {
    const rule = ruleSet.find(key);
    if (!rule) throw new UnknownRuleError(`unknown rule "${key}": run "meshctl rules" for the list`);
    // Problems that stop the mesh from being read at all cannot be switched off.
    if (rule.fatal && level !== 'error') throw new UnknownRuleError(`rule ${rule.code} (${rule.name}) reports an input that cannot be read; its level cannot be changed`);
    levels.set(rule.code, level);
  }
  return levels;
}

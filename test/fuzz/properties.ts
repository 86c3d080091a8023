// The properties every mesh file must keep, whatever it holds, checked in process on one mesh:
//   - no exception escapes load, validate, the report formats, review or either compile target;
//   - a mesh validate accepts compiles, and every compiled object passes Istio's CRDs (structural
//     schema and CEL rules) and Kubernetes' ObjectMeta rules; file names stay plain file names;
//     sampled, every Envoy configuration is loaded by a real Envoy (`envoy --mode validate`);
//   - the same files give byte-identical output;
//   - text from the mesh reaches the human formats (stylish, GitHub annotations, review stylish
//     and Markdown) with no control character and, in Markdown, no mention, link, HTML or block
//     it did not write; JSON and SARIF carry the text exactly.
// Each failure is a Defect with a signature: the same root cause met twice has one signature.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { compileIstio } from '../../src/compiler/istio/index.js';
import { buildEnvoyConfig, planEnvoyProxies, type EnvoyConfig } from '../../src/compiler/envoy/index.js';
import { envoyConfigToYaml } from '../../src/compiler/envoy/render.js';
import { loadSources } from '../../src/loader/load-mesh.js';
import { SourceText } from '../../src/loader/source-file.js';
import { objectFileName, toYamlStream, type KubernetesObject } from '../../src/output/manifest.js';
import { formatGithub } from '../../src/report/github.js';
import { formatJson } from '../../src/report/json.js';
import { formatSarif } from '../../src/report/sarif.js';
import { formatStylish } from '../../src/report/stylish.js';
import { renderReviewMarkdown } from '../../src/review/render-markdown.js';
import { renderReviewStylish } from '../../src/review/render-stylish.js';
import { reviewMesh, type ReviewSide } from '../../src/review/review.js';
// Validated as `meshctl validate` without --target does: for Istio and for every target the mesh
// configures (the seeds are Istio meshes; those with envoy sections are checked for Envoy too).
import { validate } from '../../src/pipeline/index.js';
import type { ValidationResult } from '../../src/validators/validate.js';
import { validateAgainstCrd, validateCoreObject, type CrdViolations } from '../support/crd-validator.js';
import { istioCatalog } from '../support/istio-crds.js';
import type { MeshFile } from './mutations.js';

export type DefectKind = 'crash' | 'hole' | 'escape' | 'nondeterministic';

export interface Defect {
  readonly kind: DefectKind;
  /** Stable across cases with the same root cause: no values, indices or names in it. */
  readonly signature: string;
  /** The first occurrence, readable. */
  readonly detail: string;
}

/** C0 controls but newline (the formats are line based) and tab (harmless text), DEL, C1 (U+0080–U+009F). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export interface EnvoyCheck {
  readonly binary: string;
  /** Test certificates: cert-chain.pem, key.pem, root-cert.pem. */
  readonly certificateDirectory: string;
  readonly scratch: string;
}

export interface CaseOptions {
  /** The base side of the review: the seed mesh, as compiled. */
  readonly base: ReviewSide;
  readonly checkDeterminism: boolean;
  /** Set to load this case's Envoy configurations (one of them) in a real Envoy. */
  readonly envoy?: EnvoyCheck;
  readonly envoyPick?: number;
}

export interface CaseResult {
  readonly defects: Defect[];
  readonly accepted: boolean;
  readonly envoyChecked: number;
}

export function loadFiles(files: readonly MeshFile[]) {
  return loadSources(files.map((file) => new SourceText(file.file, file.text)));
}

/** Validates and compiles one side of a review as `meshctl review` does. */
export function reviewSide(files: readonly MeshFile[]): ReviewSide {
  const validation = validate(loadFiles(files));
  const accepted = !validation.fatal && validation.errorCount === 0;
  return { validation, ...(accepted ? { objects: compileIstio(validation.model) } : {}) };
}

export function checkCase(files: readonly MeshFile[], options: CaseOptions): CaseResult {
  const defects: Defect[] = [];
  let envoyChecked = 0;
  const stage = <T>(name: string, run: () => T): T | undefined => {
    try {
      return run();
    } catch (error) {
      defects.push(crash(name, error));
      return undefined;
    }
  };

  const validation = stage('validate', () => validate(stage('load', () => loadFiles(files))!));
  if (!validation) return { defects, accepted: false, envoyChecked };
  checkReports(validation, files.map((file) => file.text), defects, stage);

  const accepted = !validation.fatal && validation.errorCount === 0;
  const objects = accepted ? stage('compile istio', () => compileIstio(validation.model)) : undefined;
  const head: ReviewSide = { validation, ...(objects ? { objects } : {}) };
  const review = stage('review', () => reviewMesh(options.base, head));
  if (review) {
    const markdown = stage('review markdown', () => renderReviewMarkdown(review));
    if (markdown !== undefined) checkMarkdown(markdown, defects);
    const stylish = stage('review stylish', () => renderReviewStylish(review, { color: false }));
    if (stylish !== undefined && CONTROL.test(stylish)) defects.push(escape('review stylish', stylish));
  }
  if (!accepted || !objects) return { defects, accepted, envoyChecked };

  const yaml = stage('render istio yaml', () => toYamlStream(objects));
  checkObjects(objects, defects);

  const configs = stage('compile envoy', () => planEnvoyProxies(validation.model, options.envoy ? { certificateDirectory: options.envoy.certificateDirectory } : {}).map(buildEnvoyConfig));
  const envoyYaml = configs ? stage('render envoy yaml', () => configs.map(envoyConfigToYaml)) : undefined;
  for (const config of configs ?? []) {
    if (!isPlainRelativePath(config.path)) defects.push({ kind: 'hole', signature: 'hole: envoy file path not a plain relative path', detail: JSON.stringify(config.path) });
  }

  if (options.checkDeterminism && yaml !== undefined) {
    const again = stage('determinism', () => {
      const second = validate(loadFiles(files));
      const istio = toYamlStream(compileIstio(second.model));
      const envoy = planEnvoyProxies(second.model, options.envoy ? { certificateDirectory: options.envoy.certificateDirectory } : {}).map((proxy) => envoyConfigToYaml(buildEnvoyConfig(proxy)));
      return { istio, envoy, diagnostics: formatJson(second) };
    });
    if (again) {
      if (again.istio !== yaml) defects.push({ kind: 'nondeterministic', signature: 'nondeterministic: istio output', detail: '' });
      if (envoyYaml && JSON.stringify(again.envoy) !== JSON.stringify(envoyYaml)) defects.push({ kind: 'nondeterministic', signature: 'nondeterministic: envoy output', detail: '' });
      if (again.diagnostics !== formatJson(validation)) defects.push({ kind: 'nondeterministic', signature: 'nondeterministic: diagnostics', detail: '' });
    }
  }

  if (options.envoy && configs && configs.length > 0) {
    const config = configs[(options.envoyPick ?? 0) % configs.length]!;
    const problem = stage('envoy validate', () => runEnvoy(options.envoy!, config));
    envoyChecked++;
    if (problem !== undefined) defects.push({ kind: 'hole', signature: `hole: envoy refuses: ${normalize(envoyReason(problem))}`, detail: problem.slice(0, 2000) });
  }
  return { defects, accepted, envoyChecked };
}

function checkReports(validation: ValidationResult, sourceTexts: readonly string[], defects: Defect[], stage: <T>(name: string, run: () => T) => T | undefined): void {
  const stylish = stage('stylish', () => formatStylish(validation, { color: false }));
  if (stylish !== undefined && CONTROL.test(stylish)) defects.push(escape('stylish', stylish));
  const github = stage('github', () => formatGithub(validation));
  if (github !== undefined) {
    if (CONTROL.test(github)) defects.push(escape('github', github));
    // One annotation per diagnostic: a raw line break would start a second workflow command.
    const lines = github.split('\n').filter(Boolean);
    if (lines.length !== validation.diagnostics.length) defects.push({ kind: 'escape', signature: 'escape: github: annotation split over lines', detail: github.slice(0, 500) });
  }
  const json = stage('json', () => formatJson(validation));
  if (json !== undefined) {
    const parsed = JSON.parse(json) as { diagnostics: { message: string; file: string }[] };
    const exact = parsed.diagnostics.every((d, index) => d.message === validation.diagnostics[index]!.message && d.file === validation.diagnostics[index]!.span.file);
    if (!exact) defects.push({ kind: 'escape', signature: 'escape: json: text not exact', detail: '' });
  }
  const sarif = stage('sarif', () => formatSarif(validation, { toolVersion: '0.0.0' }));
  if (sarif !== undefined) {
    const parsed = JSON.parse(sarif) as { runs: { results: { message: { text: string } }[] }[] };
    const exact = parsed.runs[0]!.results.every((result, index) => result.message.text === validation.diagnostics[index]!.message);
    if (!exact) defects.push({ kind: 'escape', signature: 'escape: sarif: text not exact', detail: '' });
  }
  for (const diagnostic of validation.diagnostics) {
    const shown = /\bNaN\b|\bundefined\b|\[object Object\]/.exec(diagnostic.message);
    if (shown && !sourceTexts.some((text) => text.includes(shown[0]))) {
      defects.push({ kind: 'crash', signature: `crash: message: ${diagnostic.code} shows NaN, undefined or [object Object]`, detail: diagnostic.message });
    }
  }
}

/** Markdown outside code blocks and code spans, where text is rendered. */
function renderedMarkdown(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\n/gm, '')
    .replace(/\\[^\n]/g, '')
    .replace(/(`+)(?:(?!\1)(?!\n[ \t]*\n)[^])*?\1/g, '');
}

function checkMarkdown(markdown: string, defects: Defect[]): void {
  if (CONTROL.test(markdown)) defects.push(escape('review markdown', markdown));
  const rendered = renderedMarkdown(markdown);
  const injected: [RegExp, string][] = [
    [/<img/i, 'HTML'],
    [/(?<!\w)@everyone/, 'mention'],
    [/\]\((?:https?:)/, 'link'],
    [/^[ \t]{0,3}#{1,6}[ \t].*INJECTED/m, 'heading'],
    [/\*\*INJECTED/, 'emphasis'],
  ];
  for (const [pattern, what] of injected) {
    if (pattern.test(rendered)) defects.push({ kind: 'escape', signature: `escape: review markdown: ${what} injected`, detail: excerpt(rendered, pattern) });
  }
  // A code span that does not close on its line lets the rest of the line (and more) render.
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) continue;
    if (/INJECTED/.test(line) && /^[^`]*`[^`]*$/.test(line.replace(/\\./g, ''))) defects.push({ kind: 'escape', signature: 'escape: review markdown: code span broken', detail: line.slice(0, 300) });
  }
}

function checkObjects(objects: readonly KubernetesObject[], defects: Defect[]): void {
  const catalog = istioCatalog();
  for (const object of objects) {
    const fileName = objectFileName(object);
    if (!isPlainRelativePath(fileName) || fileName.includes('/')) defects.push({ kind: 'hole', signature: `hole: ${object.kind} file name not a plain file name`, detail: JSON.stringify(fileName) });
    const violations = object.apiVersion === 'v1' ? validateCoreObject(object) : validateAgainstCrd(catalog, object);
    for (const violation of violations) {
      defects.push({
        kind: 'hole',
        signature: `hole: ${object.kind} ${normalizePath(violation.path)}: ${violation.code}: ${normalize(violation.message)}`,
        detail: `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}: ${violation.path}: ${violation.message}`,
      });
    }
    const unevaluated = 'unevaluated' in violations ? (violations as CrdViolations).unevaluated : [];
    for (const rule of unevaluated) {
      defects.push({ kind: 'hole', signature: `hole: ${object.kind} CEL rule not evaluated at ${normalizePath(rule.path)}`, detail: rule.reason });
    }
  }
}

function isPlainRelativePath(file: string): boolean {
  return /^[a-z0-9][a-z0-9._/-]*$/.test(file) && !file.split('/').some((part) => part === '' || part === '.' || part === '..');
}

/** The line of Envoy's output that says why: not the generic "error initializing configuration". */
function envoyReason(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const specific = lines.find((line) => /constraint|validation failed|invalid|must|unknown|duplicate|not found|malformed/i.test(line) && !/error initializing configuration/.test(line));
  return specific ?? lines.find((line) => /error|exception/i.test(line)) ?? output.slice(0, 200);
}

function runEnvoy(check: EnvoyCheck, config: EnvoyConfig): string | undefined {
  const dir = path.join(check.scratch, 'case');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Gateway credentials the config names: <certificateDirectory>/<credentialName>/tls.crt, …
  const text = JSON.stringify(config.bootstrap);
  const prefix = check.certificateDirectory.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const [, name] of text.matchAll(new RegExp(`${prefix}/([^/"]+)/(?:tls\\.crt|tls\\.key|ca\\.crt)`, 'g'))) {
    const credentials = path.join(check.certificateDirectory, name!);
    mkdirSync(credentials, { recursive: true });
    copyFileSync(path.join(check.certificateDirectory, 'cert-chain.pem'), path.join(credentials, 'tls.crt'));
    copyFileSync(path.join(check.certificateDirectory, 'key.pem'), path.join(credentials, 'tls.key'));
    copyFileSync(path.join(check.certificateDirectory, 'root-cert.pem'), path.join(credentials, 'ca.crt'));
  }
  const file = path.join(dir, 'envoy.yaml');
  writeFileSync(file, envoyConfigToYaml(config));
  const result = spawnSync(check.binary, ['--mode', 'validate', '-c', file, '--log-level', 'error', '--disable-hot-restart'], { encoding: 'utf8', timeout: 60_000 });
  if (result.status === 0) return undefined;
  return `${result.stdout}\n${result.stderr}`.trim() || `exit ${result.status} ${result.signal ?? ''}`;
}

// ---------------------------------------------------------------------------------------------

function crash(stage: string, error: unknown): Defect {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const frame = stack.split('\n').find((line) => line.includes('/src/'))?.replace(/^.*\/src\//, 'src/').replace(/:\d+\)?$/, '') ?? '';
  // The stage is left out: one root cause met by compile and by the determinism check is one defect.
  return { kind: 'crash', signature: `crash: ${normalize(message)} @ ${frame}`, detail: `${stage}: ${stack || message}` };
}

function escape(format: string, text: string): Defect {
  const match = CONTROL.exec(text);
  const code = match ? match[0].charCodeAt(0) : 0;
  const range = code === 0x0d ? 'CR' : code < 0x20 ? 'C0' : code === 0x7f ? 'DEL' : 'C1';
  return { kind: 'escape', signature: `escape: ${format}: ${range} control character`, detail: excerpt(text, CONTROL) };
}

function excerpt(text: string, pattern: RegExp): string {
  const index = text.search(pattern);
  return JSON.stringify(text.slice(Math.max(0, index - 80), index + 80));
}

/** A message without the values in it: quoted text, numbers and names give way to placeholders. */
export function normalize(message: string): string {
  return message
    .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
    .replace(/'(?:[^'\\]|\\.)*'/g, "'…'")
    .replace(/`[^`]*`/g, '`…`')
    .replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N')
    .replace(/\/tmp\/\S+/g, 'TMP')
    .slice(0, 200);
}

function normalizePath(violationPath: string): string {
  return violationPath
    .replace(/\[\d+\]/g, '[]')
    .replace(/\["[^"]*"\]/g, '[*]')
    .replace(/\.(ports|labels|matchLabels|annotations|data|selector)\.[^.[]+/g, '.$1[*]');
}

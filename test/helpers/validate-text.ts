// Validates mesh text held in memory, as one file, for focused tests.
import { loadSources, SourceText, validate, type ValidationResult } from '../../src/index.js';
import type { LevelSetting } from '../../src/diagnostics/types.js';

export function validateText(text: string, file = 'mesh.yaml', rules?: Record<string, LevelSetting>): ValidationResult {
  return validate(loadSources([new SourceText(file, text)]), rules ? { rules } : {});
}

/** "CODE@line" for each diagnostic, sorted: what fixtures declare with `# expect:`. */
export function codesAtLines(result: ValidationResult): string[] {
  return result.diagnostics.map((d) => `${d.code}@${d.span.line}`).sort();
}

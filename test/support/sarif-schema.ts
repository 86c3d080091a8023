// A validator for SARIF 2.1.0 logs: the OASIS JSON Schema (draft-04), pinned in
// scripts/externals.json, compiled with ajv-draft-04 once per test file.
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { externalFile } from './externals.js';

let compiled: ValidateFunction | undefined;

export function sarifValidator(): ValidateFunction {
  if (compiled) return compiled;
  // A CommonJS module: its class is both the module and its `default`, whichever interop loads it.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  // The formats the SARIF schema uses, checked rather than ignored.
  ajv.addFormat('uri', (text: string) => URL.canParse(text) && !/\s/.test(text));
  ajv.addFormat('uri-reference', (text: string) => URL.canParse(text, 'file:///base/') && !/\s/.test(text));
  ajv.addFormat('date-time', (text: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/.test(text) && !Number.isNaN(Date.parse(text)));
  compiled = ajv.compile(JSON.parse(readFileSync(externalFile('sarif-schema'), 'utf8')));
  return compiled;
}

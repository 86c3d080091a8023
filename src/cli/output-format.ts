// -o/--output names the output format on every command, as in kubectl (-o json, -o yaml); files
// and directories have flags of their own (--output-file, --out-dir). Earlier releases took -o as
// the file (validate, graph, review) or directory (compile) and -f/--format as the format: those
// spellings still work for one release, with a deprecation warning, except that a format name is
// never taken as a file name (`validate -o json` used to write a file called "json").
import { UserError } from '../diagnostics/user-error.js';
import { Flags } from '@oclif/core';
import { formatWarning } from './error-style.js';

/**
 * Every format any meshctl command writes, and other format names people try (kubectl's, image
 * formats): none of these is ever taken as a file or directory name.
 */
export const FORMAT_NAMES: readonly string[] = [
  ...['stylish', 'json', 'yaml', 'sarif', 'github', 'markdown', 'mermaid', 'dot', 'text'],
  ...['yml', 'wide', 'name', 'table', 'txt', 'md', 'mmd', 'svg', 'png', 'pdf', 'html', 'xml', 'csv', 'junit', 'checkstyle'],
];

export type OutputDestination = 'file' | 'directory' | 'none';

/** The -o/--output flag and the deprecated -f/--format, for a command writing these formats. */
export function outputFlags(formats: readonly string[], defaultFormat: string) {
  return {
    output: Flags.string({
      char: 'o',
      summary: `Output format: ${formats.join('|')} (default: ${defaultFormat}).`,
      helpValue: formats.join('|'),
    }),
    format: Flags.string({ char: 'f', summary: 'Deprecated: use -o/--output.', hidden: true }),
  };
}

export interface OutputChoice {
  format: string;
  /** The file or directory to write; undefined for standard output. */
  target?: string;
  /** Deprecation warnings to print (already formatted). */
  warnings: string[];
}

export class OutputFlagError extends UserError {}

/**
 * Reads -o, the deprecated -f/--format, and the file or directory flag (`targetFlag`, e.g.
 * "--output-file") into one choice. Throws OutputFlagError for a value that is neither a format of
 * this command nor, where the old spelling allowed it, a file name.
 */
export function resolveOutput(
  flags: { output?: string; format?: string },
  options: { formats: readonly string[]; defaultFormat: string; destination: OutputDestination; targetFlag?: string; target?: string },
): OutputChoice {
  const warnings: string[] = [];
  const list = options.formats.join(', ');
  let format: string | undefined;
  let target = options.target;
  if (flags.output !== undefined) {
    if (options.formats.includes(flags.output)) {
      format = flags.output;
    } else if (FORMAT_NAMES.includes(flags.output) || options.destination === 'none' || options.targetFlag === undefined) {
      throw new OutputFlagError(`-o ${flags.output}: not an output format of this command; expected one of ${list}${options.targetFlag ? ` (to write to a ${options.destination}, use ${options.targetFlag})` : ''}`);
    } else {
      if (target !== undefined) throw new OutputFlagError(`-o ${flags.output} and ${options.targetFlag} ${target}: give the ${options.destination} once, with ${options.targetFlag}`);
      target = flags.output;
      warnings.push(formatWarning(`-o ${flags.output}: -o now names the output format (${list}); a ${options.destination} given with -o is deprecated and will be refused in the next release: use ${options.targetFlag} ${flags.output}`));
    }
  }
  if (flags.format !== undefined) {
    if (!options.formats.includes(flags.format)) throw new OutputFlagError(`--format ${flags.format}: expected one of ${list}`);
    if (format !== undefined && format !== flags.format) throw new OutputFlagError(`-o ${format} and --format ${flags.format} disagree: give the format once, with -o`);
    format = flags.format;
    warnings.push(formatWarning(`-f/--format is deprecated: use -o ${flags.format}`));
  }
  return { format: format ?? options.defaultFormat, ...(target !== undefined ? { target } : {}), warnings };
}

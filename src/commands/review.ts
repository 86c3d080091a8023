import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import { writeStdout } from '../cli/stdout.js';
import { outputFlags } from '../cli/output-format.js';
import { OBJECT_TARGETS } from '../targets/index.js';

const FORMATS = ['stylish', 'markdown', 'json', 'sarif', 'github'];
const OBJECT_TARGET_NAMES = OBJECT_TARGETS.map((target) => target.name);

export default class Review extends MeshctlCommand {
  static override summary = 'Review the change in a mesh\'s behaviour between two git revisions.';
  static override description = `Reads the mesh at --base and at --head from git's object database (never touching the working tree or the index; without --head, the working tree is the head, uncommitted edits and untracked files included), validates and compiles both, and reports what changes: traffic shares per route, A/B cohort routes, routes added, removed or reordered, timeouts, retries, faults, rate limits, load balancing and circuit breaking; access changes, each widened or narrowed; validation findings the head introduces; and the compiled objects that differ, with their YAML diffs.

PATHS are files or directories relative to the current directory, as for "meshctl validate" (default: the paths of .meshctl.yaml, else the current directory); the repository is the one that holds the first path, so it may be run from anywhere. A path missing at one revision is an empty mesh there. Directory searches skip what validate skips: .meshctl.yaml's ignore patterns, compile output, other tools' YAML.

Every change carries the file, line and column of the mesh text that made it (-o json, sarif, github), so a bot can comment on that line. A side with errors is not compiled; its errors are listed.

--fail-on sets the exit code for CI gates:
  widened-access  any access change classified widened
  risky           widened access, new errors, a destination's share of a route rising by more than 25 points, retries or a timeout removed, fault injection introduced, circuit breaking or outlier detection removed, a route no longer reached, or a service removed
  any             any change at all

EXIT CODES
  0  reviewed; --fail-on not given or not met
  1  reviewed, and the --fail-on condition is met (the review is still written)
  2  usage error, not a git repository, a revision not found, or internal error`;
  static override examples = [
    '<%= config.bin %> review --base origin/main',
    '<%= config.bin %> review --base origin/main mesh/ -o markdown --output-file review.md',
    '<%= config.bin %> review --base v1.4.0 --head HEAD -o json',
    '<%= config.bin %> review --base origin/main --fail-on widened-access',
    '<%= config.bin %> review --base origin/main -o github',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of the mesh, relative to the current directory', required: false }),
  };
  static override flags = {
    target: Flags.string({
      char: 't',
      summary: `The target to compile both sides to, one whose output is Kubernetes objects (default: the target of .meshctl.yaml when it is one, else ${OBJECT_TARGET_NAMES[0]}).`,
      options: OBJECT_TARGET_NAMES,
    }),
    base: Flags.string({ summary: 'The revision to compare against: a branch, tag or commit (e.g. origin/main).', required: true }),
    head: Flags.string({ summary: 'The revision under review; default: the working tree.' }),
    ...outputFlags(FORMATS, 'stylish'),
    'output-file': Flags.string({ summary: 'Write the review to this file (atomically) instead of standard output.', helpValue: 'FILE' }),
    'fail-on': Flags.string({ summary: 'Exit 1 when the review shows this.', options: ['widened-access', 'risky', 'any'] }),
    rule: Flags.string({ summary: 'Set a rule\'s level on both sides: CODE=off|info|warning|error. Repeatable.', multiple: true }),
    diffs: Flags.boolean({ summary: 'With -o stylish, print each changed object\'s diff.', default: false }),
    color: Flags.boolean({ summary: 'Colour the stylish output.', allowNo: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Review);
    const output = this.outputChoice(flags, { formats: FORMATS, defaultFormat: 'stylish', destination: 'file', targetFlag: '--output-file', target: flags['output-file'] });
    const rules = await this.ruleLevels(flags.rule, argv as string[]);
    const [{ readMeshRevisions }, review] = await Promise.all([import('../git/mesh-revisions.js'), import('../review/index.js')]);

    // A git failure is a UserError: the base command reports it.
    const config = await this.projectConfig(argv as string[]);
    const revisions = await readMeshRevisions({
      base: flags.base,
      ...(flags.head !== undefined ? { head: flags.head } : {}),
      paths: await this.meshPaths(argv as string[]),
      ...(config ? { ignore: (absolute: string) => config.ignores(absolute) } : {}),
    });
    const base = review.prepareReviewSide(revisions.base.loaded, revisions.base, { rules });
    const head = review.prepareReviewSide(revisions.head.loaded, revisions.head, { rules });
    const projectTarget = config?.target;
    const result = review.reviewMesh(base, head);
    const condition = flags['fail-on'] as (typeof review.FAIL_ON)[number] | undefined;
    const failed = condition !== undefined && review.matchesFailOn(result, condition);

    let text: string;
    if (output.format === 'json') text = review.renderReviewJson(result, condition ? { condition, matched: failed } : undefined);
    else if (output.format === 'markdown') text = review.renderReviewMarkdown(result);
    else if (output.format === 'sarif') text = review.renderReviewSarif(result, { toolVersion: this.config.version });
    else if (output.format === 'github') text = review.renderReviewGithub(result);
    else text = review.renderReviewStylish(result, { color: output.target ? false : shouldColor(flags.color, process.env, Boolean(process.stdout.isTTY)), diffs: flags.diffs });

    if (output.target) {
      await this.writeFile(output.target, text);
    } else {
      await writeStdout(text);
    }
    if (failed) {
      process.stderr.write(`meshctl: review: --fail-on ${condition} matched\n`);
      this.exit(EXIT.findings);
    }
  }
}

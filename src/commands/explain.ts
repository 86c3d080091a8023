import { Args } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { writeStdout } from '../cli/stdout.js';

export default class Explain extends MeshctlCommand {
  static override summary = 'Describe a field of the mesh file format: its type, description, allowed values and fields.';
  static override description = `Like "kubectl explain": FIELD is a kind followed by field names, separated by dots (list items are transparent: service.spec.routes.match). Generated from the same schema meshctl validates with; docs/format.md lists every field.`;
  static override examples = ['<%= config.bin %> explain service', '<%= config.bin %> explain service.spec.canary', '<%= config.bin %> explain mesh.spec.egress'];
  static override args = {
    field: Args.string({ description: 'KIND[.FIELD...], e.g. service.spec.canary', required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Explain);
    const { explainText, findField } = await import('../schema/format-reference.js');
    await writeStdout(explainText(findField(args.field)));
  }
}

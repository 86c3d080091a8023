import { MeshctlCommand } from '../cli/base-command.js';
import { writeStdout } from '../cli/stdout.js';

export default class Schema extends MeshctlCommand {
  static override summary = 'Print the JSON Schema of mesh files (for editors and other tools).';
  static override description = 'The schema is generated from the same definition meshctl validates with. Editors that use yaml-language-server complete and check mesh files with it when a file starts with "# yaml-language-server: $schema=<path or URL>".';
  static override examples = ['<%= config.bin %> schema > mesh.schema.json'];

  async run(): Promise<void> {
    await this.parse(Schema);
    const { meshJsonSchemaText } = await import('../schema/json-schema.js');
    await writeStdout(meshJsonSchemaText());
  }
}

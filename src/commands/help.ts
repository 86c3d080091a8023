import { Args, loadHelpClass } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';

export default class Help extends MeshctlCommand {
  static override summary = 'Show help for meshctl or one of its commands (the same as COMMAND --help or -h).';
  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help validate'];
  static override strict = false;
  static override args = {
    command: Args.string({ description: 'the command to explain', required: false }),
  };

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const words = argv as string[];
    const id = words.join(':');
    if (id !== '' && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      const { suggestCommand } = await import('../cli/suggest-command.js');
      this.fail(suggestCommand(words.join(' '), this.config.commandIDs));
    }
    const HelpClass = await loadHelpClass(this.config);
    const help = new HelpClass(this.config, this.config.pjson.oclif.helpOptions ?? {});
    const command = id === '' ? undefined : this.config.findCommand(id);
    // showHelp(["help"]) would show the overview: oclif reads "help" there as a request for help.
    if (command) await help.showCommandHelp(command, this.config.topics);
    else await help.showHelp(words);
  }
}

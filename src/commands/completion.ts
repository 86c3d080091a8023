import { Args } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { SHELLS, completionScript, flagValues, type CompletionCommand, type Shell } from '../cli/completion.js';
import { writeStdout } from '../cli/stdout.js';

export default class Completion extends MeshctlCommand {
  static override summary = 'Print a shell completion script for bash, zsh or fish.';
  static override description = `Completes commands, flags, output formats and other fixed flag values; file and directory names elsewhere. The script is static: completing never runs meshctl.

  bash   source <(meshctl completion bash)        (or save it in /etc/bash_completion.d/meshctl)
  zsh    source <(meshctl completion zsh)         (in ~/.zshrc)
  fish   meshctl completion fish | source         (or save it in ~/.config/fish/completions/meshctl.fish)`;
  static override examples = ['<%= config.bin %> completion bash > ~/.local/share/bash-completion/completions/meshctl', 'source <(<%= config.bin %> completion zsh)'];
  static override args = {
    shell: Args.string({ description: 'the shell', options: [...SHELLS], required: true }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Completion);
    const commands: CompletionCommand[] = this.config.commands
      .filter((command) => !command.hidden)
      .map((command) => ({
        id: command.id.replaceAll(':', ' '),
        ...(command.summary ? { summary: command.summary } : {}),
        flags: Object.values(command.flags)
          .filter((flag) => !flag.hidden)
          .map((flag) => {
            const values = flag.type === 'option' ? flagValues(flag) : undefined;
            const helpValue = flag.type === 'option' ? flag.helpValue : undefined;
            return {
              name: flag.name,
              ...(flag.char ? { char: flag.char } : {}),
              takesValue: flag.type === 'option',
              ...(values ? { values } : {}),
              ...(helpValue === 'DIR' ? { valueKind: 'directory' as const } : helpValue === 'FILE' ? { valueKind: 'file' as const } : {}),
              ...(flag.type === 'boolean' && flag.allowNo ? { allowNo: true } : {}),
              ...(flag.summary ? { summary: flag.summary } : {}),
            };
          }),
        ...(command.id === 'help' ? { argumentWords: this.config.commands.filter((c) => !c.hidden).map((c) => c.id) } : {}),
        ...(command.id === 'completion' ? { argumentWords: [...SHELLS] } : {}),
      }));
    await writeStdout(completionScript(args.shell as Shell, commands));
  }
}

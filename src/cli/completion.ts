// Shell completion scripts for bash, zsh and fish, generated from the commands' own flag
// definitions, so a new flag or format completes without a list to keep in step. The scripts are
// static: pressing TAB never starts node.

export interface CompletionFlag {
  name: string;
  char?: string;
  /** A flag that takes a value; false for a switch. */
  takesValue: boolean;
  /** The values it accepts, when they are a fixed list. */
  values?: readonly string[];
  /** What its value names, for file-name completion. */
  valueKind?: 'file' | 'directory';
  allowNo?: boolean;
  summary?: string;
}

export interface CompletionCommand {
  id: string;
  summary?: string;
  flags: readonly CompletionFlag[];
  /** Fixed words its arguments complete to (help: command names; completion: shells). */
  argumentWords?: readonly string[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** A flag's fixed values: oclif's options, or a help value spelled as choices ("json|yaml"). */
export function flagValues(flag: { options?: readonly string[]; helpValue?: string | string[] }): string[] | undefined {
  if (flag.options && flag.options.length > 0) return [...flag.options];
  const helpValue = Array.isArray(flag.helpValue) ? flag.helpValue.join('|') : flag.helpValue;
  if (helpValue && /^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+$/.test(helpValue)) return helpValue.split('|');
  return undefined;
}

export function completionScript(shell: Shell, commands: readonly CompletionCommand[]): string {
  const sorted = [...commands].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (shell === 'fish') return fishScript(sorted);
  const bash = bashScript(sorted);
  if (shell === 'bash') return bash;
  return `#compdef meshctl
# meshctl completion for zsh. Load it with:  source <(meshctl completion zsh)
# (or save it as _meshctl in a directory on $fpath). It uses zsh's bash-completion layer.
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit }
autoload -U +X bashcompinit && bashcompinit
${bash.split('\n').filter((line) => !line.startsWith('#')).join('\n')}`;
}

function words(list: readonly string[]): string {
  return list.join(' ');
}

function bashScript(commands: readonly CompletionCommand[]): string {
  const cases = commands.map((command) => {
    const flagWords = command.flags.flatMap((flag) => [`--${flag.name}`, ...(flag.allowNo ? [`--no-${flag.name}`] : []), ...(flag.char ? [`-${flag.char}`] : [])]);
    const valueCases = command.flags
      .filter((flag) => flag.takesValue)
      .map((flag) => {
        const spellings = [`--${flag.name}`, ...(flag.char ? [`-${flag.char}`] : [])].join('|');
        const reply = flag.values
          ? `COMPREPLY=($(compgen -W "${words(flag.values)}" -- "$cur"))`
          : flag.valueKind === 'directory'
            ? 'COMPREPLY=($(compgen -d -- "$cur"))'
            : flag.valueKind === 'file'
              ? 'COMPREPLY=($(compgen -f -- "$cur"))'
              : 'COMPREPLY=()';
        return `        ${spellings}) ${reply}; return ;;`;
      });
    const argumentReply = command.argumentWords ? `COMPREPLY=($(compgen -W "${words(command.argumentWords)}" -- "$cur"))` : 'COMPREPLY=($(compgen -f -- "$cur"))';
    return `    ${command.id})
      flags="${words(flagWords)} --help -h"
      case "$prev" in
${valueCases.join('\n')}
      esac
      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); else ${argumentReply}; fi
      ;;`;
  });
  return `# meshctl completion for bash. Load it with:  source <(meshctl completion bash)
# or save it:  meshctl completion bash > /etc/bash_completion.d/meshctl
_meshctl() {
  local cur prev flags
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # "--output=js<TAB>": bash splits at "=", so the flag is the word before it.
  if [[ "$cur" == "=" ]]; then cur=""; elif [[ "$prev" == "=" && $COMP_CWORD -ge 2 ]]; then prev="\${COMP_WORDS[COMP_CWORD-2]}"; fi
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${words(commands.map((c) => c.id))}" -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases.join('\n')}
    *) COMPREPLY=() ;;
  esac
}
complete -o default -F _meshctl meshctl
`;
}

function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function fishScript(commands: readonly CompletionCommand[]): string {
  const ids = words(commands.map((c) => c.id));
  const lines = [
    '# meshctl completion for fish. Load it with:  meshctl completion fish | source',
    '# or save it:  meshctl completion fish > ~/.config/fish/completions/meshctl.fish',
    'complete -c meshctl -f',
    ...commands.map((c) => `complete -c meshctl -n "not __fish_seen_subcommand_from ${ids}" -a ${c.id} -d ${fishQuote(c.summary ?? '')}`),
  ];
  for (const command of commands) {
    const when = `-n "__fish_seen_subcommand_from ${command.id}"`;
    if (command.argumentWords) lines.push(`complete -c meshctl ${when} -a ${fishQuote(words(command.argumentWords))}`);
    else lines.push(`complete -c meshctl ${when} -F`);
    for (const flag of command.flags) {
      const spelling = `${flag.char ? `-s ${flag.char} ` : ''}-l ${flag.name}`;
      const value = !flag.takesValue ? '' : flag.values ? ` -x -a ${fishQuote(words(flag.values))}` : flag.valueKind === 'directory' ? " -x -a '(__fish_complete_directories)'" : flag.valueKind === 'file' ? ' -r -F' : ' -x';
      lines.push(`complete -c meshctl ${when} ${spelling}${value} -d ${fishQuote(flag.summary ?? '')}`);
      if (flag.allowNo) lines.push(`complete -c meshctl ${when} -l no-${flag.name} -d ${fishQuote(`not --${flag.name}`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

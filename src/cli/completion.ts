import type { Command } from 'commander';
import { listCommands } from './reference.js';

/** Bash completion generated from the command tree: subcommands, then each command's flags. */
export function bashCompletion(program: Command): string {
  const commands = listCommands(program);
  const globals = program.options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
  const top = commands.filter((c) => !c.name.includes(' ')).map((c) => c.name);
  const flagsOf = (name: string) => [
    ...(commands.find((c) => c.name === name)?.options ?? []).flatMap((o) => o.flags.split(/[ ,|]+/).filter((f) => f.startsWith('-'))),
    ...globals,
  ];
  const subsOf = (name: string) => commands.filter((c) => c.name.startsWith(`${name} `) && c.name.split(' ').length === name.split(' ').length + 1).map((c) => c.name.split(' ').pop());
  const cases = commands.map((c) => `    "${c.name}") words="${[...subsOf(c.name), ...flagsOf(c.name)].join(' ')}" ;;`).join('\n');
  return `# alpaca-billing bash completion: eval "$(alpaca-billing completion bash)"
_alpaca_billing_words() {
  local words=""
  case "$1" in
    "") words="${[...top, ...globals].join(' ')}" ;;
${cases}
  esac
  echo "$words"
}
_alpaca_billing() {
  local cur path="" w
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for w in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$w" in
      -*) ;;
      *) if [[ " $(_alpaca_billing_words "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; fi ;;
    esac
  done
  COMPREPLY=( $(compgen -W "$(_alpaca_billing_words "$path")" -- "$cur") )
}
complete -o default -F _alpaca_billing alpaca-billing`;
}

/** zsh runs the bash script through bashcompinit. */
export function zshCompletion(program: Command): string {
  return `#compdef alpaca-billing
# alpaca-billing zsh completion: eval "$(alpaca-billing completion zsh)" (after compinit)
autoload -U bashcompinit && bashcompinit
${bashCompletion(program)}`;
}

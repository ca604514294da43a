import type { CommandResult } from '../cli/command-result.js';
import { UserError } from '../errors.js';
import { buildProgram } from '../cli/program.js';
import { bashCompletion, zshCompletion } from '../cli/completion.js';

/** `alpaca-billing completion bash|zsh`: a completion script generated from the command tree. */
export async function completionCommand(_ctx: unknown, _opts: unknown, shell: string): Promise<CommandResult> {
  const program = buildProgram(() => async () => {});
  if (shell !== 'bash' && shell !== 'zsh') throw new UserError(`completion supports bash and zsh, got '${shell}'.`, { hint: 'alpaca-billing completion bash  |  alpaca-billing completion zsh' });
  const script = shell === 'bash' ? bashCompletion(program) : zshCompletion(program);
  return { data: { shell, script }, render: (out) => out.line(script) };
}

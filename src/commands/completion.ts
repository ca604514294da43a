import type { CommandContext } from '../cli/context.js';
import { UserError } from '../errors.js';
import { buildProgram } from '../cli/program.js';
import { bashCompletion, zshCompletion } from '../cli/completion.js';

/** `alpaca-billing completion bash|zsh`: a completion script generated from the command tree. */
export async function completionCommand(ctx: CommandContext, _opts: unknown, shell: string): Promise<number> {
  const program = buildProgram(() => async () => {});
  if (shell === 'bash') ctx.out.line(bashCompletion(program));
  else if (shell === 'zsh') ctx.out.line(zshCompletion(program));
  else throw new UserError(`completion supports bash and zsh, got '${shell}'.`, { hint: 'alpaca-billing completion bash  |  alpaca-billing completion zsh' });
  return 0;
}

import { CancelledError, UserError } from '../errors.js';

/**
 * Questions a command may ask, on stderr (stdout carries data, e.g. --json). Without a TTY (or with
 * CI set) they fail naming the flag to use.
 */
export interface Prompter {
  readonly interactive: boolean;
  confirm(message: string, options: { flag: string; default?: boolean }): Promise<boolean>;
  input(message: string, options: { flag: string; default?: string; validate?: (v: string) => true | string }): Promise<string>;
  select<T extends string>(message: string, options: { flag: string; choices: readonly T[]; default?: T }): Promise<T>;
}

/**
 * Ctrl-C at an inquirer prompt rejects with its ExitPromptError (AbortPromptError when our signal
 * fired): the user's answer "no, stop", not a bug.
 */
async function ask<T>(question: () => Promise<T>): Promise<T> {
  try {
    return await question();
  } catch (err) {
    const name = (err as Error)?.name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError') throw new CancelledError('Cancelled at the prompt; nothing was changed.');
    throw err;
  }
}

export function createPrompter(options: { interactive: boolean; signal?: AbortSignal }): Prompter {
  const context = { output: process.stderr, signal: options.signal };
  const refuse = (flag: string): never => {
    throw new UserError(`This needs an answer, and there is no terminal to ask on (no TTY, or CI is set).`, { hint: `Pass ${flag}.` });
  };
  return {
    interactive: options.interactive,
    async confirm(message, { flag, default: def }) {
      if (!options.interactive) return refuse(flag);
      const { confirm } = await import('@inquirer/prompts');
      return ask(() => confirm({ message, default: def ?? false }, context));
    },
    async input(message, { flag, default: def, validate }) {
      if (!options.interactive) {
        if (def !== undefined) return def;
        return refuse(flag);
      }
      const { input } = await import('@inquirer/prompts');
      return ask(() => input({ message, default: def, validate }, context));
    },
    async select(message, { flag, choices, default: def }) {
      if (!options.interactive) {
        if (def !== undefined) return def;
        return refuse(flag);
      }
      const { select } = await import('@inquirer/prompts');
      return ask(() => select({ message, choices: choices.map((c) => ({ value: c, name: c })), default: def }, context));
    },
  };
}

/** A prompter with scripted answers, for tests. */
export function scriptedPrompter(answers: Record<string, unknown>): Prompter {
  const answer = (message: string) => {
    for (const [k, v] of Object.entries(answers)) if (message.includes(k)) return v;
    throw new Error(`no scripted answer for prompt: ${message}`);
  };
  return {
    interactive: true,
    confirm: async (m) => Boolean(answer(m)),
    input: async (m) => String(answer(m)),
    select: async (m) => answer(m) as never,
  };
}

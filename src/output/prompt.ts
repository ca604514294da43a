import { UserError } from '../errors.js';

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

export function createPrompter(options: { interactive: boolean }): Prompter {
  const refuse = (flag: string): never => {
    throw new UserError(`This needs an answer, and there is no terminal to ask on (no TTY, or CI is set).`, { hint: `Pass ${flag}.` });
  };
  return {
    interactive: options.interactive,
    async confirm(message, { flag, default: def }) {
      if (!options.interactive) return refuse(flag);
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message, default: def ?? false }, { output: process.stderr });
    },
    async input(message, { flag, default: def, validate }) {
      if (!options.interactive) {
        if (def !== undefined) return def;
        return refuse(flag);
      }
      const { input } = await import('@inquirer/prompts');
      return input({ message, default: def, validate }, { output: process.stderr });
    },
    async select(message, { flag, choices, default: def }) {
      if (!options.interactive) {
        if (def !== undefined) return def;
        return refuse(flag);
      }
      const { select } = await import('@inquirer/prompts');
      return select({ message, choices: choices.map((c) => ({ value: c, name: c })), default: def }, { output: process.stderr });
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

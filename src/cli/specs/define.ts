/**
 * What every command spec uses to declare itself: groups whose subcommands are defined only when the
 * command line names them (see buildProgram), and flag parsers that name the flag in their errors.
 */
import { InvalidArgumentError, type Command } from 'commander';

const groupDefinitions = new WeakMap<Command, (group: Command) => void>();

/** A command group whose subcommands `define` adds (see buildProgram). */
export function group(program: Command, name: string, description: string, define: (group: Command) => void): void {
  groupDefinitions.set(program.command(name).description(description), define);
}

/** Adds a group's subcommands (nothing for a command that is not a group). */
export function defineGroup(command: Command): void {
  groupDefinitions.get(command)?.(command);
}

/** Parses a whole number flag, naming the flag in the error. */
export function intOption(flag: string, { min, max }: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : '';
      throw new InvalidFlagError(`${flag} takes a whole number${range}, got '${value}'`);
    }
    return n;
  };
}

/** Parses a number flag (decimals allowed). */
export function numberOption(flag: string, { min, max }: { min?: number; max?: number } = {}) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      throw new InvalidFlagError(`${flag} takes a number${min !== undefined ? ` ≥ ${min}` : ''}${max !== undefined ? ` ≤ ${max}` : ''}, got '${value}'`);
    }
    return n;
  };
}

class InvalidFlagError extends InvalidArgumentError {}

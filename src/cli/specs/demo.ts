import type { Command } from 'commander';
import type { Act } from '../run.js';

export function registerDemoCommands(_program: Command, _act: Act): void {
  // commands of this group are added here
}

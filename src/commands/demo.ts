import type { CommandContext } from "../cli/context.js";
export async function demoCommand(_ctx: CommandContext): Promise<number> { return 0; }

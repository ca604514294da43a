import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { renderReference, REFERENCE_START, REFERENCE_END, textBetween } from '../../src/cli/reference.js';
import { JSON_TABLE_END, JSON_TABLE_START, renderJsonTable } from '../../src/cli/json-reference.js';
import { bashCompletion } from '../../src/cli/completion.js';
import { run } from '../helpers/cli.js';

const program = () => buildProgram(() => async () => {});

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('embeds the command reference generated from the commander definitions (run `npm run docs` if this fails)', () => {
    const start = readme.indexOf(REFERENCE_START) + REFERENCE_START.length;
    const end = readme.indexOf(REFERENCE_END);
    expect(readme.slice(start, end).trim()).toBe(renderReference(program()).trim());
  });

  it('embeds the JSON output table generated from src/cli/json-reference.ts and the views (run `npm run docs` if this fails)', () => {
    expect(readme).toContain(JSON_TABLE_START);
    expect(textBetween(readme, JSON_TABLE_START, JSON_TABLE_END)).toBe(renderJsonTable().trim());
  });

  it('documents every command that --help lists', async () => {
    const help = (await run(['--help'])).stdout;
    const commandsSection = help.slice(help.indexOf('Commands:'));
    const listed = [...commandsSection.matchAll(/^ {2}([a-z][a-z-]*)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(listed.length).toBeGreaterThan(3);
    for (const name of listed) expect(readme).toContain(`### \`${name}`);
  });

  it("every command's --help, as users get it, is the help of the tree the reference is generated from", async () => {
    // The CLI defines a group's subcommands only when the command line names the group (start-up time).
    let written = '';
    const paths: string[][] = [];
    const walk = (command: Command, path: string[]) => {
      command.configureOutput({ writeOut: (text) => (written += text) });
      paths.push(path);
      for (const sub of command.commands) walk(sub, [...path, sub.name()]);
    };
    const full = program();
    walk(full, []);
    expect(paths.length).toBeGreaterThan(25);
    for (const path of paths) {
      written = '';
      path.reduce<Command>((c, name) => c.commands.find((s) => s.name() === name)!, full).outputHelp();
      expect({ path, help: (await run([...path, '--help'])).stdout }).toEqual({ path, help: written });
    }
    for (const group of ['customers', 'subscriptions', 'invoice', 'usage', 'events', 'webhooks']) {
      expect((await run(['help', group])).stdout).toContain('Commands:');
    }
  });

  it('shows the two quick-start commands', () => {
    expect(readme).toContain('npm install && npm run demo');
    expect(readme).toContain('npm test');
  });
});

describe('completion', () => {
  // Runs the generated script in a real bash and asks it to complete a few command lines.
  const complete = (line: string): string[] => {
    const dir = mkdtempSync(join(tmpdir(), 'ab-completion-'));
    const script = join(dir, 'c.sh');
    const words = line.split(' ');
    writeFileSync(script, `${bashCompletion(program())}
COMP_WORDS=(${words.map((w) => `"${w}"`).join(' ')}); COMP_CWORD=${words.length - 1}
_alpaca_billing; printf '%s\\n' "\${COMPREPLY[@]}"`);
    return execFileSync('bash', [script], { encoding: 'utf8' }).split('\n').filter(Boolean);
  };

  it('completes top-level commands', () => {
    expect(complete('alpaca-billing val')).toEqual(['validate']);
  });

  it("completes a command's own flags", () => {
    expect(complete('alpaca-billing init --pro')).toEqual(expect.arrayContaining(['--product', '--product-id', '--profile']));
  });

  it('prints scripts for bash and zsh and refuses other shells with exit 3', async () => {
    expect((await run(['completion', 'bash'])).stdout).toContain('complete -o default -F _alpaca_billing alpaca-billing');
    expect((await run(['completion', 'zsh'])).stdout).toContain('bashcompinit');
    const fish = await run(['completion', 'fish']);
    expect(fish.code).toBe(3);
    expect(fish.stderr).toContain('bash and zsh');
  });
});

describe('version', () => {
  it('is the package version, with and without the fast path', async () => {
    const { VERSION } = await import('../../src/cli/version.js');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(VERSION).toBe(pkg.version);
    expect(execFileSync(process.execPath, ['bin/alpaca-billing.cjs', '--version'], { encoding: 'utf8' }).trim()).toBe(pkg.version);
    expect((await run(['--version'])).stdout.trim()).toBe(pkg.version);
  });
});

#!/usr/bin/env node
// Runs every bench/*.bench.mjs (or those named on the command line) against the built code and
// writes BENCHMARKS.md: the machine and date, then each benchmark's own Markdown section.
// A benchmark script prints its section (Markdown) on stdout and its progress on stderr.
import { spawnSync, execSync } from 'node:child_process';
import { readdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const scripts = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

execSync('npm run build', { cwd: root, stdio: 'inherit' });

const sections = new Map();
const outFile = join(root, 'BENCHMARKS.md');
/** Notes written by hand about a benchmark (`<!-- bench: usage.bench.mjs:notes -->`: profiles before and after a change) survive every run. */
const notes = new Map();
if (existsSync(outFile)) {
  const old = readFileSync(outFile, 'utf8').split(/^<!-- bench: (.+?) -->$/m);
  for (let i = 1; i < old.length; i += 2) {
    if (old[i].endsWith(':notes')) notes.set(old[i], old[i + 1].trim());
    // A partial run keeps the sections of benchmarks not re-run this time.
    else if (only.length) sections.set(old[i], old[i + 1].trim());
  }
}
let failed = 0;
for (const script of scripts) {
  process.stderr.write(`\n== ${script}\n`);
  const res = spawnSync(process.execPath, ['--expose-gc', join(root, 'bench', script)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) failed++;
  sections.set(script, (res.stdout || '').trim() + (res.status !== 0 ? `\n\n**FAILED** (exit ${res.status})` : ''));
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = `# Benchmarks

Written by \`npm run bench\` (\`bench/run.mjs\`); each section comes from one \`bench/*.bench.mjs\`.

- Date: ${new Date().toISOString()}
- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}
- Node ${process.version}
${only.length ? `- This date is of a partial run (${scripts.join(', ')}); the other sections are from the previous full run.\n` : ''}`;
const withNotes = [...sections.entries()].flatMap(([name, text]) => [[name, text], ...(notes.has(`${name}:notes`) ? [[`${name}:notes`, notes.get(`${name}:notes`)]] : [])]);
const body = withNotes.map(([name, text]) => `<!-- bench: ${name} -->\n${text}`).join('\n\n');
writeFileSync(outFile, `${header}\n${body}\n`);
process.stderr.write(`\nwrote ${outFile}\n`);
process.exitCode = failed ? 1 : 0;

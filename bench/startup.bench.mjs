// Start-up time of the CLI against bare Node, measured in the same run (issue 9):
// `--version` and `--help` within 30 ms of `node -e 0`, `validate` within 60 ms.
// The commands are spawned in turn, round after round, so that a slow spell of the machine
// falls on all of them alike rather than on whichever was being measured.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 60);
const warmups = 3;
const bin = join(root, 'bin', 'alpaca-billing.cjs');
const noCache = { ALPACA_BILLING_NO_CODE_CACHE: '1' };

const cases = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'alpaca-billing --version', args: [bin, '--version'], budget: 30 },
  { name: 'alpaca-billing --help', args: [bin, '--help'], budget: 30 },
  { name: 'alpaca-billing validate', args: [bin, 'validate'], budget: 60 },
  // Not goals: what the code cache (scripts/code-cache.mjs) is worth, shown for honesty.
  { name: 'alpaca-billing --help, code cache off', args: [bin, '--help'], env: noCache },
  { name: 'alpaca-billing validate, code cache off', args: [bin, 'validate'], env: noCache },
  // What commands that call Stripe add: the CLI loaded, then a Stripe client made, with the SDK
  // from the CLI's own cached bundle (dist/bundle/stripe.cjs) or, as before, from node_modules.
  { name: 'the CLI and a Stripe client, SDK bundled', args: ['-e', `new (require(${JSON.stringify(bin)}).loadCli().requireBundle('./stripe.cjs'))('sk_test_x')`] },
  { name: 'the CLI and a Stripe client, SDK from node_modules', args: ['-e', `require(${JSON.stringify(bin)}).loadCli(); new (require('stripe'))('sk_test_x')`] },
];

for (const c of cases) c.times = [];
for (let round = 0; round < runs + warmups; round++) {
  for (const c of cases) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, c.args, { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1', ...c.env } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 0) throw new Error(`${c.name} exited ${res.status}`);
    if (round >= warmups) c.times.push(ms); // the first rounds warm the file cache
  }
}

const stats = (times) => {
  const t = [...times].sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)], min: t[0] };
};
const base = stats(cases[0].times);
const rows = [];
let ok = true;
for (const c of cases) {
  const m = stats(c.times);
  if (c === cases[0]) {
    rows.push(`| \`${c.name}\` | ${m.median.toFixed(1)} | ${m.min.toFixed(1)} | ${m.p90.toFixed(1)} | – | – | – |`);
    continue;
  }
  const over = m.median - base.median;
  const pass = c.budget === undefined ? undefined : over <= c.budget;
  if (pass === false) ok = false;
  const goal = c.budget === undefined ? '(none)' : `≤ +${c.budget}`;
  const met = pass === undefined ? '–' : pass ? 'yes' : '**no**';
  rows.push(`| \`${c.name}\` | ${m.median.toFixed(1)} | ${m.min.toFixed(1)} | ${m.p90.toFixed(1)} | +${over.toFixed(1)} (min +${(m.min - base.min).toFixed(1)}) | ${goal} | ${met} |`);
  process.stderr.write(`${c.name}: median ${m.median.toFixed(1)} ms (+${over.toFixed(1)} over node)\n`);
}
// Wall time on a shared 2-core machine is noisy; instructions executed (valgrind's callgrind) are
// not, so they are given too when valgrind is installed: the same program gives the same count.
async function instructions(args) {
  const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', process.execPath, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise((done) => child.on('close', done));
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (!refs) throw new Error(`callgrind gave no count for ${args.join(' ')}:\n${stderr}`);
  return Number(refs[1].replaceAll(',', ''));
}
let instructionTable = '';
if (spawnSync('valgrind', ['--version']).status === 0) {
  process.stderr.write('counting instructions with callgrind…\n');
  const counted = cases.slice(0, 4);
  const counts = [];
  for (let i = 0; i < counted.length; i += 2) counts.push(...(await Promise.all(counted.slice(i, i + 2).map((c) => instructions(c.args)))));
  const fmt = (n) => `${(n / 1e6).toFixed(1)} M`;
  instructionTable = `
Instructions executed, counted by \`valgrind --tool=callgrind\` (one run each; repeatable to within about 2%):

| command | instructions | over node |
|---|---|---|
${counted.map((c, i) => `| \`${c.name}\` | ${fmt(counts[i])} | ${i === 0 ? '–' : `+${fmt(counts[i] - counts[0])} (+${((counts[i] / counts[0] - 1) * 100).toFixed(1)}%)`} |`).join('\n')}
`;
}

console.log(`## Start-up time

\`node bench/startup.bench.mjs\` (run by \`npm run bench\`): the commands below spawned in turn, ${runs} rounds after ${warmups} warm-up rounds, from the repository (whose pricing.yaml \`validate\` reads), stdout and stderr to /dev/null. Wall time in ms; "over node" compares medians (and minimums) with bare \`node -e 0\` in the same run. The goal is on the median.

How: \`bin/alpaca-billing.cjs\` answers \`--version\` itself. Otherwise it loads the CLI's frame (dist/bundle/alpaca-billing.cjs: command tree, settings, output; all \`--help\` needs), and a command's code comes from dist/bundle/commands.cjs when it runs; group subcommands (\`usage send\`…) are defined only when the command line names the group. Both bundles are CommonJS, compiled with V8's code caches, which the build writes after running \`--help\` and \`validate\` once (scripts/code-cache.mjs). The last two rows ignore the caches (\`ALPACA_BILLING_NO_CODE_CACHE=1\`), as happens when Node's version or flags differ from the build's.

| command | median | min | p90 | over node | goal | met |
|---|---|---|---|---|---|---|
${rows.join('\n')}
${instructionTable}`);
process.exitCode = ok ? 0 : 1;

// Start-up time of the CLI against bare Node, measured in the same run (issue 9):
// `--version` and `--help` within 30 ms of `node -e 0`, `validate` within 60 ms.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 40);
const bin = join(root, 'bin', 'alpaca-billing.js');

function measure(args) {
  const times = [];
  for (let i = 0; i < runs + 3; i++) {
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (res.status !== 0) throw new Error(`${args.join(' ')} exited ${res.status}`);
    if (i >= 3) times.push(ms); // the first runs warm the file cache
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], p90: times[Math.floor(times.length * 0.9)], min: times[0] };
}

const base = measure(['-e', '0']);
const cases = [
  ['alpaca-billing --version', [bin, '--version'], 30],
  ['alpaca-billing --help', [bin, '--help'], 30],
  ['alpaca-billing validate', [bin, 'validate'], 60],
];
const rows = [`| \`node -e 0\` | ${base.median.toFixed(1)} | ${base.p90.toFixed(1)} | – | – | – |`];
let ok = true;
for (const [name, args, budget] of cases) {
  const m = measure(args);
  const over = m.median - base.median;
  const pass = over <= budget;
  ok &&= pass;
  rows.push(`| \`${name}\` | ${m.median.toFixed(1)} | ${m.p90.toFixed(1)} | +${over.toFixed(1)} | ≤ +${budget} | ${pass ? 'yes' : '**no**'} |`);
  process.stderr.write(`${name}: median ${m.median.toFixed(1)} ms (+${over.toFixed(1)} over node)\n`);
}
console.log(`## Start-up time

\`node bench/startup.bench.mjs\` (run by \`npm run bench\`): each command spawned ${runs} times after 3 warm-up runs, wall time in ms, compared with bare \`node -e 0\` in the same run.

| command | median | p90 | over node | goal | met |
|---|---|---|---|---|---|
${rows.join('\n')}
`);
process.exitCode = ok ? 0 : 1;

// Preloaded (node --require) into the CLI that usage.bench.mjs spawns: at exit, writes the process's
// own CPU time (user + system, µs, from process.cpuUsage()) to $BENCH_CPU_FILE, so the benchmark can
// charge the ingest process alone and not the emulator it shares the machine with.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  if (process.env.BENCH_CPU_FILE) writeFileSync(process.env.BENCH_CPU_FILE, JSON.stringify(process.cpuUsage()));
});

// Preloaded (node --require) into the CLI that usage.bench.mjs spawns: at exit, writes the process's
// own CPU time (user + system, µs, from process.cpuUsage()) to $BENCH_CPU_FILE, so the benchmark can
// charge the ingest process alone and not the emulator it shares the machine with. With
// $BENCH_CPU_DIR instead, each process writes <dir>/<pid>.json: a run of several files and its
// worker processes (which inherit the preload) are charged together (usage-files.bench.mjs).
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

process.on('exit', () => {
  const file = process.env.BENCH_CPU_FILE ?? (process.env.BENCH_CPU_DIR && join(process.env.BENCH_CPU_DIR, `${process.pid}.json`));
  if (file) writeFileSync(file, JSON.stringify(process.cpuUsage()));
});

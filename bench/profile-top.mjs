#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from node --cpu-prof): the functions with the most self time, as a
// Markdown table. The CLI's bundles are minified, so positions in them are mapped back to the
// TypeScript source through the bundle's source map. Used by usage.bench.mjs (USAGE_BENCH_PROFILE=1); also runs alone:
//   node bench/profile-top.mjs file.cpuprofile [rows]
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

export function topFunctions(path, rows = 15) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const maps = new Map();
  const mapFor = (url) => {
    if (!maps.has(url)) {
      const file = url.startsWith('file://') ? fileURLToPath(url) : url;
      maps.set(url, existsSync(`${file}.map`) ? new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))) : undefined);
    }
    return maps.get(url);
  };
  const nameOf = ({ functionName, url, lineNumber, columnNumber }) => {
    const entry = url ? mapFor(url)?.findEntry(lineNumber, columnNumber) : undefined;
    if (entry?.originalSource) {
      const source = `${basename(entry.originalSource)}:${entry.originalLine + 1}`;
      return entry.name ? `${entry.name} ${source}` : `${functionName || '(anonymous)'} ${source}`;
    }
    return `${functionName || '(anonymous)'} ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
  };
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const name = nameOf(byNode.get(id).callFrame);
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, rows);
  return [
    '| self time | % | function |',
    '|---|---|---|',
    ...top.map(([name, us]) => `| ${(us / 1000).toFixed(0)} ms | ${((100 * us) / total).toFixed(1)} | \`${name}\` |`),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(topFunctions(process.argv[2], Number(process.argv[3] ?? 15)) + '\n');
}

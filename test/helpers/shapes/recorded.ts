/**
 * Reads what the emulators of a test run recorded (src/emulator/http/record.ts) and checks every
 * response against the SDK's types; returns a report of the divergences, grouped, or '' if none.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkResponse, type Divergence } from './check.js';
import { loadSchema } from './derive.js';

export { loadSchema };

export interface RecordedCheck {
  responses: number;
  processes: number;
  report: string;
}

export async function checkRecorded(dir: string): Promise<RecordedCheck> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ndjson'));
  if (files.length === 0) return { responses: 0, processes: 0, report: '' };
  const schema = await loadSchema();
  const groups = new Map<string, { d: Divergence; count: number; request: string }>();
  let responses = 0;
  for (const file of files) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      // The last line of a process killed mid-write can be cut short; everything before it is whole.
      if (!line) continue;
      let entry: { request: string; expand: string[]; body: unknown };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      responses++;
      for (const d of checkResponse(schema, entry.body, { expand: entry.expand })) {
        const key = `${d.object}\t${d.path}\t${d.expected}\t${d.got}`;
        const g = groups.get(key);
        if (g) g.count++;
        else groups.set(key, { d, count: 1, request: entry.request });
      }
    }
  }
  const lines = [...groups.values()]
    .sort((a, b) => a.d.object.localeCompare(b.d.object) || a.d.path.localeCompare(b.d.path))
    .map(({ d, count, request }) => `  ${d.object}  ${d.path}: expected ${d.expected}, got ${d.got}  (${count}× , first in ${request})`);
  const report = lines.length
    ? `The emulator's responses diverge from the stripe SDK's types in ${lines.length} place(s) (test/helpers/shapes/, src/emulator/SPEC.md "Checked against the SDK's types"):\n${lines.join('\n')}`
    : '';
  return { responses, processes: files.length, report };
}

/**
 * Streaming readers for usage files: one record at a time with its line number, so memory stays
 * flat whatever the file size. A line that cannot be parsed becomes a record with an `error`;
 * it never stops the reader.
 */
import { createInterface } from 'node:readline';
import { parse as parseCsv, type CsvError } from 'csv-parse';
import { UserError } from '../errors.js';

export type UsageFormat = 'ndjson' | 'csv';

export interface SourceRecord {
  line: number;
  /** The source text of the record (for the rejects file). */
  raw: string;
  record?: Record<string, unknown>;
  error?: string;
}

export const CSV_COLUMNS = ['customer', 'value', 'timestamp', 'identifier', 'meter'] as const;
const REQUIRED_CSV = ['customer', 'value', 'timestamp'];

/** Guesses the format from the file name; stdin and unknown extensions default to NDJSON. */
export function formatFromName(name: string): UsageFormat {
  return /\.csv$/i.test(name) ? 'csv' : 'ndjson';
}

export async function* readNdjson(input: NodeJS.ReadableStream): AsyncGenerator<SourceRecord> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      yield { line, raw: text, error: `unparseable JSON: ${(err as Error).message}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, raw: text, error: 'not a JSON object' };
      continue;
    }
    yield { line, raw: text, record: value as Record<string, unknown> };
  }
}

/**
 * CSV with a header row naming the columns (customer, value, timestamp; optional identifier, meter).
 * A malformed row (bad quoting) is reported and skipped via csv-parse's `on_skip`.
 */
export async function* readCsv(input: NodeJS.ReadableStream, sourceName = 'the CSV'): AsyncGenerator<SourceRecord> {
  const skipped: SourceRecord[] = [];
  let lastLine = 1;
  const parser = parseCsv({
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim().toLowerCase());
      const missing = REQUIRED_CSV.filter((c) => !names.includes(c));
      if (missing.length) {
        throw new UserError(`${sourceName}:1: the CSV header lacks ${missing.join(', ')}; found ${names.join(', ') || 'nothing'}`, {
          hint: `The first row must name the columns: ${CSV_COLUMNS.join(',')} (identifier and meter are optional).`,
        });
      }
      return names;
    },
    info: true,
    raw: true,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const line = typeof err?.lines === 'number' ? err.lines : lastLine + 1;
      skipped.push({ line, raw: (raw ?? '').trim(), error: `unparseable CSV: ${err?.message ?? 'malformed row'}` });
      return undefined;
    },
  });
  input.on('error', (err) => parser.destroy(err as Error));
  input.pipe(parser);
  for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number }; raw: string }>) {
    // csv-parse may report a skipped row ahead of records parsed before it; keep line order.
    while (skipped.length && skipped[0].line < item.info.lines) yield skipped.shift()!;
    lastLine = item.info.lines;
    const record: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(item.record)) if (v !== undefined && v !== '') record[k] = v;
    yield { line: item.info.lines, raw: item.raw.trim(), record };
  }
  while (skipped.length) yield skipped.shift()!;
}

export function readRecords(input: NodeJS.ReadableStream, format: UsageFormat, sourceName?: string): AsyncGenerator<SourceRecord> {
  return format === 'csv' ? readCsv(input, sourceName) : readNdjson(input);
}

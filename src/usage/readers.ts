/**
 * Streaming readers for usage files: one record at a time with its physical line number, so memory
 * stays flat whatever the file size and every problem names the line a user sees in an editor.
 * Lines are split here, not by the parser, so a broken line (an unterminated CSV quote) can never
 * swallow the lines after it. A byte-order mark and CRLF endings are dropped. A last line without
 * its newline is not parsed but returned as `incomplete`: a file still being written, or a pipe cut
 * mid-line, must not have half an event sent.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { parse as parseCsvText } from 'csv-parse/sync';
import { UserError } from '../errors.js';

export type UsageFormat = 'ndjson' | 'csv';

export interface SourceRecord {
  line: number;
  /** The source text of the record (for the rejects file). */
  raw: string;
  record?: Record<string, unknown>;
  error?: string;
  /** The last line had no newline: not parsed, not sent. */
  incomplete?: boolean;
}

export const CSV_COLUMNS = ['customer', 'value', 'timestamp', 'identifier', 'meter'] as const;
const REQUIRED_CSV = ['customer', 'value', 'timestamp'];

const FILE_CHUNK = 64 * 1024;

/**
 * A file's bytes, 64 KiB at a time, read synchronously: a read from the page cache takes
 * microseconds, while a stream (`createReadStream`) costs a round trip through the thread pool and
 * the stream machinery per chunk, about 0.1 µs per event in all (BENCHMARKS.md, "usage ingest").
 * `limit`: bytes to read at most (a file still being written is read to the same point by every
 * run); `onBytes`: told of each chunk's size (progress). The file is closed when the reading ends
 * or is abandoned.
 */
export async function* fileChunks(path: string, options: { limit?: number; onBytes?(n: number): void } = {}): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  try {
    for (let left = options.limit ?? Infinity; left > 0;) {
      const chunk = Buffer.allocUnsafe(Math.min(FILE_CHUNK, left));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return;
      left -= n;
      options.onBytes?.(n);
      yield n === chunk.length ? chunk : chunk.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Guesses the format from the file name; stdin and unknown extensions default to NDJSON. */
export function formatFromName(name: string): UsageFormat {
  return /\.csv$/i.test(name) ? 'csv' : 'ndjson';
}

/**
 * Non-blank lines with their numbers, turned into records by `toRecord` (undefined: no record), one
 * array per chunk read: a step of async iteration per line cost more than parsing the line. The
 * unterminated tail, if any, comes last, marked `incomplete` and not given to `toRecord`.
 */
async function* readBatches(input: AsyncIterable<Buffer | string>, toRecord: (line: number, text: string) => SourceRecord | undefined): AsyncGenerator<SourceRecord[]> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let rest = '';
  const clean = (text: string) => {
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
  };
  for await (const chunk of input) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const batch: SourceRecord[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      line++;
      const lineText = clean(text.slice(from, nl));
      from = nl + 1;
      if (lineText.trim() === '') continue;
      const record = toRecord(line, lineText);
      if (record) batch.push(record);
    }
    rest = text.slice(from);
    if (batch.length) yield batch;
  }
  rest += decoder.end();
  line++;
  const tail = clean(rest);
  if (tail.trim() !== '') yield [{ line, raw: tail, incomplete: true }];
}

function ndjsonRecord(line: number, text: string): SourceRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { line, raw: text, error: `unparseable JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, raw: text, error: 'not a JSON object' };
  return { line, raw: text, record: value as Record<string, unknown> };
}

async function* flatten(batches: AsyncIterable<SourceRecord[]>): AsyncGenerator<SourceRecord> {
  for await (const batch of batches) yield* batch;
}

export function readNdjson(input: AsyncIterable<Buffer | string>): AsyncGenerator<SourceRecord> {
  return flatten(readBatches(input, ndjsonRecord));
}

/**
 * One CSV line's fields. Lines without quotes (nearly all) are split directly; quoted ones go to
 * csv-parse, line by line, so a quote left open fails its own line only.
 */
export function parseCsvLine(text: string): { fields: string[] } | { error: string } {
  if (!text.includes('"')) {
    const fields = text.split(',');
    // Trimmed in place, and only where an end may be white space (String.prototype.trim's set).
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      if (f.length > 0 && (mayBeSpace(f.charCodeAt(0)) || mayBeSpace(f.charCodeAt(f.length - 1)))) fields[i] = f.trim();
    }
    return { fields };
  }
  try {
    const rows = parseCsvText(text, { trim: true, relax_column_count: true }) as string[][];
    return { fields: rows[0] ?? [] };
  } catch (err) {
    return { error: `unparseable CSV: ${(err as Error).message}` };
  }
}

const mayBeSpace = (code: number) => code <= 32 || code >= 0xa0;

/** CSV records (header row: customer, value, timestamp; optional identifier, meter), by chunk. */
function readCsvBatches(input: AsyncIterable<Buffer | string>, sourceName = 'the CSV'): AsyncGenerator<SourceRecord[]> {
  /** Where each of CSV_COLUMNS is in a row (-1: not in the header); other columns are not read. */
  let at: number[] | undefined;
  return readBatches(input, (line, text) => {
    const parsed = parseCsvLine(text);
    if (!at) {
      const names = 'fields' in parsed ? parsed.fields.map((h) => h.toLowerCase()) : [];
      const missing = REQUIRED_CSV.filter((c) => !names.includes(c));
      if (missing.length) {
        throw new UserError(`${sourceName}:${line}: the CSV header lacks ${missing.join(', ')}; found ${names.join(', ') || 'nothing'}`, {
          hint: `The first row must name the columns: ${CSV_COLUMNS.join(',')} (identifier and meter are optional).`,
        });
      }
      const twice = CSV_COLUMNS.find((c) => names.indexOf(c) !== names.lastIndexOf(c));
      if (twice) {
        throw new UserError(`${sourceName}:${line}: the CSV header names ${twice} twice (columns ${names.indexOf(twice) + 1} and ${names.lastIndexOf(twice) + 1})`, {
          hint: 'Keep one column of each name, so that each row says one thing.',
        });
      }
      at = CSV_COLUMNS.map((c) => names.indexOf(c));
      return undefined;
    }
    if ('error' in parsed) return { line, raw: text.trim(), error: parsed.error };
    const f = parsed.fields;
    // One shape for every row (customer, value, timestamp, identifier, meter); an empty field is absent.
    const field = (i: number) => (i < 0 || f[i] === '' ? undefined : f[i]);
    return { line, raw: text.trim(), record: { customer: field(at[0]), value: field(at[1]), timestamp: field(at[2]), identifier: field(at[3]), meter: field(at[4]) } };
  });
}

export function readCsv(input: AsyncIterable<Buffer | string>, sourceName?: string): AsyncGenerator<SourceRecord> {
  return flatten(readCsvBatches(input, sourceName));
}

/** The source's records, one array per chunk read (what `ingest` takes; cheaper than one at a time). */
export function readRecordBatches(input: AsyncIterable<Buffer | string>, format: UsageFormat, sourceName?: string): AsyncGenerator<SourceRecord[]> {
  return format === 'csv' ? readCsvBatches(input, sourceName) : readBatches(input, ndjsonRecord);
}

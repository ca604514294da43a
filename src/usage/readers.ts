/**
 * Streaming readers for usage files: one record at a time with its physical line number, so memory
 * stays flat whatever the file size and every problem names the line a user sees in an editor.
 * Lines are split here, not by the parser, so a broken line (an unterminated CSV quote) can never
 * swallow the lines after it. A byte-order mark and CRLF endings are dropped. A last line without
 * its newline is not parsed but returned as `incomplete`: a file still being written, or a pipe cut
 * mid-line, must not have half an event sent.
 */
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

/** Guesses the format from the file name; stdin and unknown extensions default to NDJSON. */
export function formatFromName(name: string): UsageFormat {
  return /\.csv$/i.test(name) ? 'csv' : 'ndjson';
}

/** Non-blank lines with their numbers; the unterminated tail, if any, comes last with `incomplete`. */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<{ line: number; text: string; incomplete?: boolean }> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let rest = '';
  const clean = (text: string) => {
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  };
  for await (const chunk of input) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      line++;
      const lineText = clean(text.slice(from, nl));
      from = nl + 1;
      if (lineText.trim() !== '') yield { line, text: lineText };
    }
    rest = text.slice(from);
  }
  rest += decoder.end();
  line++;
  const tail = clean(rest);
  if (tail.trim() !== '') yield { line, text: tail, incomplete: true };
}

export async function* readNdjson(input: AsyncIterable<Buffer | string>): AsyncGenerator<SourceRecord> {
  for await (const { line, text, incomplete } of readLines(input)) {
    if (incomplete) {
      yield { line, raw: text, incomplete };
      continue;
    }
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
 * One CSV line's fields. Lines without quotes (nearly all) are split directly; quoted ones go to
 * csv-parse, line by line, so a quote left open fails its own line only.
 */
export function parseCsvLine(text: string): { fields: string[] } | { error: string } {
  if (!text.includes('"')) return { fields: text.split(',').map((f) => f.trim()) };
  try {
    const rows = parseCsvText(text, { trim: true, relax_column_count: true }) as string[][];
    return { fields: rows[0] ?? [] };
  } catch (err) {
    return { error: `unparseable CSV: ${(err as Error).message}` };
  }
}

/** CSV with a header row naming the columns (customer, value, timestamp; optional identifier, meter). */
export async function* readCsv(input: AsyncIterable<Buffer | string>, sourceName = 'the CSV'): AsyncGenerator<SourceRecord> {
  let names: string[] | undefined;
  for await (const { line, text, incomplete } of readLines(input)) {
    if (incomplete) {
      yield { line, raw: text, incomplete };
      continue;
    }
    const parsed = parseCsvLine(text);
    if (!names) {
      names = 'fields' in parsed ? parsed.fields.map((h) => h.toLowerCase()) : [];
      const missing = REQUIRED_CSV.filter((c) => !names!.includes(c));
      if (missing.length) {
        throw new UserError(`${sourceName}:${line}: the CSV header lacks ${missing.join(', ')}; found ${names.join(', ') || 'nothing'}`, {
          hint: `The first row must name the columns: ${CSV_COLUMNS.join(',')} (identifier and meter are optional).`,
        });
      }
      continue;
    }
    if ('error' in parsed) {
      yield { line, raw: text.trim(), error: parsed.error };
      continue;
    }
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const v = parsed.fields[i];
      if (v !== undefined && v !== '') record[name] = v;
    });
    yield { line, raw: text.trim(), record };
  }
}

export function readRecords(input: AsyncIterable<Buffer | string>, format: UsageFormat, sourceName?: string): AsyncGenerator<SourceRecord> {
  return format === 'csv' ? readCsv(input, sourceName) : readNdjson(input);
}

import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * With ALPACA_EMULATOR_RECORD_DIR set (the project's test suite sets it), every JSON object the
 * emulator sends — successful answers and webhook payloads — is appended to `DIR/<pid>.ndjson`,
 * one line each, so the suite can check them all against the SDK's types afterwards. Synchronous
 * writes: an emulator killed mid-test has still recorded everything it answered.
 */
export type Recorder = (request: string, expand: unknown, body: string) => void;

let fd: number | undefined;

export function responseRecorder(): Recorder | undefined {
  const dir = process.env.ALPACA_EMULATOR_RECORD_DIR;
  if (!dir) return undefined;
  return (request, expand, body) => {
    if (fd === undefined) {
      mkdirSync(dir, { recursive: true });
      fd = openSync(join(dir, `${process.pid}.ndjson`), 'a');
    }
    const paths = expand === undefined || expand === '' ? [] : Array.isArray(expand) ? expand : typeof expand === 'object' && expand !== null ? Object.values(expand) : [expand];
    writeSync(fd, `{"request":${JSON.stringify(request)},"expand":${JSON.stringify(paths)},"body":${body}}\n`);
  };
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, UserError } from '../errors.js';
import type { PricingConfig } from './model.js';
import { decodeUtf8 } from './utf8.js';
import { parsePricing } from './validate.js';

/** The thin reader: reads the file (synchronously: one small file) and hands the text to the pure validator. */
export async function loadPricing(file: string, cwd: string): Promise<{ config: PricingConfig; path: string; text: string }> {
  const path = resolve(cwd, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `No pricing file at ${file}.` : `Cannot read ${file}: ${(err as Error).message}`, {
      hint: code === 'ENOENT' ? 'Create one with `alpaca-billing init`, or point at it with -f/--file.' : undefined,
    });
  }
  const decoded = decodeUtf8(bytes);
  if ('invalidAt' in decoded) {
    const { line, col } = decoded.invalidAt;
    throw new ConfigError([{ file, line, col, path: '', message: 'not valid UTF-8: this byte is not part of a UTF-8 character', hint: 'Save the file as UTF-8 (it may be in Latin-1 or Windows-1252).' }]);
  }
  const text = decoded.text;
  const { config, problems } = parsePricing(text, file);
  if (problems.length || !config) throw new ConfigError(problems);
  return { config, path, text };
}

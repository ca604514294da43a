/**
 * A settings file that cannot be parsed. cosmiconfig's messages carry the parser's code frame
 * (package.json's twice) and the absolute path in the middle of the text: we say the same as for
 * pricing.yaml instead, `file:line:col  (root)  not valid JSON|YAML: reason`.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, UserError } from '../errors.js';

interface ParserError {
  message: string;
  /** js-yaml's: the reason alone and a zero-based position. */
  reason?: string;
  mark?: { line: number; column: number };
}

export async function settingsReadError(err: unknown): Promise<UserError> {
  const e = err as ParserError;
  const match = /^(JSON|YAML) Error in (.+?): *\n/.exec(e?.message ?? '');
  if (!match) return new UserError(`Could not read the alpaca-billing settings file: ${String(e?.message ?? err).split('\n')[0]}`, { cause: err });
  const [, kind, file] = match;
  const hint = 'Fix the file, or remove it (settings are optional).';
  if (kind === 'YAML' && e.reason && e.mark) {
    return new ConfigError([{ file, line: e.mark.line + 1, col: e.mark.column + 1, path: '', message: `not valid YAML: ${e.reason}`, hint }]);
  }
  // parse-json's message embeds code frames; JSON.parse on the text gives the plain reason and offset.
  let text = '';
  try {
    text = await readFile(file, 'utf8');
    JSON.parse(text);
  } catch (parseErr) {
    if (parseErr instanceof SyntaxError) {
      const reason = parseErr.message.replace(/ in JSON at position \d+.*$/s, '');
      const offset = Number(/at position (\d+)/.exec(parseErr.message)?.[1] ?? text.length);
      const before = text.slice(0, offset).split('\n');
      return new ConfigError([{ file, line: before.length, col: before[before.length - 1].length + 1, path: '', message: `not valid JSON: ${reason}`, hint }]);
    }
  }
  return new UserError(`Could not read the settings file ${file}: not valid ${kind}.`, { hint, cause: err });
}

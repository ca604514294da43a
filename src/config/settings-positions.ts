/**
 * Settings problems are found on the parsed object, which has no positions; for YAML and JSON
 * settings files we find them again in the text so the error says file:line:col like pricing.yaml.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../errors.js';
import { parseYamlSource } from './yaml-source.js';

export async function withSettingsPositions(err: ConfigError, filepath: string): Promise<ConfigError> {
  if (/\.(c|m)?(js|ts)$/.test(filepath)) return err;
  let text: string;
  try {
    text = await readFile(filepath, 'utf8');
  } catch {
    return err;
  }
  // package.json keeps the settings under the "alpaca-billing" key.
  const prefix = filepath.endsWith('package.json') ? ['alpaca-billing'] : [];
  const source = parseYamlSource(text);
  const problems = err.problems.map((p) => {
    const { line, col } = source.locate([...prefix, ...(p.path ? p.path.split('.') : [])], 'key');
    return { ...p, line, col };
  });
  return new ConfigError(problems, err.message);
}

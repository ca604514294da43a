/**
 * Settings: defaults < config file (cosmiconfig `alpaca-billing`) < environment < flags.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, UserError } from '../errors.js';

export interface Profile {
  /** Name of the environment variable that holds this profile's key. */
  api_key_env?: string;
  api_base?: string;
  /** For live profiles: the Stripe account id the key must belong to. */
  account?: string;
}

export interface SettingsFile {
  /** Default pricing file. */
  file?: string;
  /** Profile used when --profile is not given. */
  profile?: string;
  profiles?: Record<string, Profile>;
  /** Where the settings were read from (for messages). */
  filepath?: string;
}

/** The global flags every command has. */
export interface GlobalOptions {
  file?: string;
  profile?: string;
  apiKey?: string;
  apiBase?: string;
  live?: boolean;
  json?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export interface Settings {
  /** Path of the pricing file, relative to cwd unless absolute. */
  file: string;
  profileName?: string;
  profile?: Profile;
  apiKey?: string;
  /** Where the key came from, for error messages (never the key itself). */
  apiKeySource?: string;
  apiBase?: string;
  /** Where the API base came from, for error messages: `--api-base`, `STRIPE_API_BASE` or the profile. */
  apiBaseSource?: string;
  live: boolean;
  json: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

const KNOWN_PROFILE_KEYS = new Set(['api_key_env', 'api_base', 'account']);

/**
 * Settings are looked up in the current directory only (cosmiconfig's places: package.json's
 * `alpaca-billing` key, .alpaca-billingrc[.yaml|.json|.js|…], .config/alpaca-billingrc[…],
 * alpaca-billing.config.[js|ts|mjs|cjs]). Most directories have none, and then cosmiconfig (a few
 * dozen CommonJS files) is not loaded at all: every command pays for start-up.
 */
export async function loadSettingsFile(cwd: string): Promise<SettingsFile> {
  if (!mayHaveSettings(cwd)) return {};
  const { cosmiconfig } = await import('cosmiconfig');
  let result;
  try {
    // Creating the explorer already parses package.json (cosmiconfig's own settings live there).
    result = await cosmiconfig('alpaca-billing', { searchStrategy: 'none' }).search(cwd);
  } catch (err) {
    throw await (await import('./settings-read-error.js')).settingsReadError(err);
  }
  if (!result || result.isEmpty) return {};
  try {
    return checkSettingsFile(result.config, result.filepath);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw await (await import('./settings-positions.js')).withSettingsPositions(err, result.filepath);
  }
}

/** Synchronous on purpose: a few small reads, and fs/promises costs start-up time to load. */
function mayHaveSettings(cwd: string): boolean {
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const names = list(cwd);
  if (names.some((n) => n.startsWith('.alpaca-billingrc') || n.startsWith('alpaca-billing.config.'))) return true;
  if (names.includes('.config')) {
    const inner = list(join(cwd, '.config'));
    if (inner.some((n) => n.startsWith('alpaca-billingrc'))) return true;
  }
  if (names.includes('package.json')) {
    // A cheap textual look first; cosmiconfig parses it properly when the key may be there.
    let text = '';
    try {
      text = readFileSync(join(cwd, 'package.json'), 'utf8');
    } catch {
      // unreadable: no settings there
    }
    return text.includes('"alpaca-billing"') && /"alpaca-billing"\s*:\s*\{/.test(text);
  }
  return false;
}

export function checkSettingsFile(raw: unknown, filepath: string): SettingsFile {
  const problem = (path: string, message: string) => ({ file: filepath, line: 0, col: 0, path, message });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([problem('', 'settings must be a mapping')]);
  }
  const problems = [];
  const cfg = raw as Record<string, unknown>;
  for (const key of Object.keys(cfg)) {
    if (!['file', 'profile', 'profiles'].includes(key)) problems.push(problem(key, `unknown setting '${key}' (known: file, profile, profiles)`));
  }
  if (cfg.file !== undefined && typeof cfg.file !== 'string') problems.push(problem('file', 'must be a path string'));
  if (cfg.profile !== undefined && typeof cfg.profile !== 'string') problems.push(problem('profile', 'must be a profile name'));
  const profiles = cfg.profiles as Record<string, Record<string, unknown>> | undefined;
  if (profiles !== undefined) {
    if (typeof profiles !== 'object' || profiles === null) problems.push(problem('profiles', 'must be a mapping of profile names'));
    else {
      for (const [name, p] of Object.entries(profiles)) {
        if (typeof p !== 'object' || p === null) { problems.push(problem(`profiles.${name}`, 'must be a mapping')); continue; }
        for (const [k, v] of Object.entries(p)) {
          if (!KNOWN_PROFILE_KEYS.has(k)) problems.push(problem(`profiles.${name}.${k}`, `unknown profile setting (known: ${[...KNOWN_PROFILE_KEYS].join(', ')})`));
          else if (typeof v !== 'string') problems.push(problem(`profiles.${name}.${k}`, 'must be a string'));
        }
        if (typeof p.api_key_env === 'string' && /^(sk|rk)_/.test(p.api_key_env)) {
          problems.push(problem(`profiles.${name}.api_key_env`, 'names the environment variable holding the key, not the key itself: never put keys in settings files'));
        }
      }
    }
  }
  for (const path of keyShapedPaths(cfg)) {
    if (!path.endsWith('.api_key_env')) problems.push(problem(path, 'looks like a Stripe key or webhook secret: never put keys in settings files (a profile names the variable that holds its key with api_key_env)'));
  }
  if (problems.length) throw new ConfigError(problems);
  return { ...(cfg as SettingsFile), filepath };
}

const KEY_SHAPED = /\b((sk|rk)_(live|test)_|whsec_)/;

/** Every dotted path in the settings whose value (or key) looks like a secret, wherever it is. */
function keyShapedPaths(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return KEY_SHAPED.test(value) ? [path] : [];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const inner = path ? `${path}.${k}` : k;
    return KEY_SHAPED.test(k) ? [inner] : keyShapedPaths(v, inner);
  });
}

export function resolveSettings(flags: GlobalOptions, file: SettingsFile, env: NodeJS.ProcessEnv): Settings {
  const profileName = flags.profile ?? env.ALPACA_BILLING_PROFILE ?? file.profile;
  let profile: Profile | undefined;
  if (profileName) {
    profile = file.profiles?.[profileName];
    if (!profile) {
      const known = Object.keys(file.profiles ?? {});
      throw new UserError(`Unknown profile '${profileName}'.`, {
        hint: known.length ? `Profiles in ${file.filepath}: ${known.join(', ')}.` : 'Declare profiles in .alpaca-billingrc.yaml (see README, "Configuration and profiles").',
      });
    }
  }
  let apiKey: string | undefined;
  let apiKeySource: string | undefined;
  if (flags.apiKey) {
    apiKey = flags.apiKey;
    apiKeySource = '--api-key';
  } else if (profile?.api_key_env) {
    // No fallback to STRIPE_API_KEY: that variable may well hold another account's key.
    apiKey = env[profile.api_key_env] || undefined;
    apiKeySource = profile.api_key_env;
  } else if (env.STRIPE_API_KEY) {
    apiKey = env.STRIPE_API_KEY;
    apiKeySource = 'STRIPE_API_KEY';
  }
  return {
    file: flags.file ?? file.file ?? 'pricing.yaml',
    profileName,
    profile,
    apiKey,
    apiKeySource,
    apiBase: flags.apiBase ?? env.STRIPE_API_BASE ?? profile?.api_base,
    apiBaseSource: flags.apiBase ? '--api-base' : env.STRIPE_API_BASE ? 'STRIPE_API_BASE' : profile?.api_base ? `api_base of profile '${profileName}'` : undefined,
    live: Boolean(flags.live),
    json: Boolean(flags.json),
    color: flags.color !== false,
    quiet: Boolean(flags.quiet),
    verbose: Boolean(flags.verbose),
  };
}

/** Where the run's emulators record what they send (set by test/global-setup.js). */
export const RECORD_DIR_VARIABLE = 'ALPACA_EMULATOR_RECORD_DIR';

/** For tests that spawn the CLI or emulator with a clean environment: keeps their emulators checked. */
export function recordEnv(): Record<string, string> {
  const dir = process.env[RECORD_DIR_VARIABLE];
  return dir ? { [RECORD_DIR_VARIABLE]: dir } : {};
}

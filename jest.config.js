/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
  },
  // Builds dist/ once when stale, for the tests that spawn the real binary.
  globalSetup: '<rootDir>/test/global-setup.js',
  // Checks every response the run's emulators sent against the stripe SDK's types.
  globalTeardown: '<rootDir>/test/global-teardown.js',
  testTimeout: 30000,
  // Emulator tests are mostly I/O: two workers on the 2-core CI machine.
  maxWorkers: 2,
  // How long a worker may take to exit once its test files are done (jest's default: 500 ms, then
  // it kills it and prints "A worker process has failed to exit gracefully"). Measured: no handle
  // or timer is left open then (the 'exit' event comes within 7 ms of jest's request), but under
  // ESM every test file loads the CLI, emulator and stripe SDK into a new module registry, so a
  // worker ends with a 300-550 MB heap, and freeing it as the process ends took 150-450 ms on the
  // 2-core machine, over 500 ms under load. A real leak (a server, timer or child left running)
  // never ends, so it is still reported, after this.
  workerGracefulExitTimeout: 3000,
  reporters: ['default', '<rootDir>/test/reporters/summary-line.js'],
};

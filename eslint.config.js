import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.alpaca-billing/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', AbortController: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The bin is CommonJS (start-up time: see its header).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The Stripe.js stand-in runs in a browser, served as it is.
    files: ['src/emulator/stripe-js/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', URL: 'readonly', fetch: 'readonly', setTimeout: 'readonly' } },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/stripe/**', 'src/output/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'stripe', message: 'Only src/stripe/ imports the SDK at runtime; use `import type` elsewhere.', allowTypeImports: true },
          ...['chalk', 'ora', 'cli-progress', '@inquirer/prompts'].map((name) => ({ name, message: 'Only src/output/ draws on the terminal; use ctx.out (Output) elsewhere.', allowTypeImports: true })),
        ],
      }],
    },
  },
  {
    files: ['src/output/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'stripe', message: 'Only src/stripe/ imports the SDK at runtime; use `import type` elsewhere.', allowTypeImports: true }] }],
    },
  },
  {
    // A command is an entry point: what two commands share lives in the modules they both import.
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\./', message: 'Commands do not import other commands; move what they share out of src/commands/.' }] }],
    },
  },
  {
    // Business modules take what they need (a client, a caller, a path), not the CLI's whole context:
    // what needs the context (settings, the guarded client, output) lives in src/cli/.
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**', 'src/commands/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '/cli/context(\\.js)?$', message: 'Only src/cli/ and src/commands/ take the CLI context; pass this module what it needs instead.' }] }],
    },
  },
  {
    // Dependencies point one way: no module reaches itself through its imports. The rule follows
    // value imports only (type-only imports vanish at run time), and a lazy `import()` may close a
    // loop: that is how the command tree loads a command only when it runs.
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()], 'import-x/extensions': ['.ts', '.js'], 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] } },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: true }] },
  },
);

// The README's "JSON output" table (generated from src/cli/json-reference.ts by `npm run docs`) is a
// contract CI pipelines parse: every command's --json document must have exactly the keys its row
// documents (optional ones marked `?` may be absent). Each command
// runs here as a pipeline would, in-process against the emulator, and its document is compared.
// Every command that is not a stream also prints exactly that one document on stdout and nothing else.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildProgram } from '../../src/cli/program.js';
import { DEMO_PRICING_YAML } from '../../src/demo/pricing.js';
import { scriptedPrompter } from '../../src/output/prompt.js';
import { run } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { builtCli } from '../usage/helpers/built-cli.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

interface Row {
  command: string;
  /** Top-level keys, without the `?` of optional ones; undefined when the document is not one JSON object. */
  keys?: { required: string[]; optional: string[] };
  /** Keys whose value is a documented noun (`customers: [customer]`, or `customer` in the row defining it), and any keys the row adds to it (`[grant + state]`). */
  nouns?: Record<string, { noun: string; extra: string[] }>;
}

/** The nouns the table defines once (`where \`customer = {…}\``) and uses in other rows. */
const NOUNS: Record<string, { required: string[]; optional: string[] }> = Object.fromEntries(
  [...README.matchAll(/where `(\w+) = (\{[^`]*\})`/g)].map((m) => [m[1], topLevelKeys(m[2])!]),
);

/** Where a row's document holds nouns: `key: [noun]`, `key: [noun + a, b]`, and the noun a row defines under its own name. */
function nounsOf(docCell: string, keys: string[]): Row['nouns'] {
  const out: NonNullable<Row['nouns']> = {};
  for (const m of docCell.matchAll(/(\w+): \[(\w+)(?: \+ ([\w, ]+))?\]/g)) if (m[2] in NOUNS) out[m[1]] = { noun: m[2], extra: m[3] ? m[3].split(',').map((s) => s.trim()) : [] };
  for (const m of docCell.matchAll(/where `(\w+) = /g)) if (keys.includes(m[1])) out[m[1]] = { noun: m[1], extra: [] };
  // `invoice show`: "an invoice as above plus `subtotal`, `credits` … and `lines_truncated`".
  const plus = /\{(\w+)\}`: an? \w+ as above plus (.*)$/.exec(docCell);
  if (plus && plus[1] in NOUNS) out[plus[1]] = { noun: plus[1], extra: [...plus[2].matchAll(/`(\w+)`/g)].map((m) => m[1]) };
  return out;
}

/** Splits `{a, b?: {c}, d: [e]}` at its top-level commas and returns the keys. */
export function topLevelKeys(doc: string): { required: string[]; optional: string[] } | undefined {
  const text = doc.trim();
  if (!text.startsWith('{')) return undefined;
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('{[('.includes(ch)) depth++;
    if ('}])'.includes(ch)) depth--;
    if (depth === 1 && ch === ',') {
      parts.push(current);
      current = '';
    } else if (depth >= 1 && !(depth === 1 && ch === '{' && current === '' && parts.length === 0)) current += ch;
    if (depth === 0) break;
  }
  parts.push(current.replace(/}$/, ''));
  const required: string[] = [];
  const optional: string[] = [];
  for (const part of parts) {
    const name = /^\s*\{?\s*([a-z_]+)(\??)/.exec(part);
    if (!name) continue;
    (name[2] ? optional : required).push(name[1]);
  }
  return { required, optional };
}

/** The table's rows; a row naming two commands (`a` / `b`) with two documents becomes two rows. */
function tableRows(): Row[] {
  const start = README.indexOf('| command | document |');
  const lines = README.slice(start).split('\n').slice(2);
  const rows: Row[] = [];
  for (const line of lines) {
    if (!line.startsWith('|')) break;
    const [, commandCell, docCell] = line.split(/(?<!\\)\|/).map((c) => c.trim());
    const commands = [...commandCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const docs = [...docCell.matchAll(/`(\{[^`]*\}|[^`{][^`]*)`/g)].map((m) => m[1]).filter((d) => d.startsWith('{') || /^NDJSON|^the /.test(d));
    // `apply`: "the plan document plus `result: {…}`".
    const plus = /^the plan document plus `([a-z_]+):/.exec(docCell);
    if (plus) {
      const plan = rows.find((r) => r.command === 'plan')?.keys;
      rows.push({ command: commands[0], keys: plan && { required: [...plan.required, plus[1]], optional: plan.optional } });
      continue;
    }
    // `usage ingest` (several files): the run's document, a row of its own.
    if (/^`usage ingest` \(several files\)$/.test(commandCell)) commands[0] = 'usage ingest (several files)';
    const first = commands[0].split(' ');
    commands.forEach((c, i) => {
      // `customers list` / `show`: the second is `customers show`.
      const full = c.includes(' ') || commands.length === 1 ? c : [...first.slice(0, -1), c].join(' ');
      const doc = docCell.startsWith('NDJSON') ? undefined : commands.length > 1 && docs.length === commands.length ? docs[i] : docs[0];
      const keys = doc ? topLevelKeys(doc) : undefined;
      rows.push({ command: full, keys, nouns: keys && nounsOf(docCell, [...keys.required, ...keys.optional]) });
    });
  }
  return rows;
}

describe('topLevelKeys', () => {
  it('reads nested documents and optional keys', () => {
    expect(topLevelKeys('{ok, file, meters: [{a, b}], result: {x: {y}}, error?}')).toEqual({ required: ['ok', 'file', 'meters', 'result'], optional: ['error'] });
  });
});

/** Every command a user can run, as `usage send`: the leaves of the command tree. */
const leaves = (c: Command, path: string[] = []): string[] => (c.commands.length ? c.commands.flatMap((s) => leaves(s, [...path, s.name()])) : [path.join(' ')]);
const COMMANDS = leaves(buildProgram(() => async () => {}));
/** They print NDJSON as things happen (or announce a server and keep running): many documents by design. */
const STREAMS = ['events tail', 'webhooks serve', 'usage relay', 'emulator', 'serve-example'];
/** One document, checked by their own tests: the demo (test/demo/demo.test.ts), invoice pay (needs an open invoice: test/customers/billing-cycle.test.ts). */
const ONE_DOCUMENT_ELSEWHERE = ['demo', 'invoice pay'];

/** Which command of the tree `args` runs (`usage send --value 1` → `usage send`). */
const commandOf = (args: string[]) => (COMMANDS.includes(args.slice(0, 2).join(' ')) ? args.slice(0, 2).join(' ') : args[0]);

/** stdout holds one JSON document, as the CLI prints it, and nothing before or after it. */
function oneDocument(stdout: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    return `stdout is not one JSON document (${(err as Error).message}): ${stdout.slice(0, 300)}`;
  }
  return stdout === `${JSON.stringify(doc, null, 2)}\n` ? undefined : `stdout has more than the document: ${JSON.stringify(stdout.slice(0, 300))}`;
}

describe("every command's --json document has the README's keys", () => {
  let emu: TestEmulator;
  let dir: string;
  const rows = tableRows();
  /** Commands whose --json run here printed exactly one document. */
  const single = new Set<string>();
  const documented = (command: string) => {
    const row = rows.find((r) => r.command === command);
    if (!row?.keys) throw new Error(`the README's JSON table has no object row for \`${command}\``);
    return row.keys;
  };
  const json = async (args: string[]) => {
    const result = await run([...args, '--json'], { env: emu.env, cwd: dir });
    if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}: ${result.stdout}${result.stderr}`);
    const problem = oneDocument(result.stdout);
    if (problem) problems.push(`${args.join(' ')}: ${problem}`);
    else single.add(commandOf(args));
    return result.json<Record<string, unknown>>();
  };
  const checked = new Set<string>();
  const problems: string[] = [];
  const expectKeys = (command: string, doc: Record<string, unknown>) => {
    checked.add(command);
    const { required, optional } = documented(command);
    const actual = Object.keys(doc).filter((k) => doc[k] !== undefined);
    const undocumented = actual.filter((k) => !required.includes(k) && !optional.includes(k));
    const missing = required.filter((k) => !actual.includes(k));
    if (undocumented.length) problems.push(`${command}: prints ${undocumented.join(', ')}, not in the README`);
    if (missing.length) problems.push(`${command}: the README promises ${missing.join(', ')}, not printed`);
    // The nouns inside: each customer, subscription, invoice… has the keys its definition lists.
    for (const [key, { noun, extra }] of Object.entries(rows.find((r) => r.command === command)?.nouns ?? {})) {
      const value = doc[key];
      const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
      nounChecks.add(noun);
      for (const item of items as Record<string, unknown>[]) {
        const { required: nounRequired, optional: nounOptional } = NOUNS[noun];
        const keys = Object.keys(item).filter((k) => item[k] !== undefined);
        const extraKeys = keys.filter((k) => !nounRequired.includes(k) && !nounOptional.includes(k) && !extra.includes(k));
        const absent = nounRequired.filter((k) => !keys.includes(k));
        if (extraKeys.length) problems.push(`${command}: its ${noun} has ${extraKeys.join(', ')}, not in the README's ${noun}`);
        if (absent.length) problems.push(`${command}: its ${noun} lacks ${absent.join(', ')}, which the README's ${noun} promises`);
      }
    }
  };
  const nounChecks = new Set<string>();

  beforeAll(async () => {
    emu = await startTestEmulator();
    dir = mkdtempSync(join(tmpdir(), 'alpaca-json-contract-'));
    writeFileSync(join(dir, 'pricing.yaml'), DEMO_PRICING_YAML);
  });
  afterAll(() => emu.close());
  afterEach(() => {
    const found = problems.splice(0);
    expect(found).toEqual([]);
  });

  it('the catalog commands', async () => {
    expectKeys('validate', await json(['validate']));
    expectKeys('plan', await json(['plan']));
    expectKeys('apply', await json(['apply', '--yes']));
    expectKeys('pull', await json(['pull']));
  });

  it('customers, subscriptions, invoices, usage, credits and alerts', async () => {
    const created = await json(['customers', 'create', '--email', 'ada@example.com', '--external-id', 'user_ada']);
    expectKeys('customers create', created);
    const customer = (created.customer as { id: string }).id;
    expectKeys('customers list', await json(['customers', 'list']));
    expectKeys('subscribe', await json(['subscribe', customer, '--price', 'alpaca_ai_tokens_monthly']));
    expectKeys('customers show', await json(['customers', 'show', customer]));
    expectKeys('subscriptions list', await json(['subscriptions', 'list', '--customer', customer]));
    const [from] = (await emu.stripe.prices.list({ lookup_keys: ['alpaca_ai_tokens_monthly'] })).data;
    await emu.stripe.prices.create({ product: from.product as string, currency: from.currency, unit_amount: 5, lookup_key: 'json_contract_to', recurring: { interval: 'month', usage_type: 'metered', meter: from.recurring!.meter! } });
    expectKeys('subscriptions migrate', await json(['subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_monthly', '--to', 'json_contract_to', '--at', 'period-end', '--dry-run']));
    const declinedMigration = await run(['subscriptions', 'migrate', '--from', 'alpaca_ai_tokens_monthly', '--to', 'json_contract_to', '--at', 'period-end', '--json'], { env: emu.env, cwd: dir, prompter: scriptedPrompter({ Migrate: false }) });
    expect({ code: declinedMigration.code, problem: oneDocument(declinedMigration.stdout) }).toEqual({ code: 0, problem: undefined });
    expectKeys('subscriptions migrate', declinedMigration.json());
    expect(declinedMigration.json()).toMatchObject({ declined: true, migrated: [], failed: [] });
    expectKeys('invoice preview', await json(['invoice', 'preview', customer]));
    const list = await json(['invoice', 'list', '--customer', customer]);
    expectKeys('invoice list', list);
    const invoice = (list.invoices as Array<{ id: string }>)[0];
    expectKeys('invoice show', await json(['invoice', 'show', invoice.id]));

    const sent = await json(['usage', 'send', '--customer', customer, '--meter', 'tokens', '--value', '1500']);
    expectKeys('usage send', sent);
    expectKeys('usage cancel', await json(['usage', 'cancel', '--meter', 'tokens', '--identifier', String(sent.identifier)]));
    writeFileSync(join(dir, 'usage.ndjson'), `${JSON.stringify({ customer, value: 10, timestamp: Math.floor(Date.now() / 1000) - 60 })}\n`);
    expectKeys('usage ingest', await json(['usage', 'ingest', 'usage.ndjson', '--meter', 'tokens', '--max-rps', '0']));
    // Several files start worker processes of the built CLI: run as users do.
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more/a.ndjson'), `${JSON.stringify({ customer, value: 3, timestamp: Math.floor(Date.now() / 1000) - 50 })}\n`);
    writeFileSync(join(dir, 'more/b.ndjson'), `${JSON.stringify({ customer, value: 4, timestamp: Math.floor(Date.now() / 1000) - 40 })}\n`);
    // (Not spawnSync: the emulator answers from this process.)
    const several = await promisify(execFile)(process.execPath, [...(await builtCli()), 'usage', 'ingest', 'more', '--meter', 'tokens', '--max-rps', '0', '--json'], { cwd: dir, env: { PATH: process.env.PATH, ...emu.env } });
    expect(oneDocument(several.stdout)).toBeUndefined();
    const ofFiles = JSON.parse(several.stdout) as { files: Record<string, unknown>[] } & Record<string, unknown>;
    expectKeys('usage ingest (several files)', ofFiles);
    for (const file of ofFiles.files) expectKeys('usage ingest', file);
    expectKeys('usage summary', await json(['usage', 'summary', '--customer', customer, '--meter', 'tokens']));

    const granted = await json(['credits', 'grant', '--customer', customer, '--amount', '10.00', '--currency', 'usd']);
    expectKeys('credits grant', granted);
    expectKeys('credits list', await json(['credits', 'list', '--customer', customer]));
    expectKeys('credits balance', await json(['credits', 'balance', '--customer', customer]));
    expectKeys('credits void', await json(['credits', 'void', (granted.grant as { id: string }).id, '--yes']));
    expectKeys('alerts create', await json(['alerts', 'create', '--customer', customer, '--meter', 'tokens', '--threshold', '1000000']));
    expectKeys('alerts list', await json(['alerts', 'list']));

    const subscription = ((await json(['subscriptions', 'list', '--customer', customer])).subscriptions as Array<{ id: string }>)[0].id;
    expectKeys('subscriptions cancel', await json(['subscriptions', 'cancel', subscription, '--yes']));
    expectKeys('subscribe --checkout', await json(['subscribe', customer, '--price', 'alpaca_ai_tokens_monthly', '--checkout', '--success-url', 'https://example.com/ok', '--cancel-url', 'https://example.com/pricing']));
  });

  it('test clocks', async () => {
    const created = await json(['clock', 'create', '--name', 'contract']);
    expectKeys('clock create', created);
    const id = (created.clock as { id: string }).id;
    expectKeys('clock list', await json(['clock', 'list']));
    expectKeys('clock advance', await json(['clock', 'advance', id, '--by', '1d']));
    expectKeys('clock delete', await json(['clock', 'delete', id, '--yes']));
  });

  it('the commands without an object row print one document too', async () => {
    expectKeys('completion', await json(['completion', 'bash']));
    await json(['schema']);
    await json(['init', '--yes', '-o', 'init.yaml']);
    await json(['reconcile', '--dry-run']);
  });

  it('a command that fails after its work prints the error document alone, not its result and then the error', async () => {
    // plan -o into a folder that is a file: the plan is made, saving it fails (exit 3).
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'plans'), 'a file, not a folder');
    const result = await run(['plan', '-o', 'sub/plans/plan.json', '--json'], { env: emu.env, cwd: dir });
    expect(result.code).toBe(3);
    expect(oneDocument(result.stdout)).toBeUndefined();
    expect(result.json()).toMatchObject({ ok: false, error: { type: 'user' } });
  });

  it('a question declined at the prompt still ends in one document (exit 0, nothing changed)', async () => {
    const no = scriptedPrompter({ '': false });
    const declined = async (args: string[], env = emu.env) => {
      const result = await run([...args, '--json'], { env, cwd: dir, prompter: no });
      expect({ args, code: result.code, problem: oneDocument(result.stdout) }).toEqual({ args, code: 0, problem: undefined });
      return result.json<Record<string, unknown>>();
    };
    const clock = ((await json(['clock', 'create'])).clock as { id: string }).id;
    expect(await declined(['clock', 'delete', clock])).toEqual({ deleted: null });
    const customer = ((await json(['customers', 'create', '--email', 'grace@example.com'])).customer as { id: string }).id;
    const grant = (await json(['credits', 'grant', '--customer', customer, '--amount', '5.00', '--currency', 'usd'])).grant as { id: string };
    expect(await declined(['credits', 'void', grant.id])).toMatchObject({ grant: { id: grant.id, voided_at: null } });
    // A fresh account, so that apply has changes to ask about.
    const fresh = await startTestEmulator();
    try {
      const doc = await declined(['apply'], fresh.env);
      expectKeys('apply', doc);
      expect(doc.result).toMatchObject({ declined: true, created: [], steps: 0 });
    } finally {
      await fresh.close();
    }
  });

  it('every command that is not a stream was run here with --json and printed one document', () => {
    expect(COMMANDS.filter((c) => !single.has(c) && !STREAMS.includes(c) && !ONE_DOCUMENT_ELSEWHERE.includes(c))).toEqual([]);
  });

  it('every object row of the table was checked here (or is run by the tests named below)', () => {
    // Checked elsewhere: the demo's document (test/demo/demo.test.ts), invoice pay (needs an open
    // invoice: test/customers/billing-cycle.test.ts), `plan -o`'s saved format (test/reconcile).
    const elsewhere = ['demo', 'invoice pay', 'plan -o plan.json'];
    const objectRows = rows.filter((r) => r.keys).map((r) => r.command);
    expect(objectRows.filter((c) => !checked.has(c) && !elsewhere.includes(c))).toEqual([]);
    // And every noun the table defines was compared with what a command printed.
    expect(Object.keys(NOUNS).sort()).toEqual(['alert', 'clock', 'customer', 'grant', 'invoice', 'subscription']);
    expect([...nounChecks].sort()).toEqual(Object.keys(NOUNS).sort());
  });
});

/**
 * Renders a plan for people (terraform-style lines, returned, not printed) and for machines (the
 * `--json` document). Colour comes from the chalk instance the caller passes (ctx.out.chalk), so
 * it is off without a TTY, with NO_COLOR, CI or --json.
 */
import type { ChalkInstance } from 'chalk';
import { formatMoney } from '../core/money.js';
import type { ApplyResult } from './apply.js';
import type { AppliedMigration } from './resources/kind.js';
import type { AccountInfo, Action, Change, ChangeImpact, Plan, PlanSummary } from './types.js';

const SYMBOL: Record<Action, string> = { create: '+', update: '~', replace: '-/+', archive: '-', noop: ' ' };

const show = (v: unknown): string => (v === undefined || v === null ? '(none)' : typeof v === 'string' ? JSON.stringify(v) : String(v));

export function renderHeader(account: AccountInfo, chalk: ChalkInstance): string {
  const name = account.name ? ` (${account.name})` : '';
  const mode = account.mode === 'live' ? chalk.red.bold('LIVE mode') : 'test mode';
  return `Account ${account.id}${name} · ${mode} · ${account.apiBase}`;
}

export interface RenderPlanOptions {
  /** List each affected subscription under a change's impact. */
  verbose?: boolean;
}

export function renderPlan(plan: Plan, account: AccountInfo, chalk: ChalkInstance, options: RenderPlanOptions = {}): string[] {
  const colour: Record<Action, (s: string) => string> = { create: chalk.green, update: chalk.yellow, replace: chalk.magenta, archive: chalk.red, noop: (s) => s };
  const lines = [renderHeader(account, chalk), ''];
  for (const c of plan.changes) {
    if (c.unmanaged) {
      lines.push(`  ${chalk.yellow('!')} ${c.type} ${c.key}${c.id && c.id !== c.key ? ` (${c.id})` : ''}: ${c.notes?.[0] ?? 'unmanaged'}`);
      continue;
    }
    if (c.action === 'noop') continue;
    const paint = colour[c.action];
    const id = c.id && c.id !== c.key ? ` (${c.id})` : '';
    const extras = [c.adopt ? 'adopting' : '', c.activeSubscriptions !== undefined ? `${c.activeSubscriptions} active subscription${c.activeSubscriptions === 1 ? '' : 's'}` : ''].filter(Boolean);
    lines.push(`${paint(`${SYMBOL[c.action].padStart(3)} ${c.action}`)} ${c.type} ${chalk.bold(c.key)}${id}${extras.length ? ` · ${extras.join(' · ')}` : ''}`);
    for (const f of c.fields) {
      lines.push(c.action === 'create' || f.before === undefined && c.action !== 'update' ? `        ${f.field}: ${show(f.after)}` : `        ${f.field}: ${show(f.before)} → ${show(f.after)}`);
    }
    if (c.impact) lines.push(...renderImpact(c.impact, options.verbose ?? false).map((l) => `        ${l}`));
    if (c.blocked) lines.push(chalk.red(`        ✗ cannot apply: ${c.blocked}`));
    for (const n of c.notes ?? []) lines.push(chalk.dim(`        ${n}`));
  }
  if (lines.length === 2) lines.push('No changes: the account matches the pricing file.');
  lines.push('', renderSummary(plan.summary));
  return lines;
}

const signed = (minor: number, currency: string) => `${minor < 0 ? '-' : '+'}${formatMoney(Math.abs(minor), currency)}`;

/** "1 subscription · this period so far $1,615.12 → $2,018.90 (+$403.78, +25.0%)" (or "last period"), then the subscriptions with `verbose`. */
export function renderImpact(impact: ChangeImpact, verbose: boolean): string[] {
  const n = impact.subscriptions.length;
  const money = (minor: number) => formatMoney(minor, impact.currency);
  let figures = money(impact.before);
  if (impact.after !== null && impact.delta !== null) {
    const percent = impact.before === 0 ? '' : `, ${impact.delta < 0 ? '-' : '+'}${((Math.abs(impact.delta) / impact.before) * 100).toFixed(1)}%`;
    figures += ` → ${money(impact.after)} (${signed(impact.delta, impact.currency)}${percent})`;
  }
  const day = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
  const basis = impact.basis === 'last_period' ? 'last period' : 'this period so far';
  const lines = [`${n} subscription${n === 1 ? '' : 's'} · ${basis} ${figures}`];
  for (const note of impact.notes ?? []) lines.push(`  ${note}`);
  if (verbose) {
    for (const s of impact.subscriptions) {
      const period = s.period_start !== undefined && s.period_end !== undefined ? `period ${day(s.period_start)} – ${day(s.period_end)} (${s.invoice ?? 'no invoice: priced from the meter'})` : `period ends ${day(s.current_period_end)}`;
      lines.push(`  ${s.id}  ${s.customer}  ${period}  ${money(s.before)}${s.after !== null ? ` → ${money(s.after)}` : ''}`);
    }
  }
  return lines;
}

export function renderSummary(s: PlanSummary): string {
  const parts = [`${s.create} to create`, `${s.update} to update`, `${s.replace} to replace`, `${s.archive} to archive`, `${s.noop} unchanged`];
  if (s.unmanaged) parts.push(`${s.unmanaged} unmanaged (left alone)`);
  if (s.blocked) parts.push(`${s.blocked} blocked`);
  return `Plan: ${parts.join(', ')}.`;
}

export interface PlanJsonChange {
  action: Action;
  type: string;
  key: string;
  id?: string;
  fields: { field: string; before?: unknown; after?: unknown }[];
  active_subscriptions?: number;
  impact?: ChangeImpact;
  migrate_subscriptions?: { at: 'period-end' | 'now'; to: string };
  blocked?: string;
  unmanaged?: boolean;
  adopt?: boolean;
  notes?: string[];
}

export interface PlanJson {
  account: { id: string; mode: 'test' | 'live'; api_base: string };
  changes: PlanJsonChange[];
  summary: PlanSummary;
}

/** The `--json` document: every change that does something (and unmanaged objects), plus counts. */
export function planToJson(plan: Plan, account: AccountInfo): PlanJson {
  return {
    account: { id: account.id, mode: account.mode, api_base: account.apiBase },
    changes: plan.changes.filter((c) => c.action !== 'noop' || c.unmanaged).map(changeToJson),
    summary: plan.summary,
  };
}

function changeToJson(c: Change): PlanJsonChange {
  const out: PlanJsonChange = { action: c.action, type: c.type, key: c.key, fields: [] };
  if (c.id) out.id = c.id;
  out.fields = c.fields.map((f) => ({ field: f.field, ...(f.before !== undefined ? { before: f.before } : {}), ...(f.after !== undefined ? { after: f.after } : {}) }));
  if (c.activeSubscriptions !== undefined) out.active_subscriptions = c.activeSubscriptions;
  if (c.impact) out.impact = c.impact;
  if (c.migrate) out.migrate_subscriptions = { at: c.migrate.at, to: c.migrate.to };
  if (c.blocked) out.blocked = c.blocked;
  if (c.unmanaged) out.unmanaged = true;
  if (c.adopt) out.adopt = true;
  if (c.notes?.length) out.notes = c.notes;
  return out;
}

/** One line per subscription a --migrate-subscriptions step handled, then a count per price. */
export function renderMigrations(migrations: AppliedMigration[]): string[] {
  const lines: string[] = [];
  const day = (t?: number) => (t === undefined ? '' : ` on ${new Date(t * 1000).toISOString().slice(0, 10)}`);
  for (const m of migrations) {
    for (const s of m.migrated) lines.push(`migrated ${s.id} (${s.customer}) to ${m.key}${s.schedule ? `${day(s.at)} (schedule ${s.schedule})` : ' now'}`);
    for (const s of m.already_migrated) lines.push(`already migrated ${s.id} (${s.customer})${day(s.at)}`);
    for (const s of m.skipped) lines.push(`skipped ${s.id} (${s.customer}): ${s.reason}`);
    for (const s of m.failed) lines.push(`failed ${s.id} (${s.customer}): ${s.error}`);
    lines.push(`${m.from} → ${m.key} (${m.to}), ${m.at}: migrated ${m.migrated.length}, already migrated ${m.already_migrated.length}, skipped ${m.skipped.length}, failed ${m.failed.length}.`);
  }
  return lines;
}

export function renderApplyResult(result: ApplyResult, seconds: number): string {
  return `Applied ${result.steps} step${result.steps === 1 ? '' : 's'} in ${seconds.toFixed(1)} s; created ${result.created.length} object${result.created.length === 1 ? '' : 's'}.`;
}

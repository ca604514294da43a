// Billing credits: grants with what is left of each, the balance transactions that move it, and
// the credits a finalizing invoice takes off its metered lines. The ordering across grants and the
// other choices Stripe leaves open are written in SPEC.md (⚠).
import type Stripe from 'stripe';
import type { EmulatorCore } from '../core.js';
import { isMetered } from './invoice-builder.js';
import { prices, type StoredPrice } from '../catalog/store.js';
import { type CustomerRecord } from '../customers/store.js';
import { COLLECTIONS } from '../collection-names.js';

type CreditGrant = Stripe.Billing.CreditGrant;
type CreditTransaction = Stripe.Billing.CreditBalanceTransaction;

/** A stored grant: the wire object, plus the amount not yet applied, expired or voided (minor units). */
export interface CreditGrantRecord {
  id: string;
  grant: CreditGrant;
  remaining: number;
}

export function creditGrants(core: EmulatorCore) {
  return core.collection<CreditGrantRecord>(COLLECTIONS.creditGrants);
}
export function creditTransactions(core: EmulatorCore) {
  return core.collection<CreditTransaction>(COLLECTIONS.creditBalanceTransactions);
}

export function grantCustomer(grant: CreditGrant): string {
  return typeof grant.customer === 'string' ? grant.customer : grant.customer.id;
}

/** Whether the grant can be spent at `at`: effective, not expired, not voided. */
export function isLive(grant: CreditGrant, at: number): boolean {
  if (grant.voided_at !== null) return false;
  if (grant.effective_at !== null && grant.effective_at > at) return false;
  return grant.expires_at === null || grant.expires_at > at;
}

/** Whether the grant's scope covers `price`: every metered price, or the listed ones. */
export function appliesTo(grant: CreditGrant, price: StoredPrice): boolean {
  const scope = grant.applicability_config.scope;
  if (scope.prices) return scope.prices.some((p) => p.id === price.id);
  return isMetered(price);
}

/**
 * ⚠ Spending order: priority (0 first), then earliest expiry (no expiry last), then earliest
 * effective_at, then oldest. Stripe documents priority only.
 */
export function compareGrants(a: CreditGrant, b: CreditGrant): number {
  const expiry = (g: CreditGrant) => g.expires_at ?? Number.POSITIVE_INFINITY;
  return (a.priority ?? 50) - (b.priority ?? 50) || expiry(a) - expiry(b) || (a.effective_at ?? a.created) - (b.effective_at ?? b.created) || a.created - b.created;
}

function money(currency: string, value: number) {
  return { type: 'monetary' as const, monetary: { currency, value } };
}

/** Records a balance transaction and sends its event. */
function record(core: EmulatorCore, grant: CreditGrant, at: number, entry: Pick<CreditTransaction, 'type' | 'credit' | 'debit'>): CreditTransaction {
  const txn = {
    id: core.id('cbtxn_'),
    object: 'billing.credit_balance_transaction',
    created: at,
    credit: entry.credit,
    credit_grant: grant.id,
    debit: entry.debit,
    effective_at: at,
    livemode: false,
    test_clock: grant.test_clock,
    type: entry.type,
  } as CreditTransaction;
  creditTransactions(core).insert(txn);
  core.emit('billing.credit_balance_transaction.created', txn);
  return txn;
}

export function recordGranted(core: EmulatorCore, rec: CreditGrantRecord): void {
  const { currency, value } = rec.grant.amount.monetary!;
  record(core, rec.grant, rec.grant.effective_at ?? rec.grant.created, { type: 'credit', credit: { amount: money(currency, value), credits_application_invoice_voided: null, type: 'credits_granted' }, debit: null });
}

/** Expiring or voiding a grant debits what was left of it. */
export function recordWriteOff(core: EmulatorCore, rec: CreditGrantRecord, at: number, type: 'credits_expired' | 'credits_voided'): void {
  if (rec.remaining <= 0) return;
  record(core, rec.grant, at, { type: 'debit', credit: null, debit: { amount: money(rec.grant.amount.monetary!.currency, rec.remaining), credits_applied: null, type } });
  creditGrants(core).update(rec.id, { remaining: 0 });
}

/** The customer's grants live at `at`, in `currency`, in spending order. */
export function liveGrants(core: EmulatorCore, customer: CustomerRecord['id'], currency: string, at: number): CreditGrantRecord[] {
  return [...creditGrants(core).scan()]
    .filter((r) => grantCustomer(r.grant) === customer && r.remaining > 0 && r.grant.amount.monetary?.currency === currency && isLive(r.grant, at))
    .sort((a, b) => compareGrants(a.grant, b.grant));
}

/**
 * Applies the customer's credits to a finalizing invoice's metered lines (before tax, never below
 * zero): each line takes from the grants in spending order, with a `credits_applied` debit per
 * grant and line, shown in the line's and the invoice's pretax credit amounts. Returns the total.
 * `preview`: the same amounts on an invoice that is never stored, with nothing spent or recorded.
 */
export function applyCredits(core: EmulatorCore, inv: Stripe.Invoice, at: number, { preview = false } = {}): number {
  const customer = typeof inv.customer === 'string' ? inv.customer : inv.customer?.id;
  if (!customer) return 0;
  const grants = liveGrants(core, customer, inv.currency, at);
  if (grants.length === 0) return 0;
  const left = new Map(grants.map((r) => [r.id, r.remaining]));
  const totals: Stripe.Invoice.TotalPretaxCreditAmount[] = [];
  for (const line of inv.lines.data) {
    const priceId = line.pricing?.price_details?.price;
    const price = typeof priceId === 'string' ? prices(core).get(priceId) : undefined;
    if (!price || !isMetered(price)) continue;
    let due = line.amount - (line.pretax_credit_amounts ?? []).reduce((sum, c) => sum + c.amount, 0);
    for (const rec of grants) {
      if (due <= 0) break;
      const remaining = left.get(rec.id)!;
      if (remaining <= 0 || !appliesTo(rec.grant, price)) continue;
      const take = Math.min(due, remaining);
      left.set(rec.id, remaining - take);
      let txnId: string | null = null;
      if (!preview) {
        txnId = record(core, rec.grant, at, { type: 'debit', credit: null, debit: { amount: money(inv.currency, take), credits_applied: { invoice: inv.id, invoice_line_item: line.id }, type: 'credits_applied' } }).id;
        creditGrants(core).update(rec.id, { remaining: remaining - take });
      }
      const applied = { amount: take, credit_balance_transaction: txnId, type: 'credit_balance_transaction' as const };
      line.pretax_credit_amounts = [...(line.pretax_credit_amounts ?? []), applied];
      totals.push(applied);
      due -= take;
    }
  }
  const credited = totals.reduce((sum, c) => sum + c.amount, 0);
  if (credited === 0) return 0;
  const total = inv.subtotal - credited;
  Object.assign(inv, {
    total_pretax_credit_amounts: [...(inv.total_pretax_credit_amounts ?? []), ...totals],
    total,
    total_excluding_tax: total,
    amount_due: total,
    amount_remaining: total - inv.amount_paid,
  });
  if (!preview) core.markDirty();
  return credited;
}

/** Available and ledger balance per currency of the grants `include` selects, at `at`. */
export function balancesOf(core: EmulatorCore, customer: string, at: number, include: (grant: CreditGrant) => boolean): Stripe.Billing.CreditBalanceSummary.Balance[] {
  const byCurrency = new Map<string, number>();
  for (const rec of creditGrants(core).scan()) {
    if (grantCustomer(rec.grant) !== customer || !include(rec.grant)) continue;
    const currency = rec.grant.amount.monetary!.currency;
    byCurrency.set(currency, (byCurrency.get(currency) ?? 0) + (isLive(rec.grant, at) ? rec.remaining : 0));
  }
  return [...byCurrency].map(([currency, value]) => ({ available_balance: money(currency, value), ledger_balance: money(currency, value) }));
}

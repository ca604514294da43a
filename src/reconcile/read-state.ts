/**
 * Reads what plan needs from the account: list calls only (100 per page), so the number of calls
 * grows with pages, not objects. Every call goes through the caller (rate limit, retry, count).
 */
import { createHash } from 'node:crypto';
import type { StripeClient } from '../stripe/client.js';
import { NO_SDK_RETRIES, type Caller } from './resources/kind.js';
import { RESOURCE_KINDS, resourceTypes } from './resources/index.js';
import type { AccountInfo, AccountState, CatalogObjects } from './types.js';

export interface ReadStateOptions {
  client: StripeClient;
  call: Caller;
  mode: 'test' | 'live';
  apiBase: string;
}

export async function readAccountState({ client, call, mode, apiBase }: ReadStateOptions): Promise<AccountState> {
  const ctx = { client, call };
  const [account, ...lists] = await Promise.all([
    call(() => client.accounts.retrieveCurrent(undefined, NO_SDK_RETRIES)),
    ...resourceTypes().map((type) => RESOURCE_KINDS[type].read(ctx)),
  ]);
  const objects = Object.fromEntries(resourceTypes().map((type, i) => [type, lists[i]])) as unknown as CatalogObjects;
  const info: AccountInfo = { id: account.id, name: account.settings?.dashboard?.display_name ?? account.business_profile?.name ?? undefined, mode, apiBase };
  return { account: info, objects, activeSubscriptions: {} };
}

/** A digest of the catalog as read: `apply plan.json` refuses when the account no longer matches it. */
export function fingerprintState(state: AccountState): string {
  const hash = createHash('sha256');
  hash.update(state.account.id);
  for (const type of resourceTypes()) {
    const objects = [...((state.objects[type] ?? []) as { id: string }[])].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const o of objects) hash.update(`\n${type}:${stableJson(o)}`);
  }
  return hash.digest('hex').slice(0, 32);
}

/** JSON with sorted keys; the SDK's Decimal values become their strings. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const v = value as { toFixed?: unknown; isZero?: unknown };
  if (typeof v.toFixed === 'function' && typeof v.isZero === 'function') return JSON.stringify(String(value));
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([k, x]) => x !== undefined && k !== 'lastResponse').sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
}

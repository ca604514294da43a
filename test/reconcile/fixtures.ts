import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A small catalog covering every price form: package, per-unit (sub-cent), tiered, licensed.
 * `s` suffixes every Stripe identity, so several tests can share one emulator without colliding.
 */
export function catalogYaml(s: string, edits: { amount?: number; name?: string; aggregation?: string; dropPro?: boolean; tokensEvent?: string } = {}): string {
  const pro = `  alpaca_pro_${s}:
    name: Alpaca Pro
    prices:
      seats:
        lookup_key: alpaca_pro_seats_${s}
        currency: eur
        interval: year
        unit_amount: 12000
      volume:
        lookup_key: alpaca_pro_volume_${s}
        currency: usd
        interval: month
        meter: tokens
        tiered:
          mode: graduated
          tiers:
            - { up_to: 1000, unit_amount: 0, flat_amount: 500 }
            - { up_to: inf, unit_amount: "0.5" }
`;
  return `version: 1
meters:
  tokens:
    display_name: Alpaca AI tokens
    event_name: ${edits.tokensEvent ?? `alpaca_ai_tokens_${s}`}
    aggregation: ${edits.aggregation ?? 'sum'}
  calls:
    display_name: API calls
    event_name: alpaca_api_calls_${s}
    aggregation: count
products:
  alpaca_ai_${s}:
    name: ${edits.name ?? 'Alpaca AI'}
    description: Generative AI API
    default_price: tokens_monthly
    metadata: { team: ml }
    prices:
      tokens_monthly:
        lookup_key: alpaca_ai_tokens_monthly_${s}
        nickname: Tokens, monthly
        currency: usd
        interval: month
        meter: tokens
        package: { amount: ${edits.amount ?? 4}, size: 1000, round: up }
      calls_monthly:
        lookup_key: alpaca_api_calls_monthly_${s}
        currency: usd
        interval: month
        meter: calls
        unit_amount: "0.004"
${edits.dropPro ? '' : pro}`;
}

/** A fresh directory holding `pricing.yaml` with the given text. */
export function workdir(yaml: string): { dir: string; write(text: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'alpaca-rec-'));
  const write = (text: string) => writeFileSync(join(dir, 'pricing.yaml'), text);
  write(yaml);
  return { dir, write };
}

/**
 * One meter, a package, a per-unit, a graduated and a licensed price; `next` holds the raised
 * amounts. Names start with `prefix` (`<prefix>_pkg`, event `<prefix>_tokens`…).
 */
export const priceChangeYaml = (prefix: string, next = false) => `version: 1
meters:
  tokens:
    display_name: ${prefix} tokens
    event_name: ${prefix}_tokens
    aggregation: sum
products:
  ${prefix}_ai:
    name: ${prefix} AI
    prices:
      pkg:
        lookup_key: ${prefix}_pkg
        currency: usd
        interval: month
        meter: tokens
        package: { amount: ${next ? 5 : 4}, size: 1000, round: up }
      unit:
        lookup_key: ${prefix}_unit
        currency: usd
        interval: month
        meter: tokens
        unit_amount: "${next ? '0.625' : '0.5'}"
      tiered:
        lookup_key: ${prefix}_tiered
        currency: usd
        interval: month
        meter: tokens
        tiered:
          mode: graduated
          tiers:
            - { up_to: 1000, unit_amount: 0 }
            - { up_to: 10000, unit_amount: "0.5", flat_amount: 500 }
            - { up_to: inf, unit_amount: "${next ? '0.5' : '0.25'}" }
      seats:
        lookup_key: ${prefix}_seats
        currency: usd
        interval: month
        unit_amount: ${next ? 1200 : 1000}
`;

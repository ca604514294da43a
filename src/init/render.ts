/**
 * Renders the answers of `init` as a commented pricing.yaml. Pure: the command validates the text
 * with the same validator as `validate` before anything is written.
 */
export type PriceForm = 'package' | 'per-unit' | 'tiered';

export interface InitAnswers {
  product: string;
  productId: string;
  meterEvent: string;
  aggregation: 'sum' | 'count' | 'last';
  currency: string;
  interval: 'day' | 'week' | 'month' | 'year';
  priceForm: PriceForm;
  /** Minor units as a decimal string ("4", "0.004"). */
  amount: string;
  packageSize: number;
  /** Graduated tiers: up_to → unit amount in minor units. */
  tiers: { up_to: number | 'inf'; unit_amount: string }[];
}

/** "Alpaca AI" → "alpaca_ai": a product id and key Stripe accepts. */
export function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 60) || 'product';
}

/** Parses `--tiers "1000:0.5,inf:0.4"`. */
export function parseTiers(text: string): { up_to: number | 'inf'; unit_amount: string }[] {
  return text.split(',').map((pair) => {
    const [upTo, amount] = pair.split(':').map((s) => s.trim());
    if (!upTo || amount === undefined || !/^\d+(\.\d+)?$/.test(amount) || !(upTo === 'inf' || /^\d+$/.test(upTo))) {
      throw new Error(`each tier is up_to:unit_amount (whole number or inf, then minor units), got '${pair}'`);
    }
    return { up_to: upTo === 'inf' ? 'inf' : Number(upTo), unit_amount: amount };
  });
}

const yamlAmount = (amount: string) => (/^\d+$/.test(amount) ? amount : `"${amount}"`);
const quote = (text: string) => JSON.stringify(text);

export function renderPricingYaml(a: InitAnswers): string {
  const meterKey = slug(a.meterEvent).split('_').pop() || 'usage';
  const priceKey = `usage_${a.interval}ly`.replace('dayly', 'daily');
  let amountLines: string;
  if (a.priceForm === 'package') {
    amountLines = `        package: { amount: ${yamlAmount(a.amount)}, size: ${a.packageSize}, round: up }   # ${a.amount} minor units per started ${a.packageSize}`;
  } else if (a.priceForm === 'per-unit') {
    amountLines = `        unit_amount: ${yamlAmount(a.amount)}   # minor units per unit`;
  } else {
    const tiers = a.tiers.map((t) => `            - { up_to: ${t.up_to}, unit_amount: ${yamlAmount(t.unit_amount)} }`).join('\n');
    amountLines = `        tiered:\n          mode: graduated\n          tiers:\n${tiers}`;
  }
  return `# yaml-language-server: $schema=./pricing.schema.json
# ${a.product}: written by \`alpaca-billing init\`. Check it with \`alpaca-billing validate\`,
# see what would change with \`alpaca-billing plan\`, and provision it with \`alpaca-billing apply\`.
version: 1
meters:
  ${meterKey}:
    display_name: ${quote(`${a.product} ${meterKey}`)}
    event_name: ${a.meterEvent}    # the meter's identity in Stripe; immutable
    aggregation: ${a.aggregation}
products:
  ${a.productId}:                  # used as the Stripe product id
    name: ${quote(a.product)}
    default_price: ${priceKey}
    prices:
      ${priceKey}:
        lookup_key: ${a.productId}_${priceKey}
        currency: ${a.currency}
        interval: ${a.interval}
        meter: ${meterKey}
${amountLines}
`;
}

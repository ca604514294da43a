// The alerts commands in-process against the emulator: create for one customer, list, the event
// once usage reaches the threshold, and the refusals.
import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { useCatalogEmulator } from '../helpers/catalog-emulator.js';

const { emu, catalog, cli } = useCatalogEmulator();

describe('alerts commands', () => {
  it('create an alert for one customer by external id and meter event name; it triggers once usage reaches it', async () => {
    const customer = await emu.stripe.customers.create({ email: 'alerts@example.com', metadata: { external_id: 'user_alerts' } });
    const r = await cli('--json', 'alerts', 'create', '--customer', 'user_alerts', '--meter', 'alpaca_ai_tokens', '--threshold', '1000');
    expect(r.code).toBe(0);
    const alert = r.json().alert;
    expect(alert).toMatchObject({ status: 'active', meter: catalog.meter.id, threshold: 1000, customer: customer.id, title: 'alerts@example.com: 1000 Alpaca AI tokens' });
    const list = await cli('alerts', 'list', '--meter', 'alpaca_ai_tokens');
    expect(list.stdout).toContain(`${alert.id}  active  ≥ 1000 on ${catalog.meter.id}  ${customer.id}  "alerts@example.com: 1000 Alpaca AI tokens"`);
    expect((await cli('usage', 'send', '--customer', customer.id, '--meter', 'alpaca_ai_tokens', '--value', '1500')).code).toBe(0);
    for (;;) {
      const events = await emu.stripe.events.list({ type: 'billing.alert.triggered' });
      const mine = events.data.filter((e) => (e.data.object as unknown as { alert: { id: string } }).alert.id === alert.id);
      if (mine.length > 0) {
        expect(mine[0].data.object).toMatchObject({ customer: customer.id, value: 1500 });
        break;
      }
      await sleep(20);
    }
  });

  it('refuses missing flags, an unknown meter or customer, and a threshold below 1, with exit 3', async () => {
    const customer = await emu.stripe.customers.create({});
    const cases: Array<[string[], string]> = [
      [['--customer', customer.id, '--meter', 'alpaca_ai_tokens'], '--threshold'],
      [['--customer', customer.id, '--meter', 'no_such_meter', '--threshold', '5'], '--meter'],
      [['--customer', 'cus_nobody', '--meter', 'alpaca_ai_tokens', '--threshold', '5'], 'cus_nobody'],
      [['--customer', customer.id, '--meter', 'alpaca_ai_tokens', '--threshold', '0'], '--threshold'],
    ];
    for (const [flags, text] of cases) {
      const r = await cli('alerts', 'create', ...flags);
      expect([r.code, r.stderr.includes(text)]).toEqual([3, true]);
    }
    expect((await emu.stripe.billing.alerts.list({ limit: 100 })).data.filter((a) => a.usage_threshold?.filters?.[0]?.customer === customer.id)).toEqual([]);
  });
});

import { redact, maskKey, isLiveKey } from '../../src/stripe/redact.js';

describe('redact', () => {
  it.each([
    ['sk_test_51AbCdEfGh1234567890', 'sk_test_***'],
    ['rk_live_' + '51AbCdEfGh1234567890', 'rk_live_***'],
    ['whsec_abcDEF123456', 'whsec_***'],
  ])('masks %s', (secret, masked) => {
    const out = redact(`Invalid API Key provided: ${secret}. Check it.`);
    expect(out).not.toContain(secret);
    expect(out).toContain(masked);
  });

  it('leaves ids alone', () => {
    expect(redact('No such customer: cus_123; price price_9')).toBe('No such customer: cus_123; price price_9');
  });

  it('masks keys for display and tells live from test', () => {
    expect(maskKey('sk_test_abcdefgh1234')).toBe('sk_test_…1234');
    expect(isLiveKey('sk_live_x')).toBe(true);
    expect(isLiveKey('rk_test_x')).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { addDec, divideToInteger, formatDecimal, formatMoney, formatQuantity, minorUnitExponent, mulDec, parseDecimal, toMajorUnits } from '../../src/core/money.js';

describe('formatMoney', () => {
  it.each([
    ['4940', 'usd', '$49.40'],
    [4940n, 'usd', '$49.40'],
    ['0', 'usd', '$0.00'],
    ['4', 'usd', '$0.04'],
    ['0.004', 'usd', '$0.00004'],
    ['123456789', 'usd', '$1,234,567.89'],
    ['4940', 'jpy', '¥4,940'],
    ['4940', 'JPY', '¥4,940'],
    ['12345', 'kwd', 'KWD 12.345'],
    ['-250', 'eur', '-€2.50'],
    ['100000000000000000001', 'usd', '$1,000,000,000,000,000,000.01'],
  ])('%s minor units of %s → %s', (minor, currency, expected) => {
    expect(formatMoney(minor, currency).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('accepts objects that stringify to decimals (the SDK\'s Decimal)', () => {
    expect(formatMoney({ toString: () => '0.5' }, 'usd')).toBe('$0.005');
  });

  it('rejects floats and garbage instead of guessing', () => {
    expect(() => formatMoney(0.1, 'usd')).toThrow(/not an exact integer/);
    expect(() => formatMoney('4,940', 'usd')).toThrow(/not a decimal/);
    expect(() => formatMoney('', 'usd')).toThrow(/not a decimal/);
  });
});

describe('minor units', () => {
  it('uses Stripe\'s exponents, not ISO\'s, where they differ', () => {
    expect(minorUnitExponent('usd')).toBe(2);
    expect(minorUnitExponent('jpy')).toBe(0);
    expect(minorUnitExponent('bhd')).toBe(3);
    expect(minorUnitExponent('huf')).toBe(2);
    expect(toMajorUnits('4940', 'usd')).toBe('49.4');
    expect(toMajorUnits('4940', 'jpy')).toBe('4940');
  });
});

describe('formatQuantity', () => {
  it.each([
    [1234567, '1,234,567'],
    ['1234567', '1,234,567'],
    ['2.50', '2.5'],
    ['0', '0'],
    ['1e3', '1,000'],
    [12345678901234567890n, '12,345,678,901,234,567,890'],
  ])('%s → %s', (q, expected) => {
    expect(formatQuantity(q)).toBe(expected);
  });
});

describe('decimal arithmetic', () => {
  it('divides with the requested rounding', () => {
    const d = (s: string) => parseDecimal(s);
    expect(divideToInteger(d('1234567'), d('1000'), 'up')).toBe(1235n);
    expect(divideToInteger(d('1234567'), d('1000'), 'down')).toBe(1234n);
    expect(divideToInteger(d('1000'), d('1000'), 'up')).toBe(1n);
    expect(divideToInteger(d('2.5'), d('1'), 'half-up')).toBe(3n);
    expect(divideToInteger(d('2.4999'), d('1'), 'half-up')).toBe(2n);
    expect(divideToInteger(d('-2.5'), d('1'), 'half-up')).toBe(-3n);
  });

  it('adds and multiplies exactly where floats would not', () => {
    expect(formatDecimal(addDec(parseDecimal('0.1'), parseDecimal('0.2')))).toBe('0.3');
    expect(formatDecimal(mulDec(parseDecimal('1234567'), parseDecimal('0.004')))).toBe('4938.268');
  });

  it('round-trips any decimal string through parse and format', () => {
    fc.assert(fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 15 }), (coef, scale) => {
      const text = formatDecimal({ coef, scale });
      expect(formatDecimal(parseDecimal(text))).toBe(text);
    }));
  });
});

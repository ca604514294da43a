/**
 * The currencies Stripe accepts for prices, as its own error lists them ("Invalid currency: zzz.
 * Stripe currently supports these currencies: usd, aed, …"; quoted in public bug reports from 2020
 * and 2024, the later adding byn). An account's country may narrow it further; the emulator's
 * account takes all of them. validate refuses any other currency, which would otherwise be refused
 * half-way through apply.
 */
export const STRIPE_CURRENCIES: readonly string[] = (
  'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp cny cop ' +
  'crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl hrk htg huf idr ils inr isk jmd jpy ' +
  'kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mro mur mvr mwk mxn myr mzn nad ngn nio nok ' +
  'npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sll sos srd std szl thb tjs top try ttd ' +
  'twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw eek lvl svc vef ltl'
).split(' ');

const SUPPORTED = new Set(STRIPE_CURRENCIES);

export function isStripeCurrency(code: string): boolean {
  return SUPPORTED.has(code);
}

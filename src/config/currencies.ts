/**
 * Active ISO 4217 currency codes, lowercase as Stripe writes them. Stripe supports a subset that
 * depends on the account's country, which only the API knows; here we catch typos and uppercase.
 */
export const ISO_4217_CODES: ReadonlySet<string> = new Set(
  (
    'aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bhd bif bmd bnd bob bov brl bsd btn bwp byn bzd ' +
    'cad cdf che chf chw clf clp cny cop cou crc cuc cup cve czk djf dkk dop dzd egp ern etb eur fjd fkp gbp gel ' +
    'ghs gip gmd gnf gtq gyd hkd hnl htg huf idr ils inr iqd irr isk jmd jod jpy kes kgs khr kmf kpw krw kwd kyd ' +
    'kzt lak lbp lkr lrd lsl lyd mad mdl mga mkd mmk mnt mop mru mur mvr mwk mxn mxv myr mzn nad ngn nio nok npr ' +
    'nzd omr pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sdg sek sgd shp sle sll sos srd ssp stn ' +
    'svc syp szl thb tjs tmt tnd top try ttd twd tzs uah ugx usd usn uyi uyu uyw uzs ved ves vnd vuv wst xaf xcd ' +
    'xcg xof xpf yer zar zmw zwg zwl'
  ).split(' '),
);

/**
 * The currencies Stripe accepts for prices, as its own error lists them: the same list as the
 * emulator's (src/emulator/catalog/currencies.ts; the CLI does not import the emulator, and
 * test/config/stripe-limits.test.ts checks the two agree). A price in another currency would be
 * refused half-way through apply, so validate refuses it first.
 */
export const STRIPE_CURRENCIES: ReadonlySet<string> = new Set(
  (
    'usd aed afn all amd ang aoa ars aud awg azn bam bbd bdt bgn bif bmd bnd bob brl bsd bwp byn bzd cad cdf chf clp cny cop ' +
    'crc cve czk djf dkk dop dzd egp etb eur fjd fkp gbp gel gip gmd gnf gtq gyd hkd hnl hrk htg huf idr ils inr isk jmd jpy ' +
    'kes kgs khr kmf krw kyd kzt lak lbp lkr lrd lsl mad mdl mga mkd mmk mnt mop mro mur mvr mwk mxn myr mzn nad ngn nio nok ' +
    'npr nzd pab pen pgk php pkr pln pyg qar ron rsd rub rwf sar sbd scr sek sgd shp sll sos srd std szl thb tjs top try ttd ' +
    'twd tzs uah ugx uyu uzs vnd vuv wst xaf xcd xof xpf yer zar zmw eek lvl svc vef ltl'
  ).split(' '),
);

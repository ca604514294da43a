import { setTimeout as sleep } from 'node:timers/promises';
import type Stripe from 'stripe';

/** Polls a test clock until it is no longer advancing (as a Stripe user must), and returns it. */
export async function waitUntilReady(stripe: Stripe, clockId: string): Promise<Stripe.TestHelpers.TestClock> {
  for (;;) {
    const clock = await stripe.testHelpers.testClocks.retrieve(clockId);
    if (clock.status !== 'advancing') return clock;
    await sleep(20);
  }
}

/** Advances a clock and waits until it is ready. */
export async function advanceTo(stripe: Stripe, clockId: string, frozenTime: number): Promise<Stripe.TestHelpers.TestClock> {
  await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: frozenTime });
  return waitUntilReady(stripe, clockId);
}

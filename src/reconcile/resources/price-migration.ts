/**
 * The apply step of `--migrate-subscriptions`: after the replacement price exists and before the
 * old one is archived, the subscriptions still on the old price move onto the replacement (see
 * reconcile/migrate.ts). The old price is archived only when none is left behind: a failure, or a
 * subscription skipped for its own schedule, stops apply before the archive (a re-run finishes).
 */
import { ExitCode, UserError } from '../../errors.js';
import { classifyForMigration, migrateSubscriptions } from '../migrate.js';
import { listLiveSubscriptions } from '../live-subscriptions.js';
import type { Change } from '../types.js';
import { NO_SDK_RETRIES, Phase, objectOf, type Step } from './kind.js';

export function migrationStep(change: Change): Step {
  const { at, to: toKey, allowInUse } = change.migrate!;
  return {
    phase: Phase.migrations,
    name: `migrate subscriptions (${at})`,
    // The items (or a schedule) of every subscription on the old price.
    writes: [{ object: `subscriptions on ${objectOf(change)}`, fields: ['items'] }],
    run: async (ctx) => {
      const { client, call } = ctx;
      const [from, to] = await Promise.all([
        call(() => client.prices.retrieve(change.id!, undefined, NO_SDK_RETRIES)),
        call(() => client.prices.retrieve(ctx.resolve('price', toKey), undefined, NO_SDK_RETRIES)),
      ]);
      const subs = (await listLiveSubscriptions({ client, call, mode: ctx.mode }, [from.id]))[from.id];
      const sorted = await classifyForMigration(ctx, subs, from, to, at);
      const done = await migrateSubscriptions(ctx, sorted.todo, from, to, at);
      const skipped = [...sorted.skipped, ...done.skipped];
      ctx.recordMigration({ key: toKey, from: from.id, to: to.id, at, migrated: done.migrated, already_migrated: sorted.already_migrated, skipped, failed: done.failed });
      // --allow-archive-in-use: the skipped ones may stay on the archived price; failures never do.
      const left = [...done.failed.map((f) => `${f.id}: ${f.error}`), ...(allowInUse ? [] : skipped.map((s) => `${s.id}: ${s.reason}`))];
      if (left.length) {
        throw new UserError(`${left.length} subscription${left.length === 1 ? '' : 's'} on ${from.id} could not be moved to ${toKey}, so it was not archived: ${left.join('; ')}.`, {
          hint: 'Re-run apply to retry failures; for a subscription with its own schedule, release that schedule (or pass --allow-archive-in-use to archive the price anyway).',
          exitCode: ExitCode.error,
        });
      }
    },
  };
}

// Leases for singleton jobs: one row per job name; whoever holds an unexpired lease runs the job.
import type { DbContext } from './db.js';
import { isUniqueViolation } from './insert.js';

/**
 * Takes (or keeps) the lease on `name` for `ttlMs` if it is free, expired, or already `owner`'s.
 * A conditional update is the election: of several instances racing, exactly one changes the row.
 */
export async function acquireJobLease(
  ctx: DbContext,
  name: string,
  owner: string,
  now: number,
  ttlMs: number,
): Promise<boolean> {
  const taken = await ctx.db
    .updateTable('job_leases')
    .set({ owner, until: now + ttlMs })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('owner', '=', owner), eb('until', '<', now)]))
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 1) return true;
  try {
    await ctx.db
      .insertInto('job_leases')
      .values({ name, owner, until: now + ttlMs })
      .execute();
    return true;
  } catch (error) {
    // The row exists (held by another instance, or inserted by one just now): not ours this time.
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Gives the lease up at once, so another instance may run the job without waiting for the expiry. */
export async function releaseJobLease(ctx: DbContext, name: string, owner: string): Promise<void> {
  await ctx.db
    .updateTable('job_leases')
    .set({ until: 0 })
    .where('name', '=', name)
    .where('owner', '=', owner)
    .execute();
}

/** The current holder of `name`, for tests and diagnostics. */
export function jobLease(ctx: DbContext, name: string) {
  return ctx.db.selectFrom('job_leases').selectAll().where('name', '=', name).executeTakeFirst();
}

// Key-value settings that admins change at run time (prices, ratios, switches).
import type { DbContext } from './db.js';

export async function readOptions(ctx: DbContext): Promise<Record<string, string>> {
  const rows = await ctx.db.selectFrom('options').selectAll().execute();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

export async function writeOption(ctx: DbContext, key: string, value: string): Promise<void> {
  // An upsert that reads the same on all three engines: update, and insert when nothing was there.
  const result = await ctx.db.updateTable('options').set({ value }).where('key', '=', key).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) {
    const exists = await ctx.db.selectFrom('options').select('key').where('key', '=', key).executeTakeFirst();
    // MySQL counts an update to the same value as zero changed rows, so look before inserting.
    if (!exists) await ctx.db.insertInto('options').values({ key, value }).execute();
  }
}

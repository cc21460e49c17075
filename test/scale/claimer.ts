// One claiming process for the lease-contention test: its own pool, claims until nothing is due, prints `ready`,
// then (after the parent's go) the claimed ids as JSON. Run as `node --import tsx test/scale/claimer.ts` with CLAIM_* in the environment.
import { sql } from 'kysely';
import { openStore } from '../../src/store/db.js';
import { claimDueTasks } from '../../src/store/task-leases.js';

const env = process.env;
const store = openStore({
  dialect: env.CLAIM_DIALECT as 'postgres' | 'mysql',
  location: env.CLAIM_LOCATION!,
  schema: env.CLAIM_SCHEMA || undefined,
});
const now = Number(env.CLAIM_NOW);
const limit = Number(env.CLAIM_LIMIT);
const owner = env.CLAIM_OWNER!;
// Start together: connected and ready, say so, and claim only when the parent says go (a line on stdin), so
// the four claimers really overlap however slowly each one started.
await sql`select 1`.execute(store.db);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const ids: number[] = [];
let empty = 0;
// A deadlock victim or a claimer that lost every row of a batch gets nothing; stop after a few empty rounds.
while (empty < 3) {
  const rows = await claimDueTasks(store, owner, now, limit, {
    leaseMs: 600_000,
    steps: [],
    slowestMs: 600_000,
  });
  for (const row of rows) ids.push(row.id);
  empty = rows.length === 0 ? empty + 1 : 0;
}
await store.close();
process.stdout.write(JSON.stringify(ids));

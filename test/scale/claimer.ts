// One claiming process for the lease-contention test: its own pool, claims until nothing is due, prints the
// claimed ids as JSON. Run as `node --import tsx test/scale/claimer.ts` with CLAIM_* in the environment.
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
// Start together: wait for the common start time so the four claimers really overlap.
await new Promise((r) => setTimeout(r, Math.max(0, Number(env.CLAIM_START_AT) - Date.now())));
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

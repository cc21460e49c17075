// Four processes, each with its own pool, claim from 10,000 due tasks at once: no task is claimed twice and
// every task is claimed by someone.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { taskValues } from '../../src/store/tasks.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';
import { insertScheduled } from '../support/task-polls.js';
import { ROOT } from './procs.js';

const TASKS = 10_000;
const CLAIMERS = 4;
const NOW = 1_760_000_000_000;

interface Claimer {
  ready: Promise<void>;
  go(): void;
  ids: Promise<number[]>;
}

function claimer(database: TestDatabase, owner: string): Claimer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/scale/claimer.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      CLAIM_DIALECT: database.target.dialect,
      CLAIM_LOCATION: database.target.location,
      CLAIM_SCHEMA: database.target.schema ?? '',
      CLAIM_NOW: String(NOW),
      CLAIM_LIMIT: '200',
      CLAIM_OWNER: owner,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  child.stdout.on('data', (c) => {
    out += c;
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (c) => (err += c));
  const ids = new Promise<number[]>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length))) : reject(new Error(`${owner}: ${err}`)),
    ),
  );
  // A claimer that dies before it is ready fails the test through `ids` rather than leaving it waiting.
  return { ready: Promise.race([ready, ids.then(() => undefined)]), go: () => child.stdin.end('go\n'), ids };
}

for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`lease contention [${backend.dialect}]`, () => {
    let database: TestDatabase;
    let store: Store;
    beforeAll(async () => {
      database = await createTestDatabase(backend.dialect);
      store = openStore(database.target);
      await migrateToLatest(store);
      const rows = Array.from({ length: TASKS }, (_, i) =>
        taskValues(
          {
            task_id: `c-${i}`,
            platform: 'midjourney',
            action: 'IMAGINE',
            user_id: 1,
            submit_time: NOW,
            upstream_id: `u-${i}`,
          },
          NOW,
        ),
      );
      // Due times spread over the last second, many tasks due at the same moment.
      await insertScheduled(store, rows, (taskId) => NOW - (Number(taskId.slice(2)) % 997));
    });
    afterAll(async () => {
      await store?.close();
      await database?.drop();
    });

    it(`${CLAIMERS} processes claiming from ${TASKS} due tasks never claim one twice`, {
      timeout: 60_000,
    }, async () => {
      const claimers = Array.from({ length: CLAIMERS }, (_, i) => claimer(database, `p${i}`));
      // All connected before any claims: a slow start-up must not leave one with nothing to claim.
      await Promise.all(claimers.map((c) => c.ready));
      for (const c of claimers) c.go();
      const claims = await Promise.all(claimers.map((c) => c.ids));
      const all = claims.flat();
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBe(TASKS);
      // Real contention: every process got a share.
      for (const ids of claims) expect(ids.length).toBeGreaterThan(0);
      const owners = await store.db
        .selectFrom('task_polls')
        .select(['lease_owner'])
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .groupBy('lease_owner')
        .execute();
      expect(owners.map((o) => [o.lease_owner, Number(o.n)]).sort()).toEqual(
        claims.map((ids, i) => [`p${i}`, ids.length]).sort(),
      );
    });
  });
}

// `taskgate migrate-data`: an SQLite install with every kind of row (users, keys, channels, tasks of each
// platform with unicode and large JSON, ledger, options, sessions) copied into PostgreSQL and MariaDB, then served
// by a real `taskgate serve` on the copy: the old session cookie still works, a password login works, a copied
// task is fetched, and a new submit gets ids after the copied ones. Plus the refusals: a non-empty target, a bad
// --from path, a file that is not a Taskgate database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateData } from '../../src/cli/migrate-data.js';
import { ManualClock } from '../../src/core/clock.js';
import { hashPassword } from '../../src/services/passwords.js';
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { openStore, type Store } from '../../src/store/db.js';
import { refundQuota, reserveQuota } from '../../src/store/ledger.js';
import { writeOption } from '../../src/store/options.js';
import type { TaskPollRow } from '../../src/store/schema.js';
import { schedulePoll } from '../../src/store/task-leases.js';
import { insertTask, taskValues } from '../../src/store/tasks.js';
import { updateUser } from '../../src/store/users.js';
import { ROOT, seedUser, startInstance, stopInstance, waitForHttp } from '../scale/procs.js';
import { startTestApp } from '../support/app.js';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.js';

const SIM_SECRET = 'migrate-sim-secret';
const UNICODE = '猫と犬 🐱🐶 — «ünïcödé» ﷽ \u{1F3B5}';
/** Larger than one insert batch of tasks (500 rows), so paging by key is exercised. */
const BULK_TASKS = 620;
const BIG_JSON = JSON.stringify({
  items: Array.from({ length: 4_000 }, (_, i) => ({ i, text: `${UNICODE} ${i}`, nested: { ok: true } })),
});

interface Source {
  file: string;
  dir: string;
  cookie: string;
  aliceKey: string;
  aliceId: number;
  tasks: Record<string, string>;
  /** The one unfinished task's poll schedule. */
  poll: TaskPollRow;
  counts: Record<string, number>;
  maxTaskId: number;
  maxLedgerId: number;
}

async function buildSource(simUrl: string): Promise<Source> {
  // A real clock: the copied session must still be valid for the real process that serves the copy.
  const t = await startTestApp('sqlite', {}, { clock: new ManualClock(Date.now()) });
  const { store } = t.ctx;
  const now = t.clock.now();
  const login = await fetch(`${t.url}/api/user/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'root-password-1' }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers.getSetCookie()[0].split(';')[0];
  const alice = await seedUser(store, 'alice', 50_000_000);
  const [aliceId, aliceKey] = [alice.id, alice.key];
  const passwordHash = await hashPassword('alice-password-1');
  await updateUser(store, aliceId, { displayName: UNICODE, passwordHash }, now);
  const tokenId = (
    await store.db.selectFrom('tokens').select('id').where('user_id', '=', aliceId).executeTakeFirstOrThrow()
  ).id;
  const channels: Record<string, number> = {};
  for (const [platform, type] of [
    ['midjourney', 'midjourney-plus'],
    ['suno', 'suno'],
    ['openai-video', 'openai-video'],
  ]) {
    const created = await t.request('POST', '/api/channel/', {
      as: t.root,
      body: { type, name: `${platform} ${UNICODE}`, base_url: simUrl, key: SIM_SECRET },
    });
    expect(created.status, created.text).toBe(200);
    channels[platform] = created.body.data.id;
  }
  await writeOption(store, 'RetryTimes', '2');
  const tasks: Record<string, string> = {};
  const addTask = async (platform: string, taskId: string, extra: Record<string, unknown> = {}) => {
    const quota = 1_000;
    await reserveQuota(
      store,
      { userId: aliceId, tokenId, taskId, platform, model: 'm', quota, content: UNICODE },
      now,
    );
    await insertTask(
      store,
      taskValues(
        {
          task_id: taskId,
          platform,
          action: platform === 'midjourney' ? 'IMAGINE' : 'generate',
          model: 'm',
          user_id: aliceId,
          token_id: tokenId,
          channel_id: channels[platform],
          upstream_id: `up-${taskId}`,
          quota,
          status: 'SUCCESS',
          progress: '100%',
          prompt: UNICODE,
          data: BIG_JSON,
          properties: JSON.stringify({ finalPrompt: UNICODE }),
          submit_time: now,
          finish_time: now,
          ...extra,
        },
        now,
      ),
    );
  };
  for (const platform of ['midjourney', 'suno', 'openai-video']) {
    tasks[platform] = `${platform}-big`;
    await addTask(platform, tasks[platform]);
  }
  // A failed, refunded task.
  await addTask('midjourney', 'refunded-one', { status: 'FAILURE', fail_reason: UNICODE, refunded: 1 });
  await refundQuota(
    store,
    {
      userId: aliceId,
      tokenId,
      taskId: 'refunded-one',
      platform: 'midjourney',
      model: 'm',
      quota: 1_000,
      content: 'refund',
    },
    now,
  );
  for (let i = 0; i < BULK_TASKS; i++) await addTask('midjourney', `bulk-${i}`);
  // An unfinished task on the poll schedule, due in a day: the Taskgate started on the copy leaves it alone.
  const unfinished = await insertTask(
    store,
    taskValues(
      {
        task_id: 'unfinished',
        platform: 'midjourney',
        action: 'IMAGINE',
        user_id: aliceId,
        channel_id: channels.midjourney,
        upstream_id: 'up-unfinished',
        status: 'IN_PROGRESS',
        submit_time: now,
      },
      now,
    ),
  );
  await schedulePoll(store, unfinished, now + 86_400_000);
  const poll = await store.db
    .selectFrom('task_polls')
    .selectAll()
    .where('id', '=', unfinished)
    .executeTakeFirstOrThrow();
  const counts: Record<string, number> = {};
  const tables = [
    'users',
    'tokens',
    'channels',
    'options',
    'ledger',
    'sessions',
    'tasks',
    'task_polls',
  ] as const;
  for (const table of tables) {
    const row = await store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  const max = async (table: 'tasks' | 'ledger') =>
    Number(
      (
        await store.db
          .selectFrom(table)
          .select((eb) => eb.fn.max('id').as('m'))
          .executeTakeFirstOrThrow()
      ).m,
    );
  const [maxTaskId, maxLedgerId] = [await max('tasks'), await max('ledger')];
  // Stop it without dropping the file: that is the install being moved.
  await t.ctx.engine.close();
  await t.app.close();
  await t.ctx.store.close();
  const file = t.database.target.location;
  return {
    file,
    dir: join(file, '..'),
    cookie,
    aliceKey,
    aliceId,
    tasks,
    poll,
    counts,
    maxTaskId,
    maxLedgerId,
  };
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await migrateData(
    args,
    {},
    (line) => out.push(line),
    (line) => err.push(line),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let sim: MidjourneySimulator;
let simUrl: string;
let source: Source;

beforeAll(async () => {
  sim = createMidjourneySimulator({ apiSecret: SIM_SECRET, mode: 'P' });
  simUrl = await sim.listen();
  source = await buildSource(simUrl);
}, 120_000);

afterAll(async () => {
  await sim?.close();
  if (source) rmSync(source.dir, { recursive: true, force: true });
});

describe('migrate-data refuses bad input', () => {
  it('a --from path that does not exist: a clear error from the real command, exit 1', async () => {
    const result = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'migrate-data',
        '--from',
        '/nonexistent/taskgate.db',
        '--to',
        'postgres://u:hunter2@127.0.0.1:1/x',
      ],
      { cwd: ROOT },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('taskgate migrate-data: --from /nonexistent/taskgate.db: no such file');
  });

  it('a file that is not a Taskgate database, missing arguments, an SQLite target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'taskgate-migrate-'));
    try {
      const junk = join(dir, 'junk.db');
      writeFileSync(junk, 'this is not sqlite at all, just text '.repeat(200));
      const bad = await run(['--from', junk, '--to', 'postgres://127.0.0.1/x']);
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/not an SQLite database/);
      expect((await run(['--from', source.file])).err).toMatch(/--to \(or SQL_DSN\) is required/);
      expect((await run(['--to', 'postgres://127.0.0.1/x'])).err).toMatch(/--from is required/);
      const lite = await run(['--from', source.file, '--to', 'sqlite:/tmp/x.db']);
      expect([lite.code, lite.err]).toEqual([
        2,
        'taskgate migrate-data: --to must be a PostgreSQL or MySQL/MariaDB DSN',
      ]);
      expect((await run(['--from', source.file, '--bogus'])).code).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const backend of backends().filter((b) => b.dialect !== 'sqlite')) {
  describe.skipIf(!backend.available)(`migrate-data SQLite → ${backend.dialect}`, () => {
    let database: TestDatabase;
    let target: Store;
    let first: Awaited<ReturnType<typeof run>>;

    beforeAll(async () => {
      database = await createTestDatabase(backend.dialect);
      first = await run(['--from', source.file, '--to', database.dsn]);
      target = openStore(database.target, 2);
    }, 120_000);

    afterAll(async () => {
      await target?.close();
      await database?.drop();
    });

    it('copies every table, keeps ids, checks counts and balances, prints a summary without secrets', async () => {
      expect(first.err).toBe('');
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/every balance equals its ledger/);
      expect(first.out).not.toContain(SIM_SECRET);
      expect(first.out).toMatch(new RegExp(`tasks +${source.counts.tasks} rows`));
      for (const [table, n] of Object.entries(source.counts)) {
        const row = await target.db
          .selectFrom(table as 'users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        expect([table, Number(row.n)]).toEqual([table, n]);
      }
      const copied = await target.db
        .selectFrom('tasks')
        .selectAll()
        .where('task_id', '=', source.tasks.suno)
        .executeTakeFirstOrThrow();
      expect(copied.prompt).toBe(UNICODE);
      expect(copied.data).toBe(BIG_JSON);
      // The poll schedule keeps its task's id (no sequence of its own).
      expect(await target.db.selectFrom('task_polls').selectAll().execute()).toEqual([source.poll]);
      const alice = await target.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', source.aliceId)
        .executeTakeFirstOrThrow();
      expect(alice.display_name).toBe(UNICODE);
      expect(alice.quota).toBe(50_000_000 - (3 + BULK_TASKS) * 1_000);
    });

    it('a real Taskgate on the copy: old session, password login, copied task, new ids after the copied ones', async () => {
      const instance = await startInstance(`migrated-${backend.dialect}`, {
        SQL_DSN: database.dsn,
        LOG_LEVEL: 'warn',
        INITIAL_ROOT_ACCESS_TOKEN: '',
      });
      try {
        await waitForHttp(instance);
        // The session made on SQLite, signed with the secret that came along.
        const self = await fetch(`${instance.url}/api/user/self`, {
          headers: { cookie: source.cookie, 'new-api-user': '1' },
        });
        expect(self.status).toBe(200);
        expect(((await self.json()) as { data: { username: string } }).data.username).toBe('root');
        const login = await fetch(`${instance.url}/api/user/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'alice', password: 'alice-password-1' }),
        });
        expect(login.status).toBe(200);
        const bearer = { authorization: `Bearer ${source.aliceKey}` };
        const fetched = await fetch(`${instance.url}/mj/task/${source.tasks.midjourney}/fetch`, {
          headers: bearer,
        });
        expect(fetched.status).toBe(200);
        expect(((await fetched.json()) as { prompt: string }).prompt).toBe(UNICODE);
        const submitted = await fetch(`${instance.url}/mj/submit/imagine`, {
          method: 'POST',
          headers: { ...bearer, 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: 'after the move' }),
        });
        const answer = (await submitted.json()) as { code: number; result: string };
        expect(answer.code).toBe(1);
        const task = await target.db
          .selectFrom('tasks')
          .select(['id', 'user_id'])
          .where('task_id', '=', answer.result)
          .executeTakeFirstOrThrow();
        expect(task).toEqual({ id: source.maxTaskId + 1, user_id: source.aliceId });
        const charge = await target.db
          .selectFrom('ledger')
          .select('id')
          .where('task_id', '=', answer.result)
          .executeTakeFirstOrThrow();
        expect(charge.id).toBe(source.maxLedgerId + 1);
      } finally {
        await stopInstance(instance);
      }
    }, 60_000);

    it('refuses a target that is not empty and changes nothing', async () => {
      const before = await target.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      // The local PostgreSQL trusts its users, so a password added to the DSN is ignored by it: it must not be shown.
      const url = new URL(database.dsn);
      if (backend.dialect === 'postgres' && !url.password) url.password = 'hunter2';
      const dsn = url.toString();
      const again = await run(['--from', source.file, '--to', dsn]);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(
        /^taskgate migrate-data: the target database is not empty: .*users \(2 rows\)/,
      );
      expect(`${again.out}${again.err}`).not.toContain('hunter2');
      expect(again.out).toMatch(/^copying .* → (postgres|mysql):\/\//);
      expect(again.err).toMatch(/nothing was changed/);
      const after = await target.db
        .selectFrom('tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });
  });
}

// Poll throughput of 1, 2 and 3 real `taskgate serve` processes sharing one PostgreSQL database: tasks polled per
// second and database round-trips per task, in a steady state where every task is due again soon after each
// poll, so the pollers (not the schedule) set the pace. Reference in the same run: the simulators answering the
// same list-by-condition batches, called directly with the poller's batch size and concurrency, no gateway.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { Agent } from 'undici';
import { openStore, type Store } from '../src/store/db.js';
import { siblingFile } from './lib/child.js';
import type { BenchOptions, BenchResult, Row } from './lib/report.js';
import { fmt } from './lib/report.js';
import { seedTasks } from './lib/seeding.js';
import { pollSimulatorsDirectly, SIM_SECRET, type Sims, startSims } from './lib/sims.js';
import {
  createDatabase,
  createMjChannel,
  createUserWithKeys,
  PG_URL,
  postgresAnswers,
  startTaskgate,
} from './lib/taskgate.js';
import { log, mb, onCleanup } from './lib/util.js';

const CHANNELS = 10;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * A 5 s lease and poll interval instead of the production 15 s: with 150,000 tasks in flight, 30,000 a second
 * come due, more than one instance polls here (about 23,000 since the narrow lease table), so the instances run
 * back-to-back rounds and the throughput is their own; with 15 s one instance caught up within the first window
 * and the next cases found nothing due.
 */
const POLL_ENV = {
  POLL_LEASE_MS: '5000',
  POLL_INTERVAL_MS: '5000',
  POLL_IDLE_MS: '10',
  POLL_TIMEOUT_MS: '10000',
  SHUTDOWN_WAIT_MS: '2000',
  LOG_LEVEL: process.env.BENCH_INSTANCE_LOG ?? 'warn',
};

interface Instance {
  child: ChildProcess;
  url: string;
  statements(): Promise<number>;
  rssMb(): number;
  /** User + system CPU time so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
  /** Whether stop() had to SIGKILL it (it had not exited within 4 s of SIGTERM). */
  killed(): boolean;
}

interface CaseResult {
  instances: number;
  seconds: number;
  tasksPolled: number;
  statements: number;
  /** CPU time of all the instances per 1,000 tasks polled (the database's and simulators' not included). */
  cpuMsPerThousand: number;
  /** CPU time of the PostgreSQL server processes serving the instances, per 1,000 tasks polled. */
  databaseCpuMsPerThousand: number;
  rssMb: number[];
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `taskgate serve` with the statement counter preloaded, free to use every core (the bench itself is pinned). */
async function startInstance(name: string, dsn: string): Promise<Instance> {
  const port = await freePort();
  // Compiled when the bench is (npm run bench), through tsx from the sources otherwise.
  const compiled = import.meta.url.endsWith('.js');
  const main = fileURLToPath(new URL(`../src/cli/main.${compiled ? 'js' : 'ts'}`, import.meta.url));
  const node = [
    process.execPath,
    ...(compiled ? [] : ['--import', 'tsx']),
    '--import',
    pathToFileURL(siblingFile(import.meta.url, 'poll-instances-counter')).href,
    main,
    'serve',
  ];
  const cores = `0-${os.availableParallelism() - 1}`;
  const [command, ...args] = process.env.TASKSET === '0' ? node : ['taskset', '-c', cores, ...node];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      ...POLL_ENV,
      SQL_DSN: dsn,
      PORT: String(port),
      HOST: '127.0.0.1',
      INSTANCE_ID: name,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let killed = false;
  const stop = onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    // SHUTDOWN_WAIT_MS and a little more; a process still there then is killed, and the results say so.
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 4_000);
    await exited;
    clearTimeout(timer);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up`);
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (i > 600) throw new Error(`${name} did not answer within 30 s`);
    await sleep(50);
  }
  return {
    child,
    url,
    stop,
    killed: () => killed,
    statements: () =>
      new Promise((resolve) => {
        child.once('message', (m: { statements: number }) => resolve(m.statements));
        child.send('statements');
      }),
    cpuMs: () => processCpuMs(child.pid!),
    rssMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return mb(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024);
    },
  };
}

/** Tasks the simulators have been asked about so far (the sum of every list-by-condition batch). */
const asked = async (sims: Sims) => (await sims.stats()).batchSizes.reduce((a, b) => a + b, 0);

/**
 * The reference: every task's id, in the poller's batches and concurrency, straight to the simulators, round
 * after round for `ms`. Tasks answered per second.
 */
async function reference(byChannel: Map<string, string[]>, ms: number): Promise<number> {
  const http = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const tasks = [...byChannel.values()].reduce((sum, ids) => sum + ids.length, 0);
  let answered = 0;
  const started = performance.now();
  try {
    while (performance.now() - started < ms) {
      await pollSimulatorsDirectly(byChannel, http);
      answered += tasks;
    }
    return answered / ((performance.now() - started) / 1000);
  } finally {
    await http.close();
  }
}

/**
 * Ends the database sessions the instances left: PostgreSQL finishes a killed client's running statement before
 * it notices, and those would hold locks the schema's drop waits for.
 */
async function endSessions(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      name,
    ]);
  } finally {
    await client.end();
  }
}

/** Every task row `copies` times in all: the same upstream task, a task id of its own, the same poll schedule. */
async function copyTasks(store: Store, copies: number): Promise<void> {
  const one = await store.db.selectFrom('tasks').selectAll().limit(1).executeTakeFirstOrThrow();
  const columns = Object.keys(one).filter((c) => c !== 'id' && c !== 'task_id');
  const list = sql.join(columns.map((c) => sql.ref(c)));
  await sql`insert into tasks (task_id, ${list})
    select task_id || '-' || k, ${list} from tasks cross join generate_series(2, ${sql.lit(copies)}) as k`.execute(
    store.db,
  );
  // A copy's task id is its original's with `-k` appended.
  await sql`insert into task_polls (id, next_poll_at, lease_owner, lease_until, poll_attempts)
    select copy.id, p.next_poll_at, p.lease_owner, p.lease_until, p.poll_attempts
    from tasks copy join tasks original on original.task_id = split_part(copy.task_id, '-', 1)
    join task_polls p on p.id = original.id
    where copy.task_id like '%-%'`.execute(store.db);
}

/** A sample of what the instances have done so far: tasks asked upstream, statements sent, CPU used. */
async function sample(sims: Sims, instances: Instance[], name: string) {
  return {
    at: performance.now(),
    asked: await asked(sims),
    statements: await Promise.all(instances.map((i) => i.statements())),
    cpuMs: instances.map((i) => i.cpuMs()),
    databaseCpuMs: await sessionsCpuMs(name),
  };
}

/**
 * CPU time used so far by the PostgreSQL server processes serving the instances (found by their application
 * name; the server runs on this machine). The pools keep their connections through a case, so the difference
 * of two samples is the database's work for the tasks polled between them.
 */
async function sessionsCpuMs(name: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [name],
    );
    return rows.reduce((sum, { pid }) => sum + processCpuMs(pid), 0);
  } finally {
    await client.end();
  }
}

/** User + system CPU time of a process so far, in ms (0 once it is gone). */
function processCpuMs(pid: number): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux), counted after the name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * One case: the running instances plus one more, on the same tasks (a started instance keeps running into the
 * next case, so each case pays one start-up). Measured after a warm-up in which the new one starts polling.
 */
async function runCase(
  instances: Instance[],
  dsn: string,
  name: string,
  sims: Sims,
  windowMs: number,
): Promise<CaseResult> {
  const count = instances.length + 1;
  log(`poll instances: starting instance ${count}`);
  instances.push(await startInstance(`bench-${count}`, dsn));
  await sleep(1_000); // warm-up: connections open, code paths compiled
  log(`poll instances: measuring ${count} instance(s)`);
  const before = await sample(sims, instances, name);
  await sleep(windowMs);
  const after = await sample(sims, instances, name);
  const tasksPolled = after.asked - before.asked;
  return {
    instances: count,
    seconds: (after.at - before.at) / 1000,
    tasksPolled,
    statements: after.statements.reduce((sum, n, i) => sum + n - before.statements[i], 0),
    cpuMsPerThousand:
      (1000 * after.cpuMs.reduce((sum, n, i) => sum + n - before.cpuMs[i], 0)) / Math.max(1, tasksPolled),
    databaseCpuMsPerThousand:
      (1000 * (after.databaseCpuMs - before.databaseCpuMs)) / Math.max(1, tasksPolled),
    rssMb: instances.map((i) => i.rssMb()),
  };
}

export async function pollInstancesBench(options: BenchOptions): Promise<BenchResult> {
  if (!(await postgresAnswers())) {
    log('poll instances: PostgreSQL does not answer; skipped');
    return {
      name: 'poll-instances',
      rows: [{ bench: 'poll-instances', case: 'postgres', metric: 'skipped', taskgate: 'no server' }],
      budgets: [],
      data: null,
    };
  }
  // Seeding through the simulators' submit takes most of a run: fewer tasks are made upstream and each is
  // recorded many times, as different tasks that happen to share an upstream id (asked for once per row).
  const { smoke } = options as BenchOptions & { smoke?: boolean };
  const made = options.full ? 10_000 : smoke ? 1_000 : 3_000;
  const copies = options.full ? 30 : 50;
  const tasks = made * copies;
  const windowMs = options.full ? 10_000 : smoke ? 1_500 : 3_000;
  const perSim = Math.ceil(made / CHANNELS);
  const simsStarted = Date.now();
  const sims = await startSims(
    { count: CHANNELS, coreSize: perSim + 16, queueSize: 16, timeScale: 1, frozen: true },
    options.pinning.helper,
  );
  const database = await createDatabase('postgres');
  const dsnUrl = new URL(PG_URL);
  dsnUrl.searchParams.set('options', `-c search_path=${database.target.schema}`);
  // Named, so the server processes of killed instances can be ended before the schema is dropped.
  dsnUrl.searchParams.set('application_name', database.target.schema!);
  const dsn = dsnUrl.toString();
  try {
    // Migrate, add the channels and the user in this process, then seed; the instances start afterwards.
    const gateway = await startTaskgate(database, { http: false });
    const channelIds: number[] = [];
    for (const [i, url] of sims.urls.entries())
      channelIds.push(await createMjChannel(gateway.ctx, url, SIM_SECRET, `simulator ${i}`));
    const { userId } = await createUserWithKeys(gateway.ctx, 0);
    await gateway.close();
    log(`poll instances: ${tasks} tasks in ${CHANNELS} simulators (a child process)`);
    await seedTasks(
      { urls: sims.urls, perSim, target: database.target, channelIds, userId, now: Date.now() },
      options.pinning.server,
    );

    const store = openStore(database.target, 1);
    await copyTasks(store, copies);
    const rows = await store.db.selectFrom('tasks').select(['channel_id', 'upstream_id']).execute();
    await store.close();
    const urlOf = new Map(channelIds.map((id, i) => [id, sims.urls[i]]));
    const byChannel = new Map<string, string[]>();
    for (const row of rows) {
      const url = urlOf.get(row.channel_id)!;
      byChannel.set(url, [...(byChannel.get(url) ?? []), row.upstream_id]);
    }
    log('poll instances: the reference (the simulators called directly)');
    const referenceRate = await reference(byChannel, windowMs);
    // The frozen simulators stand about 12 s of simulated time after their start: their task times must lie
    // in the instances' past, or every poll would clamp and rewrite them (see docs/benchmarks.md).
    await sleep(Math.max(0, simsStarted + 13_000 - Date.now()));
    const cases: CaseResult[] = [];
    const instances: Instance[] = [];
    try {
      for (let i = 0; i < 3; i++)
        cases.push(await runCase(instances, dsn, database.target.schema!, sims, windowMs));
    } finally {
      await Promise.all(instances.map((i) => i.stop()));
    }
    const killed = instances.filter((i) => i.killed()).length;
    const rowsOut: Row[] = [];
    for (const c of cases) {
      const kase = `postgres, ${c.instances} instance${c.instances > 1 ? 's' : ''}, ${tasks / 1000}k tasks`;
      const rate = c.tasksPolled / c.seconds;
      rowsOut.push(
        {
          bench: 'poll-instances',
          case: kase,
          metric: 'tasks polled / s',
          taskgate: fmt(rate, 0),
          reference: fmt(referenceRate, 0),
          ratio: `${fmt(rate / referenceRate, 2)}×`,
        },
        {
          bench: 'poll-instances',
          case: kase,
          metric: 'db round-trips / task',
          taskgate: fmt(c.statements / Math.max(1, c.tasksPolled), 3),
          reference: '0',
        },
        {
          bench: 'poll-instances',
          case: kase,
          metric: 'CPU ms / 1000 tasks: instances, database',
          taskgate: `${fmt(c.cpuMsPerThousand, 0)}, ${fmt(c.databaseCpuMsPerThousand, 0)}`,
        },
        {
          bench: 'poll-instances',
          case: kase,
          metric: 'RSS MB per instance',
          taskgate: c.rssMb.map((r) => fmt(r, 0)).join(', '),
        },
      );
    }
    rowsOut.push({
      bench: 'poll-instances',
      case: 'postgres, 3 instances',
      metric: 'not exited 4 s after SIGTERM',
      taskgate: `${killed} of 3`,
      budget: 'expected 0',
    });
    return {
      name: 'poll-instances',
      rows: rowsOut,
      budgets: [],
      data: { tasks, windowMs, env: POLL_ENV, referenceRate, cases, killedAfterSigterm: killed },
    };
  } finally {
    await endSessions(database.target.schema!);
    await database.drop();
    await sims.stop();
  }
}

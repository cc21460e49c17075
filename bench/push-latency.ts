// How long an upstream status change takes to show in GET /mj/task/{id}/fetch: through the push callback
// (the simulator POSTs the task to /mj/notify as soon as its notifier sees the change, every 25 ms) and through
// polling (the poller asks the simulator on its schedule, here every POLL_INTERVAL_MS). The change is a forced
// SUCCESS through the simulator's control API; the clock starts when that request is sent, and stops when a fetch
// (repeated every FETCH_EVERY_MS) first answers SUCCESS.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import type { Sized } from './fetch.js';
import type { BenchResult, Budget, Row } from './lib/report.js';
import { fmt } from './lib/report.js';
import { SIM_SECRET, startSims } from './lib/sims.js';
import {
  createDatabase,
  createMjChannel,
  createUserWithKeys,
  type Gateway,
  startTaskgate,
} from './lib/taskgate.js';
import { inParallel, log } from './lib/util.js';

const POLL_INTERVAL_MS = 1_000;
const FETCH_EVERY_MS = 2;
const PUSH_P99_BUDGET_MS = 100;
const WARMUP = 3;
/** A watcher gives up after this long: the run then fails. */
const GIVE_UP_MS = 10_000;

const http = new Agent({ keepAliveTimeout: 30_000, connections: 32 });

async function call(url: string, method: 'GET' | 'POST', headers: Record<string, string>, body?: unknown) {
  const response = await request(url, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    dispatcher: http,
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: text ? JSON.parse(text) : null };
}

interface Context {
  gateway: Gateway;
  simUrl: string;
  key: string;
}

/** A task submitted through Taskgate; answers its public id and the simulator's id for it. */
async function submit({ gateway, key }: Context): Promise<{ id: string; upstream: string }> {
  const answer = await call(
    `${gateway.url}/mj/submit/imagine`,
    'POST',
    { authorization: `Bearer ${key}` },
    { prompt: 'a lighthouse at dusk' },
  );
  if (answer.status !== 200 || answer.body.code !== 1)
    throw new Error(`submit: ${JSON.stringify(answer.body)}`);
  const id = String(answer.body.result);
  const row = await gateway.ctx.store.db
    .selectFrom('tasks')
    .select('upstream_id')
    .where('task_id', '=', id)
    .executeTakeFirstOrThrow();
  return { id, upstream: row.upstream_id };
}

/** Forces SUCCESS upstream and watches fetch until it shows; answers the milliseconds in between. */
async function changeAndWatch(ctx: Context, task: { id: string; upstream: string }): Promise<number> {
  const started = performance.now();
  const forced = await call(
    `${ctx.simUrl}/__sim/mj/tasks/${task.upstream}`,
    'POST',
    {},
    { status: 'SUCCESS' },
  );
  if (forced.status !== 200) throw new Error(`force ${task.upstream}: HTTP ${forced.status}`);
  const headers = { authorization: `Bearer ${ctx.key}` };
  while (performance.now() - started < GIVE_UP_MS) {
    const seen = await call(`${ctx.gateway.url}/mj/task/${task.id}/fetch`, 'GET', headers);
    if (seen.status !== 200) throw new Error(`fetch ${task.id}: HTTP ${seen.status}`);
    if (seen.body.status === 'SUCCESS') return performance.now() - started;
    await sleep(FETCH_EVERY_MS);
  }
  throw new Error(`task ${task.id} did not show SUCCESS within ${GIVE_UP_MS} ms`);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function summary(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1)!,
  };
}

async function withGateway<T>(simUrl: string, push: boolean, work: (ctx: Context) => Promise<T>): Promise<T> {
  const database = await createDatabase('sqlite');
  const gateway = await startTaskgate(database, {
    http: true,
    env: { POLL_INTERVAL_MS: String(POLL_INTERVAL_MS) },
  });
  try {
    const channelId = await createMjChannel(gateway.ctx, simUrl, SIM_SECRET, push ? 'push' : 'poll');
    await gateway.ctx.store.db
      .updateTable('channels')
      .set({ push: push ? 1 : 0 })
      .where('id', '=', channelId)
      .execute();
    gateway.ctx.engine.channels.invalidate();
    const { keys } = await createUserWithKeys(gateway.ctx, 1);
    return await work({ gateway, simUrl, key: keys[0] });
  } finally {
    await gateway.close();
    await database.drop();
  }
}

export async function pushLatencyBench(options: Sized): Promise<BenchResult> {
  const pushSamples = options.smoke ? 5 : options.full ? 200 : 50;
  const pollSamples = options.smoke ? 3 : options.full ? 50 : 20;
  // Real time in the simulator (so its notifier runs); a roomy account, so nothing queues.
  const sims = await startSims(
    { count: 1, coreSize: 1000, queueSize: 1000, timeScale: 1, frozen: false },
    options.pinning.helper,
  );
  try {
    const [simUrl] = sims.urls;
    // Push: the poller is not started, so only the callback can make the change visible. One at a time.
    const push = await withGateway(simUrl, true, async (ctx) => {
      // A few unmeasured changes first: the first callback also opens the simulator's connection to Taskgate.
      for (let i = 0; i < WARMUP; i++) await changeAndWatch(ctx, await submit(ctx));
      const latencies: number[] = [];
      for (let i = 0; i < pushSamples; i++) latencies.push(await changeAndWatch(ctx, await submit(ctx)));
      return latencies;
    });
    log(`push-latency: push, ${pushSamples} changes`);
    // Poll: no callback; the poller runs. The changes happen at random moments of the poll cycle, concurrently.
    const poll = await withGateway(simUrl, false, async (ctx) => {
      const tasks = [];
      for (let i = 0; i < pollSamples; i++) tasks.push(await submit(ctx));
      ctx.gateway.ctx.engine.poller.start();
      const latencies: number[] = [];
      await inParallel(tasks, tasks.length, async (task) => {
        await sleep(Math.random() * 2 * POLL_INTERVAL_MS);
        latencies.push(await changeAndWatch(ctx, task));
      });
      return latencies;
    });
    log(`push-latency: poll every ${POLL_INTERVAL_MS} ms, ${pollSamples} changes`);
    return report(summary(push), summary(poll));
  } finally {
    await sims.stop();
  }
}

type Summary = ReturnType<typeof summary>;

function report(push: Summary, poll: Summary): BenchResult {
  const budgets: Budget[] = [
    {
      bench: 'push-latency',
      case: 'push (/mj/notify)',
      rule: `p99 ≤ ${PUSH_P99_BUDGET_MS} ms`,
      met: push.p99 <= PUSH_P99_BUDGET_MS,
      detail: `${fmt(push.p99, 1)} ms`,
    },
  ];
  const row = (kase: string, s: Summary, budget?: string): Row => ({
    bench: 'push-latency',
    case: kase,
    metric: `change → fetch p50 / p99 / max ms (${s.samples})`,
    taskgate: `${fmt(s.p50, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max, 1)}`,
    budget,
  });
  return {
    name: 'push-latency',
    rows: [
      row('push (/mj/notify), poller off', push, `${budgets[0].met ? 'met' : 'NOT met'}: ${budgets[0].rule}`),
      row(`poll every ${POLL_INTERVAL_MS} ms, no push`, poll),
    ],
    budgets,
    data: {
      pollIntervalMs: POLL_INTERVAL_MS,
      fetchEveryMs: FETCH_EVERY_MS,
      push,
      poll,
    },
  };
}

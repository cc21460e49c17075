// GET /mj/task/{id}/fetch on SQLite with many stored tasks, against a bare Fastify route that answers the same
// JSON from memory, in the same process and the same run, under the same autocannon load (50 connections).
// The two sides take turns over several rounds, and the ratio is the median of the rounds' ratios: on a shared
// virtual machine the reference alone moved by 30% from one minute to the next (docs/benchmarks.md).
import Fastify from 'fastify';
import { type CpuWindow, cpuWindow } from './lib/cpu-window.js';
import { type LoadConfig, type LoadResult, runLoad } from './lib/load.js';
import type { BenchOptions, BenchResult, Budget, Row } from './lib/report.js';
import { fmt } from './lib/report.js';
import { seededTaskId, seedTaskRows } from './lib/seed-tasks.js';
import { createDatabase, createUserWithKeys, startTaskgate } from './lib/taskgate.js';
import { log, onCleanup, timed } from './lib/util.js';

const CONNECTIONS = 50;
/** Distinct tasks the load cycles through (every one the caller's own Midjourney task). */
// The load generator gets its requests as one argv string (at most 128 KB on Linux): 500 fit.
const DISTINCT = 500;
const P99_BUDGET_MS = 5;
/** Each round's own warm-up, on the connections it then measures (loadgen.ts): their opening is not measured. */
const ROUND_WARMUP_SEC = 0.5;

export interface Sized extends BenchOptions {
  smoke?: boolean;
}

interface Round {
  load: LoadResult;
  cpu: CpuWindow;
  cpuMsPerRequest: number;
}

/** One side's measured rounds, summed and summarised. */
interface Side {
  rounds: Round[];
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  loadgenCpuMsPerRequest: number;
}

async function warmUp(config: LoadConfig, cpu: string | null, label: string): Promise<void> {
  log(`fetch: ${label}, ${CONNECTIONS} connections, ${config.warmupSec} s warm-up`);
  await runLoad({ ...config, durationSec: config.warmupSec, warmupSec: 0 }, cpu);
}

/** One measured load with the CPU this process spent on it. */
async function measure(config: LoadConfig, cpu: string | null, label: string): Promise<Round> {
  log(`fetch: ${label}, ${CONNECTIONS} connections, ${ROUND_WARMUP_SEC} s warm-up + ${config.durationSec} s`);
  const window = cpuWindow();
  const load = await runLoad({ ...config, warmupSec: ROUND_WARMUP_SEC }, cpu);
  const used = window.stop();
  if (load.responses === 0 || load.non2xx + load.errors + load.timeouts > 0)
    throw new Error(
      `fetch ${label}: ${load.responses} answers, statuses ${JSON.stringify(load.statuses)}, ` +
        `errors ${load.errors}, timeouts ${load.timeouts}`,
    );
  // The window covers the round's warm-up too, so it is divided by every answer of the round; it also covers
  // the load generator's start (idle here), so this is an upper bound.
  return { load, cpu: used, cpuMsPerRequest: used.cpuMs / load.totalResponses };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function side(rounds: Round[]): Side {
  const sum = (of: (r: Round) => number) => rounds.reduce((total, r) => total + of(r), 0);
  const responses = sum((r) => r.load.responses);
  return {
    rounds,
    rps: responses / sum((r) => r.load.durationSec),
    p50Ms: median(rounds.map((r) => r.load.p50Ms)),
    p99Ms: median(rounds.map((r) => r.load.p99Ms)),
    cpuMsPerRequest: sum((r) => r.cpu.cpuMs) / sum((r) => r.load.totalResponses),
    loadgenCpuMsPerRequest: sum((r) => r.load.cpuMsPerResponse * r.load.responses) / responses,
  };
}

export async function fetchBench(options: Sized): Promise<BenchResult> {
  const tasks = options.smoke ? 10_000 : 100_000;
  const rounds = options.smoke ? 1 : 3;
  const durationSec = options.smoke ? 2 : options.full ? 10 : 3;
  const warmupSec = options.smoke ? 1 : 2;
  const database = await createDatabase('sqlite');
  const gateway = await startTaskgate(database, { http: true });
  const bare = Fastify({ logger: false });
  const closeBare = onCleanup(() => bare.close());
  try {
    const { userId, keys } = await createUserWithKeys(gateway.ctx, 1);
    const seeded = await timed(() =>
      seedTaskRows(gateway.ctx.store, { count: tasks, userId, now: gateway.ctx.clock.now() }),
    );
    log(`fetch: seeded ${tasks} tasks in ${fmt(seeded.ms / 1000, 1)} s`);
    // Task n is the caller's Midjourney task when n is a multiple of 40 (seed-tasks.ts): spread over the table.
    const distinct = Math.min(DISTINCT, Math.floor(tasks / 40));
    const step = Math.floor(tasks / distinct / 40) * 40;
    const ids = Array.from({ length: distinct }, (_, i) => seededTaskId(i * step));
    const headers = { authorization: `Bearer ${keys[0]}` };
    // The reference answers exactly what Taskgate answers, read once from Taskgate itself.
    const bodies = new Map<string, unknown>();
    for (const id of ids) {
      const response = await fetch(`${gateway.url}/mj/task/${id}/fetch`, { headers });
      if (response.status !== 200) throw new Error(`fetch ${id}: HTTP ${response.status}`);
      bodies.set(id, await response.json());
    }
    bare.get<{ Params: { id: string } }>('/mj/task/:id/fetch', async (request, reply) => {
      const body = bodies.get(request.params.id);
      return body ?? reply.code(404).send({ code: 4, description: 'task_not_found', result: null });
    });
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const load = (url: string): LoadConfig => ({
      url,
      connections: CONNECTIONS,
      warmupSec,
      durationSec,
      // The same headers on both sides, so the load generator does the same work.
      requests: ids.map((id) => ({ method: 'GET', path: `/mj/task/${id}/fetch`, headers })),
    });
    const bareLoad = load(bareUrl);
    const taskgateLoad = load(gateway.url!);
    await warmUp(bareLoad, options.pinning.helper, 'bare Fastify from memory');
    await warmUp(taskgateLoad, options.pinning.helper, 'Taskgate on SQLite');
    const reference: Round[] = [];
    const taskgate: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      // Who goes first alternates, so a machine slowly speeding up or slowing down favours neither side.
      const sides = [
        async () =>
          reference.push(await measure(bareLoad, options.pinning.helper, 'bare Fastify from memory')),
        async () => taskgate.push(await measure(taskgateLoad, options.pinning.helper, 'Taskgate on SQLite')),
      ];
      if (round % 2) sides.reverse();
      for (const run of sides) await run();
    }
    return report(tasks, rounds, durationSec, side(reference), side(taskgate));
  } finally {
    await closeBare();
    await gateway.close();
    await database.drop();
  }
}

function report(
  tasks: number,
  rounds: number,
  durationSec: number,
  reference: Side,
  taskgate: Side,
): BenchResult {
  const ratios = taskgate.rounds.map((r, i) => r.load.rps / reference.rounds[i].load.rps);
  const ratio = median(ratios);
  const kase = `sqlite, ${tasks} tasks, ${CONNECTIONS} conn, ${rounds} × ${durationSec} s`;
  const budgets: Budget[] = [
    {
      bench: 'fetch',
      case: kase,
      rule: 'req/s ≥ 0.5 × bare Fastify (median round)',
      met: ratio >= 0.5,
      detail: `${fmt(ratio, 2)}× (rounds ${ratios.map((r) => fmt(r, 2)).join(', ')})`,
    },
    {
      bench: 'fetch',
      case: kase,
      rule: `p99 ≤ ${P99_BUDGET_MS} ms (median round)`,
      met: taskgate.p99Ms <= P99_BUDGET_MS,
      detail: `${fmt(taskgate.p99Ms, 2)} ms`,
    },
  ];
  const mark = (b: Budget) => `${b.met ? 'met' : 'NOT met'}: ${b.rule}`;
  const row = (metric: string, tg: string, ref: string, extra: Partial<Row> = {}): Row => ({
    bench: 'fetch',
    case: kase,
    metric,
    taskgate: tg,
    reference: ref,
    ...extra,
  });
  return {
    name: 'fetch',
    rows: [
      row('req/s', fmt(taskgate.rps, 0), fmt(reference.rps, 0), {
        ratio: `${fmt(ratio, 2)}×`,
        budget: mark(budgets[0]),
      }),
      row('p50 latency ms', fmt(taskgate.p50Ms, 2), fmt(reference.p50Ms, 2)),
      row('p99 latency ms', fmt(taskgate.p99Ms, 2), fmt(reference.p99Ms, 2), {
        budget: mark(budgets[1]),
      }),
      row('server CPU ms per request', fmt(taskgate.cpuMsPerRequest, 3), fmt(reference.cpuMsPerRequest, 3)),
      // The same requests and answers on both sides, yet the generator works harder against the slower server.
      row(
        'load generator CPU ms per request',
        fmt(taskgate.loadgenCpuMsPerRequest, 3),
        fmt(reference.loadgenCpuMsPerRequest, 3),
      ),
    ],
    budgets,
    data: {
      tasks,
      connections: CONNECTIONS,
      rounds,
      durationSec,
      reference,
      taskgate,
      ratios,
      ratio,
    },
  };
}

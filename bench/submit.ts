// Submit throughput and latency: POST /mj/submit/imagine against the simulator directly (the reference), then
// the same load through Taskgate (SQLite, poller not started) to that simulator, in the same run.
import { type CpuWindow, cpuWindow } from './lib/cpu-window.js';
import { startForwarder } from './lib/forwarder.js';
import { type LoadConfig, type LoadResult, runLoad } from './lib/load.js';
import type { BenchOptions, BenchResult, Budget, Row } from './lib/report.js';
import { fmt } from './lib/report.js';
import { SIM_SECRET, type Sims, startSims } from './lib/sims.js';
import { createDatabase, createMjChannel, createUserWithKeys, startTaskgate } from './lib/taskgate.js';
import { log } from './lib/util.js';

const CONNECTIONS = 10;
const WARMUP_SEC = 2;
/** Each key may submit 600 a minute; the load cycles through this many keys so none gets near that. */
const KEYS = 400;
const BODY = JSON.stringify({ prompt: 'a lighthouse at dusk, oil painting --ar 3:2' });
/** More answers than this share not 2xx with code 1 and the numbers are not worth reading. */
const MAX_BAD_SHARE = 0.01;

interface Side {
  load: LoadResult;
  /** Answers that were not 2xx with code 1: transport errors, non-2xx, and submits the simulator refused. */
  bad: number;
  answered: number;
  /** This process's CPU over the load (warm-up included): Taskgate's, when the load goes through it. */
  cpu: CpuWindow;
  /** Submits the simulator took over the same span. */
  submits: number;
}

async function measure(sims: Sims, config: LoadConfig, cpu: string | null, label: string): Promise<Side> {
  await sims.reset();
  log(
    `submit: ${label}, ${CONNECTIONS} connections, ${config.warmupSec} s warm-up + ${config.durationSec} s`,
  );
  const window = cpuWindow();
  const load = await runLoad(config, cpu);
  const used = window.stop();
  const stats = await sims.stats();
  // Server-side counts include the warm-up; the load generator's only the measured part. Both are checked.
  const refused = stats.submits - (stats.codes['1'] ?? 0);
  const bad = load.non2xx + load.errors + refused;
  const answered = Math.max(load.responses, stats.submits);
  if (bad / answered > MAX_BAD_SHARE) {
    throw new Error(
      `submit ${label}: ${bad} of ${answered} answers were not 2xx with code 1 ` +
        `(statuses ${JSON.stringify(load.statuses)}, errors ${load.errors}, simulator codes ${JSON.stringify(stats.codes)})`,
    );
  }
  return { load, bad, answered, cpu: used, submits: stats.submits };
}

export async function submitBench(options: BenchOptions): Promise<BenchResult> {
  const durationSec = options.full ? 15 : 5;
  const { server, helper } = options.pinning;
  // A fast simulated clock ends tasks within milliseconds, so a roomy account never queues (22) or refuses (23).
  const sims = await startSims(
    { count: 1, coreSize: 1000, queueSize: 1000, timeScale: 1000, frozen: false },
    server,
  );
  const database = await createDatabase('sqlite');
  const gateway = await startTaskgate(database, { http: true });
  const [simUrl] = sims.urls;
  const forwarder = await startForwarder(simUrl, SIM_SECRET);
  try {
    await createMjChannel(gateway.ctx, simUrl, SIM_SECRET, 'bench simulator');
    const { keys } = await createUserWithKeys(gateway.ctx, KEYS);
    const load = (url: string, headers: (i: number) => Record<string, string>): LoadConfig => ({
      url,
      connections: CONNECTIONS,
      warmupSec: WARMUP_SEC,
      durationSec,
      // The same number of distinct requests on both sides, so the load generator does the same work.
      requests: keys.map((_, i) => ({
        method: 'POST',
        path: '/mj/submit/imagine',
        headers: { 'content-type': 'application/json', ...headers(i) },
        body: BODY,
      })),
    });
    const direct = await measure(
      sims,
      load(simUrl, () => ({ 'mj-api-secret': SIM_SECRET })),
      helper,
      'direct',
    );
    // The server under test has core 0 to itself in both runs: the simulator, an upstream elsewhere to
    // Taskgate, joins the load generator on the other core (docs/benchmarks.md, CPU arrangement).
    if (helper) sims.pin(helper);
    const forwarded = await measure(
      sims,
      load(forwarder.url, () => ({})),
      helper,
      'through a bare forwarding route',
    );
    const gated = await measure(
      sims,
      load(gateway.url!, (i) => ({ authorization: `Bearer ${keys[i]}` })),
      helper,
      'through Taskgate',
    );
    const failedTasks = await gateway.ctx.store.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'FAILURE')
      .executeTakeFirstOrThrow();
    return report(direct, forwarded, gated, durationSec, Number(failedTasks.n));
  } finally {
    await forwarder.close();
    await gateway.close();
    await database.drop();
    await sims.stop();
  }
}

function report(
  direct: Side,
  forwarded: Side,
  gated: Side,
  durationSec: number,
  failedTasks: number,
): BenchResult {
  const ratio = gated.load.rps / direct.load.rps;
  const addedP50 = gated.load.p50Ms - direct.load.p50Ms;
  const share = (s: Side) => `${fmt((100 * s.bad) / s.answered, 2)}% of ${s.answered}`;
  const kase = `sqlite, ${CONNECTIONS} conn, ${durationSec} s`;
  const budgets: Budget[] = [
    {
      bench: 'submit',
      case: kase,
      rule: 'req/s ≥ 0.5 × direct',
      met: ratio >= 0.5,
      detail: `${fmt(ratio, 2)}×`,
    },
    {
      bench: 'submit',
      case: kase,
      rule: 'added p50 ≤ 2 ms',
      met: addedP50 <= 2,
      detail: `${fmt(addedP50, 2)} ms`,
    },
  ];
  const mark = (b: Budget) => `${b.met ? 'met' : 'NOT met'}: ${b.rule}`;
  const row = (metric: string, tg: string, ref: string, extra: Partial<Row> = {}): Row => ({
    bench: 'submit',
    case: kase,
    metric,
    taskgate: tg,
    reference: ref,
    ...extra,
  });
  const rows: Row[] = [
    row('req/s', fmt(gated.load.rps, 0), fmt(direct.load.rps, 0), {
      ratio: `${fmt(ratio, 2)}×`,
      budget: mark(budgets[0]),
    }),
    row('p50 latency ms', fmt(gated.load.p50Ms, 2), fmt(direct.load.p50Ms, 2), {
      ratio: `+${fmt(addedP50, 2)} ms`,
      budget: mark(budgets[1]),
    }),
    row('p99 latency ms', fmt(gated.load.p99Ms, 2), fmt(direct.load.p99Ms, 2), {
      ratio: `+${fmt(gated.load.p99Ms - direct.load.p99Ms, 2)} ms`,
    }),
    row('not 2xx code 1', share(gated), share(direct), { budget: 'must stay ≤ 1% (else the run fails)' }),
    row(
      'Taskgate CPU ms per submit (its core busy)',
      `${fmt(gated.cpu.cpuMs / gated.submits, 3)} (${fmt(gated.cpu.cpuPerSec / 10, 0)}%)`,
      '',
    ),
    // Not a budget: what the HTTP hop alone costs, in the column Taskgate's numbers take above.
    row('bare forwarding route: req/s', fmt(forwarded.load.rps, 0), fmt(direct.load.rps, 0), {
      ratio: `${fmt(forwarded.load.rps / direct.load.rps, 2)}×`,
    }),
    row('bare forwarding route: p50 latency ms', fmt(forwarded.load.p50Ms, 2), fmt(direct.load.p50Ms, 2), {
      ratio: `+${fmt(forwarded.load.p50Ms - direct.load.p50Ms, 2)} ms`,
    }),
    row(
      'bare forwarding route: CPU ms per submit (its core busy)',
      `${fmt(forwarded.cpu.cpuMs / forwarded.submits, 3)} (${fmt(forwarded.cpu.cpuPerSec / 10, 0)}%)`,
      '',
    ),
  ];
  return {
    name: 'submit',
    rows,
    budgets,
    data: {
      connections: CONNECTIONS,
      warmupSec: WARMUP_SEC,
      durationSec,
      keys: KEYS,
      direct,
      forwarder: forwarded,
      taskgate: { ...gated, failedTasks },
      ratio,
      addedP50Ms: addedP50,
    },
  };
}

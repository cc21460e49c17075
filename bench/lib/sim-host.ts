// Child process: `count` midjourney-proxy simulators, each on its own loopback port (one per channel, as real
// channels are separate deployments). Run apart from Taskgate so its CPU and memory are not charged to it.
import { createMidjourneySimulator, type MidjourneySimulator } from '../../src/sim/midjourney/index.js';
import { childConfig, serveParent } from './child.js';

export interface SimHostConfig {
  count: number;
  apiSecret: string;
  coreSize: number;
  queueSize: number;
  timeScale: number;
  /** Stop the real clock: simulated time then moves only by `advance`. */
  frozen: boolean;
}

export interface SimStats {
  submits: number;
  /** Answer codes of submits that reached an account queue: 1, 22 (queued) or 23 (queue full). */
  codes: Record<string, number>;
  listCalls: number;
  batchSizes: number[];
}

const config = childConfig<SimHostConfig>();
const frozenAt = Date.now();
const sims: MidjourneySimulator[] = [];
const codes = new Map<number, number>();

for (let i = 0; i < config.count; i++) {
  const sim = createMidjourneySimulator({
    apiSecret: config.apiSecret,
    accounts: [{ id: `bench-${i}`, coreSize: config.coreSize, queueSize: config.queueSize }],
    timeScale: config.timeScale,
    // The request log copies headers and bodies; a short one keeps the simulator's own cost down.
    requestLogLimit: 10,
    ...(config.frozen ? { now: () => frozenAt } : {}),
  });
  // Count the code of every accepted or refused submit, as the simulator answers it (see accepted()).
  const enqueue = sim.state.enqueue.bind(sim.state);
  sim.state.enqueue = (task) => {
    const ahead = enqueue(task);
    const code = ahead === null ? 23 : ahead === 0 ? 1 : 22;
    codes.set(code, (codes.get(code) ?? 0) + 1);
    return ahead;
  };
  sims.push(sim);
}
const urls = await Promise.all(sims.map((sim) => sim.listen()));

function stats(): SimStats {
  const sum = (route: string) => sims.reduce((n, s) => n + (s.state.counters.routeCalls.get(route) ?? 0), 0);
  return {
    submits: sum('POST /mj/submit/imagine'),
    codes: Object.fromEntries(codes),
    listCalls: sum('POST /mj/task/list-by-condition'),
    batchSizes: sims.flatMap((s) => s.state.counters.listByConditionBatchSizes),
  };
}

/**
 * Moves every simulator's clock; with `diff`, answers which tasks' Task JSON changed (the ground truth), as
 * "<simulator index>:<task id>": ids are only unique within one simulator.
 */
function advance({ ms, diff }: { ms: number; diff?: boolean }): string[] {
  const views = (sim: MidjourneySimulator, index: number) => {
    const now = sim.state.settle();
    return [...sim.state.tasks.values()].map(
      (t) => [`${index}:${t.id}`, JSON.stringify(sim.state.view(t, now))] as const,
    );
  };
  const before = diff ? new Map(sims.flatMap(views)) : null;
  for (const sim of sims) sim.state.clock.advance(ms);
  if (!before) return [];
  return sims.flatMap(views).flatMap(([key, json]) => (before.get(key) === json ? [] : [key]));
}

serveParent(
  async (cmd, args) => {
    switch (cmd) {
      case 'stats':
        return stats();
      case 'clear':
        codes.clear();
        for (const sim of sims) sim.state.counters.clear();
        return null;
      case 'reset':
        codes.clear();
        for (const sim of sims) sim.state.reset();
        return null;
      case 'advance':
        return advance(args as { ms: number; diff?: boolean });
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  },
  async () => {
    await Promise.all(sims.map((sim) => sim.close()));
  },
);
process.send?.({ urls });

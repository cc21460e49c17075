// Child process: Taskgate's runtime (store, engine, poller; no HTTP) on the benchmark's database, with a clock the
// parent moves. It runs the poll rounds the parent asks for and samples its own RSS meanwhile, so the memory
// measured is Taskgate's alone: in the benchmark's own process the harness's objects and libraries added about
// 50 MB to the base (docs/benchmarks.md, poll round).
import { ManualClock } from '../../src/core/clock.js';
import type { RoundStats } from '../../src/engine/poller.js';
import type { DatabaseTarget } from '../../src/store/db.js';
import { childConfig, serveParent } from './child.js';
import { startTaskgate } from './taskgate.js';
import { collectGarbage, rssSampler, timed } from './util.js';

export interface PollerHostConfig {
  target: DatabaseTarget;
  /** Taskgate's clock at start (ms). */
  now: number;
}

export interface HostedRound {
  stats: RoundStats;
  ms: number;
  rssBefore: number;
  rssPeak: number;
}

const config = childConfig<PollerHostConfig>();
const clock = new ManualClock(config.now);
const gateway = await startTaskgate({ target: config.target, drop: async () => {} }, { http: false, clock });

async function round(): Promise<HostedRound> {
  collectGarbage();
  await new Promise((resolve) => setTimeout(resolve, 200)); // the sweeper hands freed pages back meanwhile
  const sampler = rssSampler();
  const { ms, value } = await timed(() => gateway.ctx.engine.poller.runOnce());
  return { stats: value, ms, rssBefore: sampler.first, rssPeak: sampler.stop() };
}

serveParent(
  async (cmd, args) => {
    if (cmd === 'round') return round();
    if (cmd === 'advance') return clock.advance(args as number);
    throw new Error(`unknown command ${cmd}`);
  },
  () => gateway.close(),
);
process.send?.({ rss: process.memoryUsage.rss() });

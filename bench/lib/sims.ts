// The parent's handle on the simulator child (sim-host.ts): its URLs and its commands.
import { type Dispatcher, request } from 'undici';
import { DEFAULT_POLLER_SETTINGS } from '../../src/engine/poller-settings.js';
import { midjourneyAdapter } from '../../src/platforms/midjourney/adapter.js';
import { siblingFile, startChild } from './child.js';
import type { SimHostConfig, SimStats } from './sim-host.js';
import { chunks, inParallel } from './util.js';

export const SIM_SECRET = 'bench-sim-secret';

/**
 * The poll reference: upstream ids sent straight to their simulators (keyed by URL) in the poller's batch size
 * and concurrency, with no gateway. Returns the calls made.
 */
export async function pollSimulatorsDirectly(
  idsByUrl: Map<string, string[]>,
  http: Dispatcher,
): Promise<number> {
  const { channelConcurrency, callConcurrency } = DEFAULT_POLLER_SETTINGS;
  let calls = 0;
  await inParallel([...idsByUrl], channelConcurrency, ([url, ids]) =>
    inParallel(chunks(ids, midjourneyAdapter.pollBatchSize), callConcurrency, async (batch) => {
      const response = await request(`${url}/mj/task/list-by-condition`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mj-api-secret': SIM_SECRET },
        body: JSON.stringify({ ids: batch }),
        dispatcher: http,
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`reference call: HTTP ${response.statusCode}`);
      calls++;
    }),
  );
  return calls;
}

export interface Sims {
  urls: string[];
  stats(): Promise<SimStats>;
  /** Zeroes the counters (tasks stay). */
  clear(): Promise<void>;
  /** Forgets every task and counter. */
  reset(): Promise<void>;
  /** Moves the simulated clocks; with `diff`, the ids of tasks whose JSON changed. */
  advance(ms: number, diff?: boolean): Promise<string[]>;
  /** Moves the simulators' process to other cores. */
  pin(cpu: string): void;
  stop(): Promise<void>;
}

export async function startSims(
  options: Omit<SimHostConfig, 'apiSecret'>,
  cpu: string | null,
): Promise<Sims> {
  const file = siblingFile(import.meta.url, 'sim-host');
  const child = startChild(file, { ...options, apiSecret: SIM_SECRET }, cpu);
  const { urls } = (await child.ready) as { urls: string[] };
  return {
    urls,
    stats: () => child.call<SimStats>('stats'),
    clear: () => child.call('clear'),
    reset: () => child.call('reset'),
    advance: (ms, diff = false) => child.call<string[]>('advance', { ms, diff }),
    pin: child.pin,
    stop: child.stop,
  };
}

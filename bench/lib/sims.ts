// The parent's handle on the simulator child (sim-host.ts): its URLs and its commands.
import { fileURLToPath } from 'node:url';
import { startChild } from './child.js';
import type { SimHostConfig, SimStats } from './sim-host.js';

export const SIM_SECRET = 'bench-sim-secret';

export interface Sims {
  urls: string[];
  stats(): Promise<SimStats>;
  /** Zeroes the counters (tasks stay). */
  clear(): Promise<void>;
  /** Forgets every task and counter. */
  reset(): Promise<void>;
  /** Moves the simulated clocks; with `diff`, the ids of tasks whose JSON changed. */
  advance(ms: number, diff?: boolean): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startSims(
  options: Omit<SimHostConfig, 'apiSecret'>,
  cpu: string | null,
): Promise<Sims> {
  const file = fileURLToPath(new URL('./sim-host.ts', import.meta.url));
  const child = startChild(file, { ...options, apiSecret: SIM_SECRET }, cpu);
  const { urls } = (await child.ready) as { urls: string[] };
  return {
    urls,
    stats: () => child.call<SimStats>('stats'),
    clear: () => child.call('clear'),
    reset: () => child.call('reset'),
    advance: (ms, diff = false) => child.call<string[]>('advance', { ms, diff }),
    stop: child.stop,
  };
}

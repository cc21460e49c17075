// The parent's side of seeding (seed.ts runs in a child): what it is given, and the simulated-time step
// between its waves of submits, which is also the step that later changes exactly one wave (1 task in 10).
import type { DatabaseTarget } from '../../src/store/db.js';
import { siblingFile, startChild } from './child.js';

export interface SeedConfig {
  urls: string[];
  perSim: number;
  target: DatabaseTarget;
  channelIds: number[];
  userId: number;
  /** Taskgate's clock at the time of the poll round's warm-up. */
  now: number;
}

/** Submits are spread over this many waves, `WAVE_MS` of simulated time apart. */
export const WAVES = 10;
export const WAVE_MS = 200;

/** Creates the tasks upstream and records them in the store; answers how many rows it wrote. */
export async function seedTasks(config: SeedConfig, cpu: string | null): Promise<number> {
  // Seeding is linear: 10k tasks take seconds, 100k about a minute on a busy machine. The deadline allows more.
  const deadlineMs = 60_000 + 3 * config.perSim * config.urls.length;
  const child = startChild(siblingFile(import.meta.url, 'seed'), config, cpu, deadlineMs);
  try {
    return ((await child.ready) as { recorded: number }).recorded;
  } finally {
    await child.stop();
  }
}

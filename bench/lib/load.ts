// Runs one autocannon load (loadgen.ts) in a child process, pinned to its own core when the machine allows.
import { siblingFile, startChild } from './child.js';
import type { LoadConfig, LoadResult } from './loadgen.js';

export type { LoadConfig, LoadResult };

export async function runLoad(config: LoadConfig, cpu: string | null): Promise<LoadResult> {
  // The answer comes once the whole load has run: warm-up, measurement, and a margin for start and stop.
  const deadlineMs = (config.warmupSec + config.durationSec + 60) * 1000;
  const child = startChild(siblingFile(import.meta.url, 'loadgen'), config, cpu, deadlineMs);
  try {
    return (await child.ready) as LoadResult;
  } finally {
    await child.stop();
  }
}

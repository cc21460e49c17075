// Small helpers every benchmark shares: bounded concurrency (the poller's own), wall-clock timing, RSS sampling, explicit GC,
// and the clean-up registry that stops whatever a benchmark started, even on Ctrl-C.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

export { chunks, inParallel } from '../../src/core/concurrency.js';

/** Wall time of `work` in milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

// --expose-gc cannot be passed through `tsx bench/run.ts`; setting the flag at run time and fetching `gc` from a
// fresh context is V8's documented way around that. A collection before a measurement makes RSS comparable.
v8.setFlagsFromString('--expose-gc');
const gcFunction = vm.runInNewContext('gc') as () => void;
export const collectGarbage = (): void => gcFunction();

/** Samples this process's RSS every few ms (the event loop keeps turning during I/O-bound rounds). */
export function rssSampler(everyMs = 5): { first: number; stop(): number } {
  const first = process.memoryUsage.rss();
  let peak = first;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  return {
    first,
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    },
  };
}

export const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

// Everything a benchmark starts registers its stop here; run.ts runs what is left on exit and on signals.
const cleanups = new Set<() => Promise<void>>();

export function onCleanup(stop: () => Promise<void>): () => Promise<void> {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    cleanups.delete(once);
    await stop();
  };
  cleanups.add(once);
  return once;
}

export async function cleanupAll(): Promise<void> {
  for (const stop of [...cleanups].reverse()) await stop().catch((error) => console.error('cleanup:', error));
}

const startedAt = performance.now();

export function log(message: string): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds} s] ${message}\n`);
}

// Child process: autocannon with a fixed number of connections for a fixed time, after a warm-up of the same
// shape. Every response's latency is kept as a float: autocannon's own percentiles are whole milliseconds,
// too coarse to tell a 2 ms budget apart.
import autocannon from 'autocannon';
import { childConfig } from './child.js';

export interface LoadConfig {
  url: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
  /** Cycled through by every connection (one per API key, so no key meets its rate limit). */
  requests: Array<{ method: 'POST' | 'GET'; path: string; headers: Record<string, string>; body?: string }>;
}

export interface LoadResult {
  responses: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const config = childConfig<LoadConfig>();

function run(durationSec: number, onLatency?: (ms: number, status: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: config.url,
        connections: config.connections,
        duration: durationSec,
        requests: config.requests,
        timeout: 10,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (onLatency)
      instance.on('response', (_client, status, _bytes, ms) => {
        onLatency(ms, status);
      });
  });
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;

if (config.warmupSec > 0) await run(config.warmupSec);
let latencies = new Float64Array(1 << 16);
let count = 0;
const result = await run(config.durationSec, (ms) => {
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = ms;
});
const sorted = latencies.subarray(0, count).sort();
const out: LoadResult = {
  responses: count,
  durationSec: result.duration,
  rps: count / result.duration,
  p50Ms: percentile(sorted, 50),
  p99Ms: percentile(sorted, 99),
  meanMs: count ? sorted.reduce((a, b) => a + b, 0) / count : Number.NaN,
  statuses: Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
  ),
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
};
process.send?.(out, () => process.disconnect());

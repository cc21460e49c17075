// Child process: autocannon with a fixed number of connections for a fixed time. The warm-up runs on the same
// connections, and only what follows it is measured: a fresh autocannon run opens its connections at once, and
// its first 100–200 ms (answers up to 300 ms late on either server) would otherwise sit in every measured p99.
// Every response's latency is kept as a float: autocannon's own percentiles are whole milliseconds, too coarse
// to tell a 2 ms budget apart.
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
  /** Answers in the measured part. */
  responses: number;
  /** Answers in the whole run, warm-up included (what the server's CPU over the run was spent on). */
  totalResponses: number;
  durationSec: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  /** The load generator's own CPU per response over the measured part (it does more per response when the
   * server is slower: fewer responses wait for it at each wake-up). */
  cpuMsPerResponse: number;
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const config = childConfig<LoadConfig>();

function run(durationSec: number, onLatency: (ms: number) => void) {
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
    instance.on('response', (_client, _status, _bytes, ms) => onLatency(ms));
  });
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : Number.NaN;

let latencies = new Float64Array(1 << 16);
let count = 0;
let total = 0;
/** When the first answer came: the warm-up is counted from it, as autocannon takes a while to start. */
let firstAnswerAt: number | undefined;
let measuredFrom: number | undefined;
let lastAnswerAt = 0;
let cpuBefore = process.cpuUsage();
/** The load generator's CPU over the measured part, taken when it ends. */
let cpuUsed: NodeJS.CpuUsage | undefined;
const result = await run(config.warmupSec + config.durationSec, (ms) => {
  total++;
  const now = performance.now();
  firstAnswerAt ??= now;
  if (measuredFrom === undefined) {
    if (now - firstAnswerAt < config.warmupSec * 1000) return;
    measuredFrom = now;
    cpuBefore = process.cpuUsage();
  }
  // autocannon runs on a little past its duration: the measured part is cut at the length asked for.
  if (now - measuredFrom > config.durationSec * 1000) {
    cpuUsed ??= process.cpuUsage(cpuBefore);
    return;
  }
  lastAnswerAt = now;
  if (count === latencies.length) {
    const grown = new Float64Array(latencies.length * 2);
    grown.set(latencies);
    latencies = grown;
  }
  latencies[count++] = ms;
});
const cpu = cpuUsed ?? process.cpuUsage(cpuBefore);
const durationSec = measuredFrom === undefined ? 0 : (lastAnswerAt - measuredFrom) / 1000;
const sorted = latencies.subarray(0, count).sort();
const out: LoadResult = {
  responses: count,
  totalResponses: total,
  durationSec,
  rps: durationSec > 0 ? count / durationSec : 0,
  p50Ms: percentile(sorted, 50),
  p99Ms: percentile(sorted, 99),
  meanMs: count ? sorted.reduce((a, b) => a + b, 0) / count : Number.NaN,
  cpuMsPerResponse: count ? (cpu.user + cpu.system) / 1000 / count : Number.NaN,
  statuses: Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count ?? 0]),
  ),
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
};
process.send?.(out, () => process.disconnect());

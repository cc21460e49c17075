// `npm run bench [-- --full] [-- submit poll-round]`: runs the chosen benchmarks in sequence, prints one table,
// and writes bench/results/<name>.json with the machine it ran on. Budgets are reported, not yet enforced.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchBench } from './fetch.js';
import { loadAverage, machineInfo, pinSelf } from './lib/machine.js';
import { type BenchOptions, type BenchResult, formatJson, printTable, type Row } from './lib/report.js';
import { cleanupAll, log } from './lib/util.js';
import { listingBench } from './listing.js';
import { pollInstancesBench } from './poll-instances.js';
import { pollRoundBench } from './poll-round.js';
import { pushLatencyBench } from './push-latency.js';
import { submitBench } from './submit.js';

const BENCHMARKS: Record<string, (options: BenchOptions) => Promise<BenchResult>> = {
  submit: submitBench,
  'poll-round': pollRoundBench,
  fetch: fetchBench,
  listing: listingBench,
  'push-latency': pushLatencyBench,
  'poll-instances': pollInstancesBench,
};

const args = process.argv.slice(2);
const full = args.includes('--full');
// --smoke: every benchmark at its smallest size, failing the run when one measured nothing (CI's check).
const smoke = args.includes('--smoke');
const tasksArg = args.find((a) => a.startsWith('--tasks='));
const tasks = tasksArg ? Number(tasksArg.slice('--tasks='.length)) : smoke ? 1_000 : 10_000;
const names = args.filter((a) => !a.startsWith('--'));
const unknown = [
  ...names.filter((n) => !(n in BENCHMARKS)),
  ...args.filter((a) => a.startsWith('--') && !['--full', '--smoke'].includes(a) && a !== tasksArg),
  ...(full && smoke ? ['--full with --smoke'] : []),
  ...(Number.isInteger(tasks) && tasks >= 1_000 ? [] : [`${tasksArg} (a whole number ≥ 1000)`]),
];
if (unknown.length) {
  console.error(
    `unknown: ${unknown.join(' ')}\nusage: npm run bench -- [--full|--smoke] [--tasks=N] [${Object.keys(BENCHMARKS).join('|')}]…`,
  );
  process.exit(2);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping what was started`);
    cleanupAll().finally(() => process.exit(130));
  });
}

const pinning = pinSelf();
const machine = machineInfo(pinning);
log(`${machine.cpu}, ${machine.cores} cores, node ${machine.node}; ${machine.arrangement}`);
// Other work on the machine shows up in every number: say so where the results are read.
if (machine.loadAverage > 0.5)
  log(
    `WARNING: load average ${machine.loadAverage} at the start (other work, or a run just before): noisy numbers`,
  );
// bench/results/ beside the sources, also when this runs compiled from build/bench/bench/.
const resultsDir = fileURLToPath(
  new URL(import.meta.url.endsWith('.js') ? '../../../bench/results/' : './results/', import.meta.url),
);
mkdirSync(resultsDir, { recursive: true });

const rows: Row[] = [];
const lines: string[] = [];
let failed = false;
for (const name of names.length ? names : Object.keys(BENCHMARKS)) {
  const started = Date.now();
  try {
    const result = await BENCHMARKS[name]({ full, smoke, tasks, pinning } as BenchOptions);
    if (smoke && result.rows.length === 0) throw new Error('smoke: the benchmark measured nothing');
    rows.push(...result.rows);
    for (const b of result.budgets)
      lines.push(`${b.met ? 'met    ' : 'NOT MET'}  ${b.bench} [${b.case}] ${b.rule}: ${b.detail}`);
    const file = `${resultsDir}${name}.json`;
    writeFileSync(
      file,
      `${formatJson({ ...result, full, smoke, tasks, machine, loadAfter: loadAverage(), seconds: (Date.now() - started) / 1000 })}\n`,
    );
    log(`${name}: done in ${((Date.now() - started) / 1000).toFixed(0)} s, wrote ${file}`);
  } catch (error) {
    failed = true;
    console.error(`benchmark ${name} FAILED:`, error);
  } finally {
    await cleanupAll();
  }
}

console.log(`\n${printTable(rows)}\n\nBudgets (reported, not yet enforced):\n${lines.join('\n')}`);
// Sockets kept alive by HTTP agents would hold the process open; everything started is stopped above.
process.exit(failed ? 1 : 0);

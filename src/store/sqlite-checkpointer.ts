// Checkpoints of the SQLite write-ahead log on a worker thread. SQLite's own checkpoint runs inside whichever
// commit pushes the log past 1,000 pages, copying every page back into the database file and syncing it: on the
// event loop that is a stall of several milliseconds every few hundred commits, and half of an average commit's
// cost (docs/benchmarks.md, submit). The worker's second connection copies the log in the background instead
// (PASSIVE: it never waits for, nor blocks, the writer); the writer's own checkpoint stays as a backstop, much
// later, should the worker fall behind.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints. */
export const CHECKPOINT_EVERY_MS = 200;
/** The writer's own checkpoint, only if the log grows past this many pages (4 KB each) all the same. */
export const BACKSTOP_PAGES = 20_000;

export interface Checkpointer {
  stop(): Promise<void>;
}

// Plain JavaScript run with `eval`, so it works the same from TypeScript sources (tests, tsx) and the build.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const database = new Database(workerData.file, { fileMustExist: true });
database.pragma('busy_timeout = 1000');
const checkpoint = database.prepare('pragma wal_checkpoint(passive)');
let failing = false;
const timer = setInterval(() => {
  try {
    checkpoint.get();
    failing = false;
  } catch (error) {
    // Told once until a checkpoint works again; meanwhile the writer's backstop checkpoint covers for it.
    if (!failing) parentPort.postMessage(String(error && error.message));
    failing = true;
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  database.close();
  parentPort.close();
});
`;

/** Starts checkpointing the WAL of the SQLite file `file` every `everyMs` on a worker thread. */
export function startCheckpointer(file: string, everyMs = CHECKPOINT_EVERY_MS): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  // No inherited flags: `--input-type=module` would read the source as a module, tsx's loader is not needed.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    execArgv: [],
    workerData: { file, everyMs, driver },
  });
  // The worker never keeps the process alive: a store left open must not stop Node from exiting.
  worker.unref();
  // On stderr, as a process warning: the store has no logger.
  const warn = (message: string) =>
    process.emitWarning(`SQLite background checkpoint failed: ${message}`, 'TaskgateWarning');
  worker.on('message', warn);
  worker.on('error', (error) => warn(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Referenced again while it stops: a process with nothing else left to do would exit (code 13) still
      // waiting for the worker's exit, which an unreferenced worker does not wait for.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}

// A child process of the benchmarks (compiled, or a TypeScript source through tsx's loader), pinned with taskset
// when asked, spoken to over IPC:
// each request carries an id and gets one reply. The child exits when the parent goes away, and one that
// takes longer than its deadline is killed, so a run can never hang.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './util.js';

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface Child {
  /** The first message the child sends (its "ready" payload). */
  ready: Promise<unknown>;
  /** Sends a command and waits for the child's answer to it. */
  call<T>(cmd: string, args?: unknown): Promise<T>;
  /** Moves the child, every thread of it, to the cores in `cpu` (a `taskset -c` list). */
  pin(cpu: string): void;
  stop(): Promise<void>;
}

/** How long one command may take (the slowest, a diff of every task's JSON, takes seconds). */
const CALL_TIMEOUT_MS = 120_000;

/** Rejects with `what` after `ms` unless `promise` settles first; `onTimeout` runs then. */
function deadline<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} took longer than ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The path of module `name` beside `moduleUrl`, with its extension: `.js` when compiled, `.ts` from source. */
export function siblingFile(moduleUrl: string, name: string): string {
  return fileURLToPath(new URL(`./${name}${extname(new URL(moduleUrl).pathname)}`, moduleUrl));
}

export function startChild(
  file: string,
  config: unknown,
  cpu: string | null,
  readyTimeoutMs = 60_000,
): Child {
  // Compiled (npm run bench) children run as plain JavaScript, like the parent; sources need tsx.
  const runner = file.endsWith('.js') ? [] : ['--import', import.meta.resolve('tsx')];
  const node = [process.execPath, ...runner, file, JSON.stringify(config)];
  const [command, ...args] = cpu ? ['taskset', '-c', cpu, ...node] : node;
  const proc: ChildProcess = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exited = true;
      for (const p of pending.values()) p.reject(new Error(`${file} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    }),
  );
  const kill = () => proc.kill('SIGKILL');
  const ready = deadline(
    new Promise<unknown>((resolve, reject) => {
      proc.once('message', resolve);
      proc.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready`)));
    }),
    readyTimeoutMs,
    file,
    kill,
  );
  proc.on('message', (message: Reply) => {
    const waiter = message && typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(message.error));
  });
  const stop = onCleanup(async () => {
    if (exited) return;
    if (proc.connected) proc.disconnect();
    // The child exits on disconnect; a kill by its own pid is the fallback for a child that hangs.
    const timer = setTimeout(kill, 5_000);
    await exit;
    clearTimeout(timer);
  });
  return {
    ready,
    call<T>(cmd: string, args?: unknown) {
      const id = nextId++;
      const answer = new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        proc.send({ id, cmd, args });
      });
      return deadline(answer, CALL_TIMEOUT_MS, `${file} ${cmd}`, kill);
    },
    pin(cpu: string) {
      const result = spawnSync('taskset', ['-a', '-p', '-c', cpu, String(proc.pid)], { stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`taskset could not move ${file} to cores ${cpu}`);
    },
    stop,
  };
}

/** The child's side: answers each request with `handle`, and exits when the parent disconnects. */
export function serveParent(
  handle: (cmd: string, args: unknown) => Promise<unknown>,
  onExit: () => Promise<void>,
) {
  process.on('disconnect', () => {
    onExit().finally(() => process.exit(0));
  });
  process.on('message', async (message: { id: number; cmd: string; args: unknown }) => {
    try {
      process.send?.({ id: message.id, ok: true, result: await handle(message.cmd, message.args) });
    } catch (error) {
      process.send?.({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) });
    }
  });
}

/** The config the parent passed as the child's single argument. */
export function childConfig<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

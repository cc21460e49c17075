// What the numbers were measured on, and how the CPUs were shared: with taskset and two or more cores, Taskgate
// (this process) runs on core 0, and the load generator (submit) or the simulators (poll round) on core 1.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  node: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  date: string;
  /** The 1-minute load average when the run started (anything well above 0 means other work competed). */
  loadAverage: number;
  arrangement: string;
}

export const loadAverage = (): number => Math.round(os.loadavg()[0] * 100) / 100;

export interface Pinning {
  /** The CPU list for children (`taskset -c <list>`), or null when nothing is pinned. */
  server: string | null;
  helper: string | null;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Pins this process (every thread, `-a`) to core 0 when taskset and a second core exist. */
export function pinSelf(): Pinning {
  if (os.availableParallelism() < 2 || !hasTaskset()) return { server: null, helper: null };
  const result = spawnSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  if (result.status !== 0) return { server: null, helper: null };
  return { server: '0', helper: '1' };
}

export function machineInfo(pinning: Pinning): Machine {
  return {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverage: loadAverage(),
    arrangement: pinning.server
      ? `taskset: the bench process (Taskgate) on core ${pinning.server}; autocannon on core ${pinning.helper}; ` +
        `submit: the simulator on core ${pinning.server} for the direct run, on core ${pinning.helper} for ` +
        `Taskgate's; poll round: the simulators on core ${pinning.helper}, the seeding child on core ` +
        `${pinning.server} before the round; databases unpinned`
      : 'not pinned (no taskset or a single core): every process shares every core',
  };
}

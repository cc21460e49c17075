// Jobs that must run on one instance at a time (orphan sweep, session cleanup), elected through a lease row
// per job. The holder keeps its lease by renewing it every interval; when it stops or dies, the lease expires
// (or is released) and another instance takes the job over.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { DbContext } from '../store/db.js';
import { acquireJobLease, releaseJobLease } from '../store/job-leases.js';

export interface SingletonJob {
  name: string;
  run(): Promise<void>;
}

export interface SingletonDeps {
  store: DbContext;
  clock: Clock;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  instanceId: string;
}

export class SingletonJobs {
  /** Unique per process, so a restarted instance with the same INSTANCE_ID is a new owner. */
  readonly owner: string;
  private timer: NodeJS.Timeout | null = null;
  private tick: Promise<string[]> | null = null;
  private readonly held = new Set<string>();

  constructor(
    private readonly deps: SingletonDeps,
    private readonly jobs: SingletonJob[],
    private readonly intervalMs: number,
  ) {
    this.owner = `${deps.instanceId}:${randomBytes(3).toString('hex')}`;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
    void this.runOnce();
  }

  /** Tries every job once; returns the names this instance ran. Tests call it directly. */
  runOnce(): Promise<string[]> {
    if (this.tick) return this.tick;
    this.tick = this.runAll().finally(() => {
      this.tick = null;
    });
    return this.tick;
  }

  private async runAll(): Promise<string[]> {
    const ran: string[] = [];
    for (const job of this.jobs) {
      try {
        // Three intervals: a holder that misses one tick keeps its job; a dead one loses it soon after.
        const ttl = this.intervalMs * 3;
        if (!(await acquireJobLease(this.deps.store, job.name, this.owner, this.deps.clock.now(), ttl))) {
          this.held.delete(job.name);
          continue;
        }
        this.held.add(job.name);
        await job.run();
        ran.push(job.name);
      } catch (error) {
        this.deps.log.error({ err: error, job: job.name }, 'singleton job failed');
      }
    }
    return ran;
  }

  /** Stops trying, waits for the jobs in hand, and releases every lease held so another instance takes over. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tick?.catch(() => undefined);
    for (const name of this.held) {
      await releaseJobLease(this.deps.store, name, this.owner).catch((err) =>
        this.deps.log.warn({ err, job: name }, 'releasing a job lease failed'),
      );
    }
    this.held.clear();
  }
}

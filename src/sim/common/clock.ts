// The simulators' one clock: real time multiplied by a time scale, plus manual jumps, so a test can run
// a "minute" of generation in a second (or in no time at all by advancing the clock).

export interface SimClockOptions {
  /** Simulated milliseconds per real millisecond (default 1). */
  timeScale?: number;
  /** The real clock in epoch ms (default Date.now); injectable so tests can drive time themselves. */
  now?: () => number;
}

function checkedScale(scale: number): number {
  if (!Number.isFinite(scale) || scale <= 0)
    throw new RangeError(`timeScale must be a positive number, got ${scale}`);
  return scale;
}

export class SimClock {
  private readonly realNow: () => number;
  private anchorReal: number;
  private anchorSim: number;
  private scale: number;

  constructor(options: SimClockOptions = {}) {
    this.realNow = options.now ?? Date.now;
    this.scale = checkedScale(options.timeScale ?? 1);
    this.anchorReal = this.realNow();
    // Simulated time starts at the real time, so timestamps look like ordinary epoch milliseconds.
    this.anchorSim = this.anchorReal;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.anchorSim + (this.realNow() - this.anchorReal) * this.scale);
  }

  get timeScale(): number {
    return this.scale;
  }

  /** Changes the speed from now on; simulated time stays continuous. */
  setTimeScale(scale: number): void {
    const simNow = this.now();
    this.scale = checkedScale(scale);
    this.anchorReal = this.realNow();
    this.anchorSim = simNow;
  }

  /** Jumps simulated time forward (time never goes back). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    this.anchorSim += ms;
  }
}

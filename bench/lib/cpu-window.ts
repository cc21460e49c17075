// CPU time this process spent over a measured window (process.resourceUsage), and its peak RSS so far: what a
// route costs the server when the server runs in the bench process and the load comes from another core.
export interface CpuWindow {
  /** CPU ms (user + system) spent between start and stop. */
  cpuMs: number;
  /** CPU ms per wall second: 1000 means one core fully busy. */
  cpuPerSec: number;
  maxRssMb: number;
}

export function cpuWindow(): { stop(): CpuWindow } {
  const before = process.resourceUsage();
  const started = performance.now();
  return {
    stop() {
      const after = process.resourceUsage();
      const cpuMs =
        (after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime) / 1000;
      const wallMs = performance.now() - started;
      return { cpuMs, cpuPerSec: (cpuMs / wallMs) * 1000, maxRssMb: Math.round(after.maxRSS / 1024) };
    },
  };
}

// Wakes the poller when a new task becomes due. Requests are gathered into slots of SLOT_MS, so a burst of
// submits costs one timer (and one message to the other instances) per slot, not one per task.

const SLOT_MS = 200;

export class DelayedWake {
  private readonly timers = new Map<number, NodeJS.Timeout>();

  constructor(private readonly wake: () => void) {}

  /** Wakes in `ms` (rounded up to the slot); true when this opened a new slot, false when one was pending. */
  in(ms: number): boolean {
    const slot = Math.ceil((Date.now() + ms) / SLOT_MS);
    if (this.timers.has(slot)) return false;
    const timer = setTimeout(
      () => {
        this.timers.delete(slot);
        this.wake();
      },
      Math.max(0, slot * SLOT_MS - Date.now()),
    );
    timer.unref();
    this.timers.set(slot, timer);
    return true;
  }

  clear(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

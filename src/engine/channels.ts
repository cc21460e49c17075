// Which channel serves a request: enabled, in the caller's group, listing the model, of the right platform;
// the highest priority tier first, weighted random inside a tier. Channels are cached for a moment.
import { randomInt } from 'node:crypto';
import { platformOfChannelType } from '../core/channel-types.js';
import type { Clock } from '../core/clock.js';
import { ChannelStatus } from '../core/roles.js';
import { listAllChannels } from '../store/channels.js';
import type { DbContext } from '../store/db.js';
import type { ChannelRow } from '../store/schema.js';

const list = (text: string) => text.split(',').map((s) => s.trim());

export class ChannelDirectory {
  private cache: { rows: ChannelRow[]; at: number } | null = null;

  constructor(
    private readonly store: DbContext,
    private readonly clock: Clock,
    /** A change made on another instance is seen within this long (sooner when Redis carries the news). */
    private readonly ttlMs = 2_000,
    /** Tells the other instances that the channels changed. */
    private readonly announce: () => void = () => {},
  ) {}

  /** A channel changed here: read them again, and tell the other instances to do the same. */
  invalidate(): void {
    this.cache = null;
    this.announce();
  }

  /** Another instance changed a channel: read them again on the next use. */
  dropCache(): void {
    this.cache = null;
  }

  async all(): Promise<ChannelRow[]> {
    const now = this.clock.now();
    if (!this.cache || now - this.cache.at > this.ttlMs || now < this.cache.at) {
      this.cache = { rows: await listAllChannels(this.store), at: now };
    }
    return this.cache.rows;
  }

  async get(id: number): Promise<ChannelRow | undefined> {
    return (await this.all()).find((c) => c.id === id);
  }

  /** Channels to try for a submit, best first. */
  async candidates(platform: string, group: string, model: string): Promise<ChannelRow[]> {
    const eligible = (await this.all()).filter(
      (c) =>
        c.status === ChannelStatus.enabled &&
        platformOfChannelType(c.type) === platform &&
        list(c.group).includes(group) &&
        list(c.models).includes(model),
    );
    const tiers = new Map<number, ChannelRow[]>();
    for (const channel of eligible)
      tiers.set(channel.priority, [...(tiers.get(channel.priority) ?? []), channel]);
    return [...tiers.entries()].sort(([a], [b]) => b - a).flatMap(([, tier]) => weightedOrder(tier));
  }
}

/** A random order where heavier channels tend to come first (weight 0 still gets a chance). */
function weightedOrder(channels: ChannelRow[]): ChannelRow[] {
  const pool = [...channels];
  const out: ChannelRow[] = [];
  while (pool.length) {
    const total = pool.reduce((sum, c) => sum + c.weight + 1, 0);
    let ticket = randomInt(total);
    let index = 0;
    while (ticket >= pool[index].weight + 1) ticket -= pool[index++].weight + 1;
    out.push(...pool.splice(index, 1));
  }
  return out;
}

// Which channel serves a request: enabled, in the caller's group, listing the model, of the right platform;
// the highest priority tier first, weighted random inside a tier. Channels are cached for a moment.
import { randomInt } from 'node:crypto';
import { platformOfChannelType } from '../core/channel-types.js';
import type { Clock } from '../core/clock.js';
import { ChannelStatus } from '../core/roles.js';
import { listAllChannels } from '../store/channels.js';
import type { DbContext } from '../store/db.js';
import type { ChannelRow } from '../store/schema.js';

const list = (text: string) => new Set(text.split(',').map((s) => s.trim()));

/** A channel with what `candidates` asks of it parsed once per read of the channels, not once per submit. */
interface Listed {
  row: ChannelRow;
  platform: string | null;
  groups: Set<string>;
  models: Set<string>;
}

export class ChannelDirectory {
  private cache: { rows: ChannelRow[]; listed: Listed[]; at: number } | null = null;

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

  private async read(): Promise<{ rows: ChannelRow[]; listed: Listed[] }> {
    const now = this.clock.now();
    if (!this.cache || now - this.cache.at > this.ttlMs || now < this.cache.at) {
      const rows = await listAllChannels(this.store);
      const listed = rows.map((row) => ({
        row,
        platform: platformOfChannelType(row.type),
        groups: list(row.group),
        models: list(row.models),
      }));
      this.cache = { rows, listed, at: now };
    }
    return this.cache;
  }

  async all(): Promise<ChannelRow[]> {
    return (await this.read()).rows;
  }

  async get(id: number): Promise<ChannelRow | undefined> {
    return (await this.all()).find((c) => c.id === id);
  }

  /** Channels to try for a submit, best first. */
  async candidates(platform: string, group: string, model: string): Promise<ChannelRow[]> {
    const tiers = new Map<number, ChannelRow[]>();
    for (const c of (await this.read()).listed) {
      const eligible =
        c.row.status === ChannelStatus.enabled &&
        c.platform === platform &&
        c.groups.has(group) &&
        c.models.has(model);
      if (!eligible) continue;
      const tier = tiers.get(c.row.priority);
      if (tier) tier.push(c.row);
      else tiers.set(c.row.priority, [c.row]);
    }
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

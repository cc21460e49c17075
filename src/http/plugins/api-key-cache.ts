// Relay requests look their API key up on every call (fetch is polled hard by clients). The key's token and user
// rows are kept for a short time, per store, so a hot key costs no query, and when its entry expires the requests
// that miss it together share one read. Changes made through this instance's API (a key edited, disabled or
// deleted; a user edited or disabled) drop the affected entries at once and, with Redis, every other instance's
// whole cache; without Redis another instance's changes are seen within the TTL. A stale remaining quota can only
// admit a request, never spend: every charge checks the key's quota again in the database (reserveQuota).
import type { TokenRow, UserRow } from '../../store/schema.js';

/** How long a key's rows are trusted without reading them again (what another instance's change may lag). */
export const API_KEY_TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

export interface KeyRows {
  token: TokenRow;
  user: UserRow;
}

interface Entry extends KeyRows {
  until: number;
}

export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** Store reads under way, by key hash: requests that find a key's entry expired together share one read. */
  private readonly reads = new Map<string, Promise<KeyRows | null>>();
  /** Bumped on every invalidation: a lookup that started before one must not store what it read. */
  private generation = 0;

  /** Tells the other instances that a key or user changed (set once Redis coordination is open). */
  private announce: () => void = () => {};

  constructor(private readonly ttlMs = API_KEY_TTL_MS) {}

  announceChangesTo(announce: () => void): void {
    this.announce = announce;
  }

  /** Entries held, fresh or not (an expired one goes when it is next read). */
  get size(): number {
    return this.entries.size;
  }

  /** The cached rows of the key with this hash, if still fresh. */
  get(keyHash: string): KeyRows | undefined {
    const entry = this.entries.get(keyHash);
    if (!entry) return undefined;
    if (entry.until > performance.now()) return entry;
    this.entries.delete(keyHash);
    return undefined;
  }

  /**
   * The rows `load` reads from the store for this key (null: no such key), stored for the next requests. A read
   * already under way for the key is joined rather than repeated: when a hot key's entry expires, the requests
   * in flight would otherwise each read it at once. An invalidation leaves the reads under way to their callers
   * and starts the next request on a read of its own, so nothing read before a change is handed out after it.
   */
  read(keyHash: string, load: () => Promise<KeyRows | null>): Promise<KeyRows | null> {
    const pending = this.reads.get(keyHash);
    if (pending) return pending;
    const begun = this.begin();
    const reading = load().then((found) => {
      if (found) this.set(keyHash, found.token, found.user, begun);
      return found;
    });
    this.reads.set(keyHash, reading);
    // Dropped once settled, failed reads too, unless an invalidation already replaced it.
    const settled = () => {
      if (this.reads.get(keyHash) === reading) this.reads.delete(keyHash);
    };
    reading.then(settled, settled);
    return reading;
  }

  /** A token for `set`: the generation when the lookup began. */
  begin(): number {
    return this.generation;
  }

  set(keyHash: string, token: TokenRow, user: UserRow, begun: number): void {
    if (begun !== this.generation || this.ttlMs <= 0) return;
    // Oldest first in a Map: dropping the first entry bounds memory under many distinct keys.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(keyHash, { token, user, until: performance.now() + this.ttlMs });
  }

  forgetToken(tokenId: number): void {
    this.generation++;
    this.reads.clear();
    for (const [hash, entry] of this.entries) if (entry.token.id === tokenId) this.entries.delete(hash);
    this.announce();
  }

  forgetUser(userId: number): void {
    this.generation++;
    this.reads.clear();
    for (const [hash, entry] of this.entries) if (entry.user.id === userId) this.entries.delete(hash);
    this.announce();
  }

  /** Another instance changed a key or user (which one is not said): forget everything; never announced back. */
  forgetAll(): void {
    this.generation++;
    this.reads.clear();
    this.entries.clear();
  }
}

const caches = new WeakMap<object, ApiKeyCache>();

/** The cache of one store (every app, and every test's app, has its own). */
export function apiKeyCache(store: object): ApiKeyCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = new ApiKeyCache();
    caches.set(store, cache);
  }
  return cache;
}

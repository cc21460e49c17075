// Identifiers shaped like the real ones: 16-digit task ids, 19-digit Discord snowflakes, UUID job hashes.
// Everything except the task id is derived from its inputs, so a task's view is the same on every read.
import { createHash, randomInt } from 'node:crypto';

/** Discord's epoch for snowflakes (2015-01-01). */
const DISCORD_EPOCH = 1_420_070_400_000n;
/** J's nonce generator counts from 2012-12-12. */
const NONCE_EPOCH = 1_355_270_400_000n;

/** J's id: epoch ms followed by 3 random digits; the caller retries while `taken` says it exists. */
export function newTaskId(nowMs: number, taken: (id: string) => boolean): string {
  let candidate = nowMs * 1000 + randomInt(1000);
  while (taken(String(candidate))) candidate++;
  return String(candidate);
}

/** The low bits of each salt: a task's view names the same snowflakes on every poll, and hashing dominated. */
const lowBits = new Map<string, bigint>();
const LOW_BITS_KEPT = 262_144;

function lowBitsOf(salt: string): bigint {
  let low = lowBits.get(salt);
  if (low === undefined) {
    low = BigInt(createHash('sha1').update(salt).digest().readUInt32BE(0) & 0x3fffff);
    if (lowBits.size >= LOW_BITS_KEPT) lowBits.clear();
    lowBits.set(salt, low);
  }
  return low;
}

function snowflakeFrom(epoch: bigint, atMs: number, salt: string): string {
  return ((BigInt(Math.max(0, Math.floor(atMs))) - epoch) * 4_194_304n + lowBitsOf(salt)).toString();
}

/** A Discord id (message, attachment) for something that happened at `atMs`. */
export function snowflake(atMs: number, salt: string): string {
  return snowflakeFrom(DISCORD_EPOCH, atMs, salt);
}

export function nonceFor(atMs: number, taskId: string): string {
  return snowflakeFrom(NONCE_EPOCH, atMs, `nonce:${taskId}`);
}

/** A UUID-like hash, stable for a given seed. */
export function uuidFor(seed: string): string {
  const hex = createHash('sha1').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A seed number as image-seed reports it (digits as a string). */
export function seedFor(taskId: string): string {
  return String(createHash('sha1').update(`seed:${taskId}`).digest().readUInt32BE(0));
}

/** The prompt part of a Discord file name: lower-case words joined by underscores. */
export function slugOf(text: string | null): string {
  const words = (text ?? '')
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .replace(/--\S+(\s+\S+)?/g, ' ')
    .match(/[a-z0-9]+/g);
  return (words ?? ['image']).join('_').slice(0, 48).replace(/_+$/, '') || 'image';
}

// Public identifiers. Secrets come from the CSPRNG; public task ids only need to be unique and unguessable enough.
import { hash, randomBytes, randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomString(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    if (bytes[i] < 248) out += ALPHANUMERIC[bytes[i] % 62];
  }
  return out.length === length ? out : out + randomString(length - out.length);
}

/** An API key as shown to the user once: `sk-` + 48 characters. */
export const newApiKey = (): string => `sk-${randomString(48)}`;

/** A dashboard access token (new-api uses 32 characters). */
export const newAccessToken = (): string => randomString(32);

/** An opaque session id for the signed cookie. */
export const newSessionId = (): string => randomString(40);

/** Taskgate's public id for non-Midjourney tasks: `task_` + 32 characters, as new-api issues them. */
export const newTaskPublicId = (): string => `task_${randomString(32)}`;

/** Taskgate's public Midjourney id: 16 digits like midjourney-proxy's (epoch ms + 3 random digits). */
export const newMjPublicId = (nowMs: number): string =>
  `${nowMs}${randomInt(0, 1000).toString().padStart(3, '0')}`;

/** Secrets are stored only as SHA-256 hashes; they are long and random, so no slow hash is needed. */
// The one-shot hash: a third of createHash's cost, and every relay request hashes its key.
export const hashSecret = (secret: string): string => hash('sha256', secret, 'hex');

/** What lists show of a key: enough to recognise it, not enough to use it. */
export const maskKey = (prefix: string, suffix: string): string => `${prefix}${'*'.repeat(10)}${suffix}`;

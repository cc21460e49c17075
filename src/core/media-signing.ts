// Signed, expiring media URLs: `<img src>` works without headers, and nobody opens another task's media by
// guessing ids. The signature covers the path and the expiry.
import { createHmac, timingSafeEqual } from 'node:crypto';

const HOUR_MS = 3_600_000;
/** How long a handed-out media URL stays valid. */
export const MEDIA_URL_TTL_MS = 24 * HOUR_MS;

function signature(secret: string, path: string, expires: number): string {
  return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url').slice(0, 32);
}

/**
 * The absolute signed URL for a media path. The expiry is rounded up to the hour, so listings within the same
 * hour hand out the same URL and browsers can cache the file.
 */
export function signedMediaUrl(serverAddress: string, secret: string, path: string, now: number): string {
  const expires = Math.ceil((now + MEDIA_URL_TTL_MS) / HOUR_MS) * (HOUR_MS / 1000);
  return `${serverAddress}${path}?exp=${expires}&sig=${signature(secret, path, expires)}`;
}

export function verifyMediaSignature(
  secret: string,
  path: string,
  exp: string | undefined,
  sig: string | undefined,
  now: number,
): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const expires = Number(exp);
  if (expires * 1000 < now) return false;
  const expected = Buffer.from(signature(secret, path, expires));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

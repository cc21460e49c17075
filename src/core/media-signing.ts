// Signed, expiring media URLs: `<img src>` works without headers, and nobody opens another task's media by
// guessing ids. The signature covers the path, the version of the file and the expiry.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const HOUR_MS = 3_600_000;
/** How long a handed-out media URL stays valid. */
export const MEDIA_URL_TTL_MS = 24 * HOUR_MS;

/** Signed URLs kept (fetches of the same tasks within an hour hand out the same URL). */
export const SIGNED_URL_CACHE_SIZE = 10_000;
const signedUrls = new Map<string, string>();

function signature(secret: string, path: string, expires: number): string {
  return createHmac('sha256', secret).update(`${path}\n${expires}`).digest('base64url').slice(0, 32);
}

/** What is signed: the path, with the version of the file it serves when there is one. */
const subject = (path: string, version: string | undefined) => (version ? `${path}?v=${version}` : path);

/**
 * The absolute signed URL for a media path. The expiry is rounded up to the hour, so listings within the same
 * hour hand out the same URL and browsers can cache the file. `source` is the upstream URL the path serves now:
 * a digest of it goes into the URL (`v`), so when the file changes (a Midjourney progress preview becomes the
 * final image, a Suno stream becomes the finished file) the URL changes too and no browser shows its cached copy.
 */
export function signedMediaUrl(
  serverAddress: string,
  secret: string,
  path: string,
  now: number,
  source = '',
): string {
  const expires = Math.ceil((now + MEDIA_URL_TTL_MS) / HOUR_MS) * (HOUR_MS / 1000);
  // The URL is a pure function of these values, so within an expiry window it is signed (and the source digested)
  // once. The expiry is part of the key: a URL is never handed out past the window it was signed for.
  const key = `${expires}\n${serverAddress}\n${path}\n${source}\n${secret}`;
  const cached = signedUrls.get(key);
  if (cached !== undefined) return cached;
  const signed = subject(path, source ? mediaVersion(source) : undefined);
  const url = `${serverAddress}${signed}${signed === path ? '?' : '&'}exp=${expires}&sig=${signature(secret, signed, expires)}`;
  // Past the bound the oldest entry goes (a Map iterates in insertion order); earlier windows' entries age out.
  if (signedUrls.size >= SIGNED_URL_CACHE_SIZE) signedUrls.delete(signedUrls.keys().next().value!);
  signedUrls.set(key, url);
  return url;
}

/** A short digest of an upstream media URL: the `v` of the signed URLs that serve it. */
export const mediaVersion = (source: string) =>
  createHash('sha256').update(source).digest('base64url').slice(0, 12);

/** Checks a signed URL's `exp`, `sig` and `v` (absent in URLs handed out before versions, which stay valid). */
export function verifyMediaSignature(
  secret: string,
  path: string,
  exp: string | undefined,
  sig: string | undefined,
  now: number,
  version?: string,
): boolean {
  if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
  const expires = Number(exp);
  if (expires * 1000 < now) return false;
  const expected = Buffer.from(signature(secret, subject(path, version), expires));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
